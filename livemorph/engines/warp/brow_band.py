"""The skin under strongly raised brows, without streaks (warp engine).

A brow raise stretches the band between the brows' lower edge and the upper-lid crease. Its
source pixels include the brows' lowest hairs (MediaPipe's lower brow contour runs inside bushy
brows), and stretched to twice their height they become vertical streaks hanging from the brows
to the lids, "like curtains" (a reviewer, on Trump and Obama at AU01/AU02 +3..4; on the shared
drivers the band grows at most 1.3-1.6x). MediaPipe needs that much raise to read these brows at
all, so the motion stays; what changes is the look of the stretched band: beyond
``STRETCH_START`` of its rest height it is blended, fully from ``STRETCH_FULL`` on, with the skin
of its own lower part (next to the crease, where no brow hair was), spread along the brow: bare
stretched skin, as on a real raised brow. (Blurring the whole band along the brow removed the
streaks but left a dark smudge of hair colour.)
"""
from __future__ import annotations

import cv2
import numpy as np

from .au_mesh import BROW_LOWER_SIDES, BROW_UPPER_SIDES
from .easing import smoothstep
from .eye_fields import LEFT_EYE_CREASE, RIGHT_EYE_CREASE

# Per side (image left = the subject's right), each outer end -> inner: the brows' lower contour,
# the upper-lid crease ring below it, and the brows' upper contour.
BANDS = tuple(zip(BROW_LOWER_SIDES, (RIGHT_EYE_CREASE[0], LEFT_EYE_CREASE[0]), BROW_UPPER_SIDES))
STRETCH_START, STRETCH_FULL = 1.35, 1.8  # band height over its rest height
BLUR_ALONG = 0.35  # sigma of the blur along the brow, fraction of the band's width (brow length)
FEATHER = 0.2  # mask softness, fraction of the band's stretched height
STRENGTH = 0.9  # the filled band's share at full stretch
SKIN_FROM = 0.45  # the lid skin is taken from this share of the way down the band (to the crease) on
# The forehead skin just above the brows (FOREHEAD_STRIP band heights above their upper contour)
# lightens the fill by this share: a raised brow uncovers lit skin, not the shadow under the ridge.
FOREHEAD_STRIP = (0.25, 0.6)
FOREHEAD_SHARE = 0.5
WORK_ROWS = 12.0  # the fill is computed at this many pixel rows per band height (it is smooth)


def band_stretch(rest_xy: np.ndarray, moved_xy: np.ndarray, brow: tuple[int, ...], crease: tuple[int, ...]) -> float:
    """Height of the band (brow contour's centre to the crease ring's centre) moved over at rest."""
    def height(xy):
        return float(np.linalg.norm(xy[list(brow)].mean(axis=0) - xy[list(crease)].mean(axis=0)))
    return height(moved_xy) / max(height(rest_xy), 1e-6)


def smooth_stretched_bands(frame: np.ndarray, rest_xy: np.ndarray, moved_xy: np.ndarray) -> None:
    """In place: each stretched brow-to-crease band blended with skin (see the module docstring)."""
    h, w = frame.shape[:2]
    for brow, crease, brow_top in BANDS:
        weight = STRENGTH * float(smoothstep(STRETCH_START, STRETCH_FULL, band_stretch(rest_xy, moved_xy, brow, crease)))
        if weight <= 0.0:
            continue
        outline = np.concatenate([moved_xy[list(brow), :2], moved_xy[list(crease)[::-1], :2]])
        length = float(np.linalg.norm(outline[0] - outline[len(brow) - 1]))
        height = float(np.linalg.norm(moved_xy[list(brow), :2].mean(axis=0) - moved_xy[list(crease), :2].mean(axis=0)))
        # Enough around the band for its feathered edge, and above it for the forehead strip.
        pad = int(np.ceil(height * (FOREHEAD_STRIP[1] + 0.7) + 3 * height * FEATHER)) + 2
        x0, y0 = np.floor(outline.min(axis=0)).astype(int) - pad
        x1, y1 = np.ceil(outline.max(axis=0)).astype(int) + pad
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x1 - x0 < 3 or y1 - y0 < 3:
            continue
        # Everything here is smooth: work at ~WORK_ROWS rows per band height, then scale back up.
        scale = min(1.0, WORK_ROWS / max(height, 1.0))
        crop = frame[y0:y1, x0:x1]
        small = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA).astype(np.float32)
        xy = lambda points: (moved_xy[list(points), :2] - [x0, y0]) * scale  # noqa: E731
        sh, sw = small.shape[:2]
        band_height = height * scale
        mask = np.zeros((sh, sw), np.float32)
        cv2.fillPoly(mask, [np.round(np.concatenate([xy(brow), xy(crease)[::-1]]) * 4).astype(np.int32)], 1.0,
                     lineType=cv2.LINE_AA, shift=2)
        mask = cv2.GaussianBlur(mask, (0, 0), max(band_height * FEATHER, 0.5))
        # Lid skin: the band's lower part (next to the crease, away from the brow hairs), spread over
        # the band by a blur normalised by that part's own mask, long along the brow.
        rows = np.arange(sh, dtype=np.float32)[:, None]
        top, bottom = _row_at(xy(brow), sw), _row_at(xy(crease), sw)
        depth = (rows - top[None]) / np.maximum(bottom - top, 1.0)[None]
        skin_mask = mask * smoothstep(SKIN_FROM, SKIN_FROM + 0.3, depth).astype(np.float32)
        sigma = (max(length * scale * BLUR_ALONG, 0.5), max(band_height * 0.5, 0.5))
        weight_sum = cv2.GaussianBlur(skin_mask, (0, 0), sigmaX=sigma[0], sigmaY=sigma[1])
        skin = cv2.GaussianBlur(small * skin_mask[..., None], (0, 0), sigmaX=sigma[0], sigmaY=sigma[1])
        skin = skin / np.maximum(weight_sum, 1e-3)[..., None]
        # Forehead skin right above the band lightens it.
        above = (_row_at(xy(brow_top), sw)[None] - rows) / max(band_height, 1.0)
        strip = ((above > FOREHEAD_STRIP[0]) & (above < FOREHEAD_STRIP[1])).astype(np.float32)
        strip[:, mask.max(axis=0) < 0.05] = 0.0
        if strip.sum() > 0:
            forehead = (small * strip[..., None]).sum(axis=(0, 1)) / strip.sum()
            skin = (1.0 - FOREHEAD_SHARE) * skin + FOREHEAD_SHARE * forehead[None, None, :]
        share = weight * mask * (weight_sum > 1e-3)
        size = (crop.shape[1], crop.shape[0])
        skin = cv2.resize(skin, size, interpolation=cv2.INTER_LINEAR)
        share = cv2.resize(share, size, interpolation=cv2.INTER_LINEAR)[..., None]
        frame[y0:y1, x0:x1] = np.clip(crop * (1.0 - share) + skin * share, 0, 255).astype(np.uint8)


def _row_at(points: np.ndarray, width: int) -> np.ndarray:
    """(width,) the polyline's y at each column (held flat beyond its ends)."""
    order = np.argsort(points[:, 0])
    return np.interp(np.arange(width, dtype=np.float32), points[order, 0], points[order, 1]).astype(np.float32)
