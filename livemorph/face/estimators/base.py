"""The AU estimator protocol and registry: one tracked face -> the 17 AUs.

An estimator turns a ``FaceTrack`` (landmarks, blendshapes, pose) into a float32 (17,) vector in
``livemorph.aus`` order on OpenFace's 0-5 scale, zeros when no face is present. Everything that
needs AUs from a face (live, render, `aus`, the portrait's resting AUs, training labels) gets its
estimator from ``estimator_from_config``, chosen by ``expression.estimator``.

Estimators register by name with a factory ``factory(expression_section) -> AUEstimator``; built-in
factories are "module:attribute" strings imported on first use.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Callable, Protocol, runtime_checkable

from ...errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

    from ..tracking import FaceTrack


@runtime_checkable
class AUEstimator(Protocol):
    name: str

    def estimate(self, track: FaceTrack) -> np.ndarray:
        """(17,) float32 AUs on 0-5 for ``track``; zeros when ``track.present`` is False."""


EstimatorFactory = Callable[[Any], AUEstimator]

_FACTORIES: dict[str, EstimatorFactory | str] = {
    "mediapipe": "livemorph.face.estimators.blendshapes:BlendshapeEstimator",
}


def register_estimator(name: str, factory: EstimatorFactory) -> None:
    """Add (or replace) an estimator; it becomes a valid ``expression.estimator`` at once."""
    _FACTORIES[name] = factory


def available_estimators() -> list[str]:
    return sorted(_FACTORIES)


def estimator_from_config(config) -> AUEstimator:
    """The estimator named by ``expression.estimator``, built from the ``expression`` section."""
    name = config.expression.estimator
    factory = _FACTORIES.get(name)
    if factory is None:
        raise ConfigError(f"unknown expression.estimator {name!r}; valid: {', '.join(available_estimators())}")
    if isinstance(factory, str):
        module_name, attr = factory.split(":")
        factory = getattr(importlib.import_module(module_name), attr)
    return factory(config.expression)
