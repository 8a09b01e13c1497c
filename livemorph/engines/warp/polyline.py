"""Reading a landmark polyline (a brow contour, a lash line, a glasses frame's edge) across the face.

The polylines the warp engine follows run across a near-upright face, so each is a function of
x: its vertices are sorted by x and read with linear interpolation, held flat beyond its ends.
"""
from __future__ import annotations

import numpy as np


def values_at(xs: np.ndarray, values: np.ndarray, x) -> np.ndarray:
    """Per-vertex ``values`` ((n,) or (n, k)) of the polyline whose vertices lie at ``xs`` (n,),
    in any order, read at ``x``: (len(x),) or (len(x), k), float64."""
    xs = np.asarray(xs)
    values = np.asarray(values)
    order = np.argsort(xs)
    if values.ndim == 1:
        return np.interp(x, xs[order], values[order])
    return np.stack([np.interp(x, xs[order], values[order, k]) for k in range(values.shape[1])], axis=-1)


def y_at(points: np.ndarray, x) -> np.ndarray:
    """The y of the polyline through ``points`` ((n, 2), in any order) at ``x``."""
    return values_at(points[:, 0], points[:, 1], x)
