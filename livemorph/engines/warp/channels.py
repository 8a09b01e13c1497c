"""Sums and means over a picture's colour channels, for the warp engine's per-frame painters.

numpy reduces over a short last axis pixel by pixel: ``rgb.sum(axis=2)`` on a painted patch
costs ~20x the three whole-plane additions here. These add the channels in the same order
(R + G, then + B), so the values are the same to the bit.
"""
from __future__ import annotations

import cv2
import numpy as np


def channel_sum(rgb: np.ndarray) -> np.ndarray:
    """(...) the sum of ``rgb``'s three channels (..., 3)."""
    return rgb[..., 0] + rgb[..., 1] + rgb[..., 2]


def channel_mean(rgb: np.ndarray) -> np.ndarray:
    """(..., 1) the mean of ``rgb``'s three channels (..., 3), as ``rgb.mean(axis=-1, keepdims=True)``."""
    return (channel_sum(rgb) / 3)[..., None]


# numpy broadcasts a plane against a picture's three channels (``plane[..., None] * rgb``) or a
# colour against every pixel (``rgb * colour``) element by element in an inner loop of 3: on a
# painted patch ~3-7x the cost of the same products on whole planes. These give the same values.

def in_channels(plane: np.ndarray) -> np.ndarray:
    """(h, w, 3) ``plane`` (h, w) repeated in three channels: ``plane[..., None]`` made whole."""
    return cv2.merge((plane, plane, plane))


def plane_times_colour(plane: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """(h, w, 3) ``plane[..., None] * colour`` for a (h, w) plane and a (3,) colour."""
    return cv2.merge((plane * colour[0], plane * colour[1], plane * colour[2]))
