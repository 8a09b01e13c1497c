"""The driver's own mouth interior, cut out of a driver frame for an engine to paint with.

Bringing Portraits to Life (Averbuch-Elor et al., 2017) transfers the driver's mouth interior:
real teeth, tongue and shading read as a mouth where a synthesized one reads as paint. A
``MouthHint`` is that interior in a canonical frame -- column u = 0..1 from one inner-lip corner
to the other, row v = 0..1 from the upper inner lip down to the lower inner lip at that column --
so an engine can lay it into any opening, plus the driver's lip colour for matching its colours
to the portrait. It travels beside the AUs (``AUReading.mouth_hint``) as an optional hint: AU
tracks have none, and every engine works without it.

What lies in the driver's opening is not always mouth: fingers over a laughing mouth, a hand held
to it. Columns of the patch lit and coloured as the driver's own skin (``_skin_columns``) are
filled from the mouth beside them, and a mouth mostly covered gives no hint.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..colour import rgb_to_lab
from .lip_contours import LOWER_INNER, LOWER_OUTER, UPPER_INNER, UPPER_OUTER
from .stabilize import with_hint

PATCH_HW = (40, 96)  # rows (v) x columns (u) of the canonical patch
# Lips parted by less than this share of the mouth width are closed: nothing inside to transfer.
CLOSED_OPENING = 0.04
MIN_WIDTH_PX = 12.0  # a mouth narrower than this in the driver frame is too small to sample
# The driver's skin is read beside and above the mouth corners, on the cheeks: (u, v) in the mouth's
# own axes (u corner to corner, v across it, downward; both in mouth widths), a 5 px box's median each.
SKIN_SAMPLES = ((-0.3, -0.5), (-0.15, -0.35), (1.3, -0.5), (1.15, -0.35))
# A column of the opening (its middle rows, v 0.2-0.8) is skin, not mouth, when its Lab colour lies
# within this share of the skin's chroma of the skin's a*b* and it is lighter than the lips by this
# much L*: a finger lit in front of the mouth. A tongue and the lips are redder, the cavity darker
# (pexels_woman_laughing: fingers over her laugh 0.01-0.14 of her cheeks' chroma from them; the
# cheek skin of another part of her face, pasted over her mouth, 0.05-0.17) ...
SKIN_MATCH, SKIN_OVER_LIPS = 0.2, 5.0
# ... and as colourful against the lips as skin is: at least this share of their chroma. Teeth are
# less (her teeth in that sepia grade, as near her cheeks' hue as 0.17 of their chroma: 0.4-0.5 of her
# lips'; a beauty-filtered webcam's pinkish teeth, near her pale cheeks' hue: 0.4; fingers 0.8) ...
SKIN_OVER_TEETH = 0.6
# ... in runs of at least this many columns (a finger across a mouth is ~15 of its 96; single teeth
# in shade near the corners of her laughs passed now and then, 1-3 columns at a time; in 2 of its
# 245 frames with teeth a run of them, redrawn as teeth from beside them) ...
SKIN_RUN = 6
SKIN_EDGE = 3  # ... and the columns beside them go too: a finger's shaded edge and nail
MAX_COVERED = 0.7  # a mouth with more of its columns covered gives no hint (its neighbours would be drawn from too little)


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
    patch, lip_rgb = patch.astype(np.float32), _lip_rgb(image_rgb, lips)
    covered = _skin_columns(patch, lip_rgb, _skin_lab(image_rgb, corner0, along, across, width))
    if covered.mean() > MAX_COVERED:
        return None
    if covered.any():
        patch = _filled_from_beside(patch, covered)
    return MouthHint(patch=patch, lip_rgb=lip_rgb, opening=opening)


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


def _skin_lab(image_rgb: np.ndarray, corner0: np.ndarray, along: np.ndarray, across: np.ndarray,
              width: float) -> np.ndarray | None:
    """The driver's skin colour (Lab) on its cheeks (``SKIN_SAMPLES``); None where none lies in the image."""
    h, w = image_rgb.shape[:2]
    samples = []
    for u, v in SKIN_SAMPLES:
        x, y = np.round(corner0 + width * (u * along + v * across)).astype(int)
        if 2 <= x < w - 2 and 2 <= y < h - 2:
            samples.append(np.median(image_rgb[y - 2:y + 3, x - 2:x + 3].reshape(-1, 3), axis=0))
    if not samples:
        return None
    return rgb_to_lab(np.median(np.array(samples, np.float32), axis=0)[None, None])[0, 0]


def _skin_columns(patch: np.ndarray, lip_rgb: np.ndarray, skin: np.ndarray | None) -> np.ndarray:
    """(columns,) bool: the patch's columns that show the driver's skin (``SKIN_MATCH``,
    ``SKIN_OVER_LIPS``, ``SKIN_OVER_TEETH``, in runs of ``SKIN_RUN``), and ``SKIN_EDGE`` columns
    beside them; none in a grey picture, whose skin and teeth look alike."""
    rows = patch.shape[0]
    covered = np.zeros(patch.shape[1], bool)
    chroma = 0.0 if skin is None else float(np.hypot(skin[1], skin[2]))
    if chroma <= 0.0:
        return covered
    middle = np.median(rgb_to_lab(patch[int(0.2 * rows):int(0.8 * rows)]), axis=0)  # (columns, 3)
    lips = rgb_to_lab(lip_rgb[None, None])[0, 0]
    covered = _runs_of_at_least(
        (np.hypot(middle[:, 1] - skin[1], middle[:, 2] - skin[2]) < SKIN_MATCH * chroma)
        & (middle[:, 0] > lips[0] + SKIN_OVER_LIPS)
        & (np.hypot(middle[:, 1], middle[:, 2]) > SKIN_OVER_TEETH * float(np.hypot(lips[1], lips[2]))), SKIN_RUN)
    if covered.any():
        covered = cv2.dilate(covered.astype(np.uint8)[None], np.ones((1, 2 * SKIN_EDGE + 1), np.uint8))[0] > 0
    return covered


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True in ``flags`` (1-D bool), end exclusive."""
    edges = np.diff(np.r_[0, flags.astype(np.int8), 0])
    return list(zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]))


def _runs_of_at_least(flags: np.ndarray, length: int) -> np.ndarray:
    """``flags`` (1-D bool) kept only in runs of at least ``length`` in a row."""
    kept = np.zeros_like(flags, dtype=bool)
    for start, end in _runs(flags):
        if end - start >= length:
            kept[start:end] = True
    return kept


def _filled_from_beside(patch: np.ndarray, covered: np.ndarray) -> np.ndarray:
    """``patch`` with each run of ``covered`` columns drawn from the mouth beside it, mirrored across
    the run's edge, from whichever side shows more of the mouth (teeth beside a finger continue
    under it; drawn between both sides, a dark corner and teeth smeared into a brown ramp)."""
    out = patch.copy()
    columns = patch.shape[1]
    for start, end in _runs(covered):
        left = start - (np.nonzero(covered[:start])[0].max() + 1 if covered[:start].any() else 0)
        right = (np.nonzero(covered[end:])[0].min() if covered[end:].any() else columns - end)
        if max(left, right) == 0:
            continue
        cols = np.arange(start, end)
        if right >= left:
            out[:, cols] = patch[:, _reflected(2 * end - 1 - cols, end, end + right - 1)]
        else:
            out[:, cols] = patch[:, _reflected(2 * start - 1 - cols, start - left, start - 1)]
    return out


def _reflected(index: np.ndarray, low: int, high: int) -> np.ndarray:
    """``index`` folded back and forth into ``low``..``high`` (inclusive)."""
    span = high - low
    if span == 0:
        return np.full_like(index, low)
    t = np.mod(index - low, 2 * span)
    return low + np.where(t <= span, t, 2 * span - t)


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
