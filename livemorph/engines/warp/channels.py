"""Sums and means over a picture's colour channels, for the warp engine's per-frame painters.

numpy reduces over a short last axis pixel by pixel: ``rgb.sum(axis=2)`` on a painted patch
costs ~20x the three whole-plane additions here. These add the channels in the same order
(R + G, then + B), so the values are the same to the bit.
"""
from __future__ import annotations

import numpy as np


def channel_sum(rgb: np.ndarray) -> np.ndarray:
    """(...) the sum of ``rgb``'s three channels (..., 3)."""
    return rgb[..., 0] + rgb[..., 1] + rgb[..., 2]


def channel_mean(rgb: np.ndarray) -> np.ndarray:
    """(..., 1) the mean of ``rgb``'s three channels (..., 3), as ``rgb.mean(axis=-1, keepdims=True)``."""
    return (channel_sum(rgb) / 3)[..., None]
