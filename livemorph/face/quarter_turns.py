"""Points of a picture in that picture turned by quarter turns (``np.rot90``), and back.

Coordinates are continuous, as MediaPipe gives them (x from 0 at the picture's left edge to its
width at its right edge): one ``np.rot90`` turn, counter-clockwise, takes (x, y) of a picture
``width`` wide to (y, width - x).
"""
from __future__ import annotations

import numpy as np


def turned_size(size: tuple[int, int], turns: int) -> tuple[int, int]:
    """(height, width) of a picture of ``size`` (height, width) turned ``turns`` quarter turns."""
    height, width = size[:2]
    return (height, width) if turns % 2 == 0 else (width, height)


def turned(xy: np.ndarray, turns: int, size: tuple[int, int]) -> np.ndarray:
    """(N, 2) points of a picture of ``size`` (height, width), in ``np.rot90(picture, turns)``."""
    xy = np.array(xy, np.float64, copy=True).reshape(-1, 2)
    height, width = size[:2]
    for _ in range(turns % 4):
        xy = np.stack([xy[:, 1], width - xy[:, 0]], axis=1)
        height, width = width, height
    return xy


def turned_back(xy: np.ndarray, turns: int, turned_size: tuple[int, int]) -> np.ndarray:
    """(N, 2) points of ``np.rot90(picture, turns)`` (of size ``turned_size``, height and width), in
    the picture itself."""
    xy = np.array(xy, np.float64, copy=True).reshape(-1, 2)
    height, width = turned_size[:2]
    for _ in range(turns % 4):
        # One turn took (x, y) to (y, w - x), w the picture's width then: its height after the turn.
        xy = np.stack([height - xy[:, 1], xy[:, 0]], axis=1)
        height, width = width, height
    return xy
