"""Landmark polylines (a brow contour, a lash line, a glasses frame's edge, the face's outline).

The polylines the warp engine follows run across a near-upright face, so each is a function of
x: its vertices are sorted by x and read with linear interpolation, held flat beyond its ends.
Drawn ones are smoothed by corner cutting (``corner_cutting``).
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


def corner_cutting(corners: int, rounds: int, *, closed: bool = False) -> np.ndarray:
    """(m, corners) the linear map from a polyline's corners to its corner-cut (Chaikin) curve: each
    edge's quarter points, ``rounds`` times. An open polyline keeps its two ends; a ``closed`` one
    (a polygon) is cut all round."""
    curve = np.eye(corners)
    for _ in range(rounds):
        following = np.roll(curve, -1, axis=0) if closed else curve[1:]
        start = curve if closed else curve[:-1]
        cut = np.stack([0.75 * start + 0.25 * following, 0.25 * start + 0.75 * following], axis=1).reshape(-1, corners)
        curve = cut if closed else np.vstack([curve[:1], cut, curve[-1:]])
    return curve
