"""Engines turn a prepared portrait plus an AU vector into a full-resolution frame."""
from .base import Engine, available_engines, create_engine, engine_from_config, register_engine, resolve_engine_name

__all__ = ["Engine", "available_engines", "create_engine", "engine_from_config", "register_engine",
           "resolve_engine_name"]
