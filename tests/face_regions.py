"""MediaPipe face-mesh regions and masks the warp tests measure the output in.

These are MediaPipe's landmark indices (facts of its mesh, the same for any engine), kept out of
the engine's own modules so a test's region never comes from the code it judges.
"""
from __future__ import annotations

import cv2
import numpy as np

# Lip contours, left to right in the image; corners shared.
UPPER_INNER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LOWER_INNER = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)
UPPER_OUTER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)
LOWER_OUTER = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291)
# MediaPipe's brows, per side (image left, then right), outer end -> inner end: upper and lower contour.
BROW_UPPER_SIDES = ((70, 63, 105, 66, 107), (300, 293, 334, 296, 336))
BROW_LOWER_SIDES = ((46, 53, 52, 65, 55), (276, 283, 282, 295, 285))
INNER_LIPS = UPPER_INNER + LOWER_INNER[-2:0:-1]  # the opening, as one closed outline
OUTER_LIPS = UPPER_OUTER + LOWER_OUTER[-2:0:-1]
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
             152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)


def fill(shape, points) -> np.ndarray:
    """(h, w) uint8 0/1: the polygon through ``points`` (rounded to whole pixels)."""
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1)
    return mask


def polygon(shape, points) -> np.ndarray:
    """(h, w) bool: the polygon through ``points`` at sub-pixel precision."""
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(np.asarray(points) * 16).astype(np.int32)], 1, cv2.LINE_8, 4)
    return mask > 0
