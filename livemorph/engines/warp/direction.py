"""Directions in the image plane (the face's "up", axes of an eye)."""
from __future__ import annotations

import numpy as np


def unit(vector) -> np.ndarray:
    """``vector`` scaled to length 1 (float64); a zero vector stays zero instead of dividing by it."""
    vector = np.asarray(vector, np.float64)
    return vector / max(float(np.linalg.norm(vector)), 1e-9)


def axes_toward(start, end, toward) -> tuple[np.ndarray, np.ndarray, float]:
    """An eye's own axes: ``axis`` the unit vector from ``start`` to ``end`` (its corners), ``normal``
    perpendicular to it on the side ``toward`` (a direction) points to, and the corners' distance."""
    along = np.asarray(end, np.float64) - np.asarray(start, np.float64)
    axis = unit(along)
    normal = np.array([-axis[1], axis[0]])
    if float(np.asarray(toward, np.float64) @ normal) < 0:
        normal = -normal
    return axis, normal, float(np.linalg.norm(along))
