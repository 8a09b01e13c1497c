"""Polygons to pixel masks, for the warp engine's painters (lids, mouth, the chin's cover), how
the warp resamples the portrait, and a painter's turned region laid back into the frame."""
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


def turned_box(matrix: np.ndarray, box, frame_hw: tuple[int, int], margin: int = 0) -> tuple[int, int, int, int]:
    """The frame's pixels (x0, y0, x1, y1) that ``box`` (x0, y0, x1, y1) covers under the affine
    ``matrix``, ``margin`` more on each side, within the frame."""
    bx0, by0, bx1, by1 = box
    ends = cv2.transform(np.float32([[[bx0, by0], [bx1, by0], [bx0, by1], [bx1, by1]]]), matrix)[0]
    x0, y0 = np.maximum(np.floor(ends.min(axis=0)).astype(int) - margin, 0)
    x1, y1 = np.minimum(np.ceil(ends.max(axis=0)).astype(int) + 1 + margin, (frame_hw[1], frame_hw[0]))
    return int(x0), int(y0), int(x1), int(y1)


def turned(image: np.ndarray, matrix: np.ndarray, box) -> np.ndarray:
    """``image`` under the affine ``matrix`` (into frame pixels), over the frame's ``box`` (x0, y0,
    x1, y1) alone; zero where it does not reach."""
    x0, y0, x1, y1 = box
    into_box = matrix.copy()
    into_box[:, 2] -= (x0, y0)
    return cv2.warpAffine(image, into_box, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0)
