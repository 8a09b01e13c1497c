"""CIE Lab conversions of RGB colours (0..255) for the warp engine's mouth painters."""
from __future__ import annotations

import cv2
import numpy as np


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """(N, 3) RGB 0..255 -> (N, 3) CIE Lab (L 0..100, a and b around 0)."""
    return cv2.cvtColor(np.asarray(rgb, np.float32)[None] / 255.0, cv2.COLOR_RGB2LAB)[0]


def from_lab(lab: np.ndarray) -> np.ndarray:
    """(N, 3) CIE Lab -> (N, 3) RGB 0..255 (unclipped)."""
    return cv2.cvtColor(np.asarray(lab, np.float32)[None], cv2.COLOR_LAB2RGB)[0] * 255.0
