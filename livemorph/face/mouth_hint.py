"""The driver's own mouth interior, cut out of a driver frame for an engine to paint with.

Bringing Portraits to Life (Averbuch-Elor et al., 2017) transfers the driver's mouth interior:
real teeth, tongue and shading read as a mouth where a synthesized one reads as paint. A
``MouthHint`` is that interior in a canonical frame -- column u = 0..1 from one inner-lip corner
to the other, row v = 0..1 from the upper inner lip down to the lower inner lip at that column --
so an engine can lay it into any opening, plus the driver's lip colour for matching its colours
to the portrait. It travels beside the AUs (``AUReading.mouth_hint``) as an optional hint: AU
tracks have none, and every engine works without it.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .lip_contours import LOWER_INNER, LOWER_OUTER, UPPER_INNER, UPPER_OUTER
from .stabilize import with_hint

PATCH_HW = (40, 96)  # rows (v) x columns (u) of the canonical patch
# Lips parted by less than this share of the mouth width are closed: nothing inside to transfer.
CLOSED_OPENING = 0.04
MIN_WIDTH_PX = 12.0  # a mouth narrower than this in the driver frame is too small to sample


@dataclass(frozen=True)
class MouthHint:
    """The driver's mouth interior for one frame (see the module docstring for the frame)."""

    patch: np.ndarray  # (40, 96, 3) float32 RGB 0..255; row v from upper to lower inner lip, column u corner to corner
    lip_rgb: np.ndarray  # (3,) float32, the driver's median lip colour (for colour matching)
    opening: float  # mean inner-lip gap / mouth width


def lip_lines(track) -> np.ndarray | None:
    """The four lip lines of a tracked face, (4, 11, 2) float32 pixels: upper inner, lower inner,
    upper outer, lower outer, each from one mouth corner to the other; None without a face. All a
    hint needs from a track (an offline render keeps these per frame between its two passes)."""
    if track is None or not getattr(track, "present", False):
        return None
    xy = np.asarray(track.landmarks, np.float32)[:, :2]
    return np.stack([xy[list(line)] for line in (UPPER_INNER, LOWER_INNER, UPPER_OUTER, LOWER_OUTER)])


def mouth_hint(image_rgb: np.ndarray | None, lips: np.ndarray | None) -> MouthHint | None:
    """The mouth interior inside ``lips`` (``lip_lines``) in ``image_rgb``; None without a face or
    an image, when the lips are closed, or when the opening leaves the image."""
    if image_rgb is None or lips is None:
        return None
    upper, lower = lips[0], lips[1]
    corner0, corner1 = upper[0], upper[-1]
    width = float(np.linalg.norm(corner1 - corner0))
    if width < MIN_WIDTH_PX:
        return None
    # The mouth's own axes: along the corners and across them, so a rolled head samples upright.
    along = (corner1 - corner0) / width
    across = np.array([-along[1], along[0]], np.float32)  # downward for an upright face
    upper, lower = upper - corner0, lower - corner0
    opening = float(np.mean((lower[1:-1] - upper[1:-1]) @ across)) / width
    if opening < CLOSED_OPENING:
        return None
    rows, cols = PATCH_HW
    # Sample at twice the patch size when the driver's mouth is larger than it, then average down:
    # point-sampling a big mouth aliased teeth edges into speckle.
    scale = 2 if width > 1.5 * cols else 1
    u = np.linspace(0.0, 1.0, cols * scale, dtype=np.float32)
    top = _across_at(upper, along, across, width, u)
    bottom = _across_at(lower, along, across, width, u)
    v = np.linspace(0.0, 1.0, rows * scale, dtype=np.float32)[:, None]
    reach = top[None, :] + v * (bottom - top)[None, :]  # (rows, cols): pixels across the axis
    map_x = corner0[0] + u[None, :] * width * along[0] + reach * across[0]
    map_y = corner0[1] + u[None, :] * width * along[1] + reach * across[1]
    h, w = image_rgb.shape[:2]
    if map_x.min() < 0 or map_y.min() < 0 or map_x.max() > w - 1 or map_y.max() > h - 1:
        return None
    patch = cv2.remap(image_rgb, map_x.astype(np.float32), map_y.astype(np.float32), cv2.INTER_LINEAR)
    if scale > 1:
        patch = cv2.resize(patch, (cols, rows), interpolation=cv2.INTER_AREA)
    return MouthHint(patch=patch.astype(np.float32), lip_rgb=_lip_rgb(image_rgb, lips), opening=opening)


def with_mouth_hint(reading, image_rgb: np.ndarray | None, lips: np.ndarray | None):
    """``reading`` carrying the driver's mouth inside ``lips`` (``lip_lines``) of ``image_rgb``:
    only while a face is tracked (held, eased and lost readings show no driver face)."""
    if reading.state != "tracking":  # no picture of the mouth to cut
        return reading
    return with_hint(reading, mouth_hint=mouth_hint(image_rgb, lips))


def _across_at(points: np.ndarray, along: np.ndarray, across: np.ndarray, width: float, u: np.ndarray) -> np.ndarray:
    """A lip line's distance across the mouth axis (pixels) at each u along it."""
    t = points @ along / width
    t = np.maximum.accumulate(t)  # a lip line folding back on itself (a twisted mouth) stays a function
    return np.interp(u, t, points @ across).astype(np.float32)


def _lip_rgb(image_rgb: np.ndarray, lips: np.ndarray) -> np.ndarray:
    """Median colour between the outer and inner lip lines (in the lips' box only: cheap)."""
    outer = np.vstack([lips[2], lips[3][::-1]])
    inner = np.vstack([lips[0], lips[1][::-1]])
    h, w = image_rgb.shape[:2]
    x0, y0 = np.maximum(np.floor(outer.min(axis=0)).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(outer.max(axis=0)).astype(int) + 1, (w, h))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return np.full(3, 128.0, np.float32)
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillPoly(mask, [np.round(outer - (x0, y0)).astype(np.int32)], 1)
    cv2.fillPoly(mask, [np.round(inner - (x0, y0)).astype(np.int32)], 0)
    pixels = image_rgb[y0:y1, x0:x1][mask > 0]
    if len(pixels) < 10:
        return np.full(3, 128.0, np.float32)
    return np.median(pixels, axis=0).astype(np.float32)
