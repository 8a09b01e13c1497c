"""Engines turn a prepared portrait plus an AU vector into a full-resolution frame."""
from .base import (Engine, available_engines, create_engine, engine_from_config, paints_mouth_hints, register_engine,
                   resolve_engine_name)

__all__ = ["Engine", "available_engines", "create_engine", "engine_from_config", "paints_mouth_hints",
           "register_engine", "resolve_engine_name"]
