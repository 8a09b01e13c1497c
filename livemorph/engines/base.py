"""The engine protocol and registry.

``prepare(portrait_face)`` does all once-per-portrait work (crop, features, maps, masks);
``render(prepared, aus)`` does only per-frame work and returns an RGB uint8 frame of the
portrait's full size. ``aus`` are the AUs to show on the portrait, already retargeted: the
portrait's resting AUs + strength x the user's change from neutral. They are not clipped and
may leave 0-5 (a smiling portrait driven by a smile); each engine bounds them as it can show
them (``livemorph.aus.fit_au_range`` for engines with a 0-5 input).
Engines register by name with a factory ``factory(config, device) -> Engine``; the factory
module is imported lazily so `--help` and the warp engine never pay for torch.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable, Protocol, runtime_checkable

import numpy as np

from ..errors import ConfigError


@runtime_checkable
class Engine(Protocol):
    name: str

    def prepare(self, portrait: Any) -> Any:
        """Once per portrait: ``portrait`` is a ``livemorph.portrait.PortraitFace``."""

    def render(self, prepared: Any, aus: np.ndarray) -> np.ndarray:
        """Per frame: the portrait showing ``aus`` (17,), RGB uint8 at the portrait's size."""


EngineFactory = Callable[..., Engine]

# name -> "module:attribute" of its factory, imported on first use.
_LAZY_FACTORIES: dict[str, str] = {
    "warp": "livemorph.engines.warp:create",
    "ganimation": "livemorph.engines.ganimation.engine:create",
}
_FACTORIES: dict[str, EngineFactory] = {}


def register_engine(name: str, factory: EngineFactory) -> None:
    _FACTORIES[name] = factory


def available_engines() -> list[str]:
    return sorted(set(_LAZY_FACTORIES) | set(_FACTORIES))


def create_engine(name: str, config, device: str = "cpu") -> Engine:
    """Build the engine called ``name``; an unknown name is a ConfigError listing valid ones."""
    if name not in _FACTORIES:
        target = _LAZY_FACTORIES.get(name)
        if target is None:
            raise ConfigError(f"unknown engine {name!r}; valid: {', '.join(available_engines())}")
        module_name, attr = target.split(":")
        _FACTORIES[name] = getattr(importlib.import_module(module_name), attr)
    return _FACTORIES[name](config, device)
