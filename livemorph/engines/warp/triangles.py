"""Triangle geometry the warp shares: the backward map (``engine``) and the unfold pass (``unfold``)."""
from __future__ import annotations

import numpy as np


def corner_coordinates(points: np.ndarray, triangles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(3, T) x and (3, T) y of every triangle's corners: rows of one corner each, so the
    per-triangle arithmetic runs on contiguous arrays (strided (T, 3, 2) slices cost several times
    as much)."""
    corners = triangles.T
    return points[:, 0][corners], points[:, 1][corners]


def signed_area(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Signed area of each triangle from its corners' (3, T) ``xs``, ``ys`` (its sign: their order)."""
    return 0.5 * ((xs[1] - xs[0]) * (ys[2] - ys[0]) - (ys[1] - ys[0]) * (xs[2] - xs[0]))
