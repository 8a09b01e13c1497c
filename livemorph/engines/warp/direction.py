"""Directions in the image plane (the face's "up", axes of an eye)."""
from __future__ import annotations

import numpy as np


def unit(vector) -> np.ndarray:
    """``vector`` scaled to length 1 (float64); a zero vector stays zero instead of dividing by it."""
    vector = np.asarray(vector, np.float64)
    return vector / max(float(np.linalg.norm(vector)), 1e-9)
