"""Polygons to pixel masks, for the warp engine's painters (lids, mouth, the chin's cover), and how
the warp resamples the portrait."""
from __future__ import annotations

import cv2
import numpy as np

_SUBPIXEL_BITS = 4  # cv2.fillPoly's fixed-point shift: vertices placed to 1/16 pixel
# The portrait (and what is laid on it where the warp carries it, e.g. ``grin_folds``' light) is
# resampled bicubically: bilinear resampling averages neighbouring pixels by the map's sub-pixel
# offset, which changes every frame, so the face lost 10-35 % of its fine texture (stubble, pores,
# craquelure; most on a stretched chin) and its sharpness shimmered as it moved. Bicubic keeps
# 0.85-1.0 of it (tests/engines/warp/test_warp_sharpness.py), for ~0.4 ms on the Mona Lisa's box.
# Read at call time (``raster.SAMPLING``), so a test can switch it.
SAMPLING = cv2.INTER_CUBIC


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
