"""Polygons to pixel masks, for the warp engine's painters (lids, mouth, the chin's cover)."""
from __future__ import annotations

import cv2
import numpy as np

_SUBPIXEL_BITS = 4  # cv2.fillPoly's fixed-point shift: vertices placed to 1/16 pixel


def polygon_mask(shape_hw, *polygons: np.ndarray, antialiased: bool = False) -> np.ndarray:
    """Mask of the union of ``polygons`` ((K, 2) pixel x, y each): bool, or float32 0..1 coverage
    when antialiased. Each polygon is filled on its own (one fillPoly call would fill their
    overlap even-odd, leaving a hole)."""
    canvas = np.zeros(shape_hw, np.uint8)
    for polygon in polygons:
        fixed = np.round(np.asarray(polygon, np.float64) * (1 << _SUBPIXEL_BITS)).astype(np.int32)
        cv2.fillPoly(canvas, [fixed], 255, lineType=cv2.LINE_AA if antialiased else cv2.LINE_8,
                     shift=_SUBPIXEL_BITS)
    return canvas.astype(np.float32) / 255.0 if antialiased else canvas > 0
