"""A lowered brow hoods the lid instead of crushing the skin under it (warp engine, frowns).

A frown lowers the brows onto a band of skin (brow's lower edge to the upper lash line) a few
pixels tall on a small face; the piecewise-affine warp squeezes that whole band, so the brow's
own lowest hairs and the lid skin were pressed into thin, hard lines: "brows flattened into
hard, thin horizontal lines that look drawn on, a pale, flat strip between each brow and its
lash line" (a reviewer, astronaut), "both eyes squeezed into thin slits" (Mona Lisa). A real
frown folds that skin under the brow: the brow comes down whole, its fringe of hair over the
lid, and the lid next to the lashes keeps its look; what is gone is hidden in the fold.

``hood_bands`` repaints each squeezed band that way from the portrait, per image column: the upper
``FRINGE_SHARE`` of the band's visible height shows the skin below the brow's lower edge at its
own scale, the rest the skin above the lash line at its own scale (each from where the triangles
carried that edge), cross-faded over a fold ``FOLD_WIDTH`` of the visible height wide; the skin
between them, which no longer fits, is hidden in the fold (sliding one sample across it drew its
crease as a hard dashed line). A warm shadow lies just under the fold (the hood's overhang).
Bands that are not squeezed (brow raises, blinks, rest) are left to the triangles; measured on
the output, Obama's brows kept 0.36 of their thickness at AU04 +2.6 before, 0.82 now.
"""
from __future__ import annotations

import cv2
import numpy as np

from .au_mesh import BROW_LOWER_SIDES
from .creases import WARM_SHADOW_TINT, shadow_tint
from ...easing import smoothstep
from .eye_fields import EYES
from .polyline import values_at, y_at

# Per side (image left = the subject's right): the brow's lower contour and the upper lash line.
HOODS = tuple((brow, tuple(upper for upper, _ in lids)) for brow, (lids, _, _) in zip(BROW_LOWER_SIDES, EYES))
FRINGE_SHARE = 0.6  # share of the visible band that shows the brow's side of it
FOLD_WIDTH = 0.2  # the fold's seam, share of the visible band
# The repainted band replaces the triangles' where it is squeezed below HOOD_START of its height
# at rest, fully from HOOD_FULL on (a mild squeeze stays the triangles' own).
HOOD_START, HOOD_FULL = 0.95, 0.8
END_FADE = 0.3  # ... fading in over this share of the eye's width from each end
SHADOW = 0.18  # darkening right under the fold at full hooding ...
SHADOW_REACH = 0.5  # ... fading out over this share of the visible band below the fold


def hood_bands(frame: np.ndarray, image: np.ndarray, region: tuple[int, int, int, int], rest_xy: np.ndarray,
               moved_xy: np.ndarray) -> None:
    """In place on the warped ``frame``: each squeezed band redrawn from the portrait ``image``."""
    rest = np.asarray(rest_xy, np.float64)[:, :2]
    moved = np.asarray(moved_xy, np.float64)[:, :2]
    for brow, lids in HOODS:
        _hood_one(frame, image, region, rest, moved, brow, lids)


def _hood_one(frame, image, region, rest_xy, xy, brow, lids):
    x0, y0, x1, y1 = region
    top, bottom = xy[list(brow)], xy[list(lids)]
    lo = max(int(np.floor(max(top[:, 0].min(), bottom[:, 0].min()))), x0)
    hi = min(int(np.ceil(min(top[:, 0].max(), bottom[:, 0].max()))) + 1, x1)
    if hi - lo < 2:
        return
    cols = np.arange(lo, hi, dtype=np.float64)
    # Each edge's output row per column, and the source point the triangles carried there.
    upper, src_up = _edge_at(top, rest_xy[list(brow)], cols)
    lower, src_lo = _edge_at(bottom, rest_xy[list(lids)], cols)
    visible = lower - upper
    rest = src_lo[:, 1] - src_up[:, 1]
    weight = np.where((visible > 1.0) & (rest > 1.0),
                      smoothstep(HOOD_START, HOOD_FULL, visible / np.maximum(rest, 1e-6)), 0.0)
    # Fading in from the eye's corners, so the redrawn band has no edge of its own.
    span = (cols - cols[0]) / max(cols[-1] - cols[0], 1.0)
    weight = weight * smoothstep(0.0, END_FADE, span) * smoothstep(0.0, END_FADE, 1.0 - span)
    if float(weight.max()) <= 0.0:
        return
    ra = max(int(np.floor(upper.min())), y0)
    rb = min(int(np.ceil(lower.max())) + 1, y1)
    if rb - ra < 1:
        return
    rows = np.arange(ra, rb, dtype=np.float64)[:, None]
    t = rows - upper[None]  # pixels below the moved brow edge
    # Inside the band, fading over a pixel at its edges (the triangles' own warp meets it there).
    inside = np.clip(t + 0.5, 0.0, 1.0) * np.clip(lower[None] - rows + 0.5, 0.0, 1.0)
    cut = FRINGE_SHARE * visible
    seam = np.maximum(FOLD_WIDTH * visible, 1.0)
    side = smoothstep(cut - 0.5 * seam, cut + 0.5 * seam, t)  # 0 on the brow's side, 1 on the lid's
    # Both sides sampled at their own scale, cross-faded over the fold (sliding the source across
    # the hidden skin there drew its crease as a hard dashed line).
    fringe = _sample(image, src_up[None, :, 0] + 0.0 * t, src_up[None, :, 1] + t)
    lid = _sample(image, src_lo[None, :, 0] + 0.0 * t, src_lo[None, :, 1] - (lower[None] - rows))
    below = (t - cut - 0.5 * seam) / np.maximum(SHADOW_REACH * visible, 1.0)
    shade = SHADOW * smoothstep(cut - 0.5 * seam, cut, t) * (1.0 - smoothstep(0.0, 1.0, below))
    tint = shadow_tint(WARM_SHADOW_TINT, lid.reshape(-1, 3).mean(axis=0))
    hood = ((1.0 - side[..., None]) * fringe + side[..., None] * lid) * (1.0 - shade[..., None] * tint)
    w = (weight[None] * inside)[..., None]
    block = frame[ra:rb, lo:hi].astype(np.float32)
    frame[ra:rb, lo:hi] = np.clip(block * (1.0 - w) + hood * w + 0.5, 0, 255).astype(np.uint8)


def _sample(image: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """(h, w, 3) float32 bilinear samples of ``image`` at the full-res points (xs, ys)."""
    return cv2.remap(image, xs.astype(np.float32), ys.astype(np.float32), interpolation=cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE).astype(np.float32)


def _edge_at(moved: np.ndarray, rest: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The moved polyline's y at ``x`` (held flat beyond its ends), and the source point (n, 2) at
    the same place along the polyline at rest."""
    return y_at(moved, x), values_at(moved[:, 0], rest, x)
