"""AU estimators: FaceTrack -> 17 AUs (OpenFace 0-5 scale), behind one protocol and registry (base.py)."""
from .base import AUEstimator, available_estimators, estimator_from_config, register_estimator

__all__ = ["AUEstimator", "available_estimators", "estimator_from_config", "register_estimator"]
