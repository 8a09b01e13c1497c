"""Engines turn a prepared portrait plus an AU vector into a full-resolution frame."""
from .base import Engine, available_engines, create_engine, register_engine

__all__ = ["Engine", "available_engines", "create_engine", "register_engine"]
