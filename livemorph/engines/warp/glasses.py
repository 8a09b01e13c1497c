"""Glasses on the portrait: found once per portrait, then kept unbent by brow motion.

Why it is needed: the brow AUs move every brow point by its own amount (an inner raise lifts
the inner ends most) and the skin between brows and eyes follows the nearest brow point. On a
bare face that is the expression; on a face wearing glasses whose top rims sit in that band
(grace_hopper_glasses.jpg) it bent the frame's rims into arches.

Detection (``detect_glasses``) is deliberately cheap and model-free: two cues, both measured
in the face's own frame (eye centres levelled and scaled to ``IOD`` pixels, so thresholds are
in grey levels per pixel whatever the photo's size or roll):

- the bridge: bare skin between the eyes shades smoothly, while a frame's bridge is a
  horizontal edge crossing the whole width of the nose at one height. Measured as the
  strongest row where every column's vertical gradient has the same sign (its smallest
  magnitude), over the nose at landmark 168 where a frame's bridge rests. On the shared
  portraits: Grace 5.9, bare faces <= 2.6 (Trump's crease at the root of the nose).
- the rims: a lens rim is an edge running around the eye at ~1.5-2x the eye's span. For
  ellipses around each eye, the edge strength across the ellipse (radial gradient, a little
  radial slack) is taken per 45-degree sector; the third weakest sector must still be strong,
  so brows (top only) or eye bags (bottom only) do not count. Grace 9.9, bare faces <= 7.9
  (Obama's brows, creases and smile-lifted lids).

Both must hold (bridge >= ``BRIDGE_MIN``, rims >= ``RIM_MIN``): the rims alone do not separate
(Obama 7.9), but no bare face comes close on both (Trump, the nearest on the bridge, reads 5.9
on the rims; Obama 1.2 on the bridge); nor do 289 frames of the four shared driving videos
(at most 3.1 / 5.8, never both; frowns crease the root of the nose). Dark rims and a bridge
drawn onto any of the seven bare portraits are found (>= 4.6 / 6.4: lisa3's dark, dim face).
Thresholds are absolute grey levels: a face levelled to a common brightness found the drawn
frame on lisa3 more surely, but brought a frowning driver frame within 10 % of both thresholds.

Keeping the frame (``hold_frame``): a frame is one rigid thing that the brows push up or let
down over the face. For the brow AUs, every face point at or below the brows' lower contour (the
frame's top rim sits on or under it; lenses and bridge lie below) moves by one translation
along the face's up axis, ``FRAME_SHARE`` of the brows' mean motion, except that the eyes behind
the lenses stay (the translation fades in over ``EYE_MARGIN`` of the eye's width around each
eye: the lid skin stretches or folds there) and the cheeks and nose below the lenses fade it
out. The brows' upper contour and the forehead keep the brows' own motion, so the brows still
rise (and arch) above the frame and the forehead lifts. Tried and rejected: a band fading to
nothing at the upper lids' height (the rims' inner ends dip to that height and bent), a frame
held still (the brow hair above the rim stretched into dark spikes), and the eyes moving with
the frame (the whole eye slid up in a raise). Blinks are drawn by their own fields, unchanged.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from .au_mesh import BROW_LOWER_POINTS, BROW_POINTS
from .easing import smoothstep
from .eye_fields import LEFT_EYE_CORNERS, LEFT_EYE_LIDS, RIGHT_EYE_CORNERS, RIGHT_EYE_LIDS

log = logging.getLogger(__name__)

IOD = 100.0  # eye-centre distance (pixels) of the levelled face that detection works on
_CANVAS = (300, 260)  # levelled crop, width x height; the eye midpoint lands at _ORIGIN
_ORIGIN = np.array([150.0, 110.0])
BLUR_SIGMA = 1.5  # at IOD 100: smooths skin pores and JPEG blocks, keeps a frame's edges
# Bridge: columns within this share of IOD either side of landmark 168, rows from this far
# above the eye line to this far below it.
BRIDGE_HALF_WIDTH = 0.10
BRIDGE_ROWS = (-0.30, 0.12)
BRIDGE_MIN = 3.5  # grey levels per pixel
# Rims: ellipse half-axes tried around each eye, shares of IOD (the eye's own span is ~0.4).
RIM_HALF_WIDTHS = (0.30, 0.34, 0.38, 0.42)
RIM_HALF_HEIGHTS = (0.20, 0.24, 0.28)
RIM_SLACK = 0.12  # radial tolerance, share of the ellipse's radius (rims are not true ellipses)
RIM_ANGLES = 48
RIM_SECTORS = 8
RIM_MIN = 6.0  # grey levels per pixel, third weakest sector of the weaker eye

RIGHT_EYE = (33, 133, 160, 159, 158, 144, 145, 153)
LEFT_EYE = (263, 362, 387, 386, 385, 373, 374, 380)
NOSE_BRIDGE = 168  # the frame's bridge rests here (6 and 197 below it drift toward the tip on a turned head)

FRAME_SHARE = 0.5  # the glasses move this share of the brows' mean motion, along the face's up axis only
# ... whole down to this far below the eye line (x the eye-centre distance: below the lenses), and
# fading linearly to nothing this far below it (the cheeks and nose under the frame take the stretch).
FRAME_DEPTH = 0.45
FADE_DEPTH = 0.9
EYE_MARGIN = 0.35  # the eyes stay; the frame moves fully from this far outside them (x the eye's width)


@dataclass(frozen=True)
class GlassesEvidence:
    found: bool
    bridge: float  # grey levels per pixel: the weakest column of the strongest row across the nose
    rims: float  # grey levels per pixel: third weakest sector around the weaker eye


def detect_glasses(image: np.ndarray, landmarks: np.ndarray) -> GlassesEvidence:
    """Whether the face wears glasses, from the RGB portrait and its 478 MediaPipe landmarks."""
    gray, points = _levelled(image, np.asarray(landmarks, np.float64)[:, :2])
    gray = cv2.GaussianBlur(gray, (0, 0), BLUR_SIGMA)
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    bridge = _bridge_strength(gy, points)
    rims = min(_rim_strength(gx, gy, points[list(eye)].mean(axis=0)) for eye in (RIGHT_EYE, LEFT_EYE))
    found = bridge >= BRIDGE_MIN and rims >= RIM_MIN
    log.debug("glasses: bridge %.1f (>= %.1f), rims %.1f (>= %.1f) -> %s", bridge, BRIDGE_MIN, rims, RIM_MIN, found)
    return GlassesEvidence(found, bridge, rims)


def _levelled(image: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grey float32 crop with the eyes level and ``IOD`` apart, and the landmarks in it."""
    right, left = xy[list(RIGHT_EYE)].mean(axis=0), xy[list(LEFT_EYE)].mean(axis=0)
    d = left - right
    scale = IOD / max(float(np.hypot(*d)), 1e-6)
    centre = 0.5 * (right + left)
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), float(np.degrees(np.arctan2(d[1], d[0]))), scale)
    matrix[:, 2] += _ORIGIN - centre
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    crop = cv2.warpAffine(gray, matrix, _CANVAS, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    return crop.astype(np.float32), np.c_[xy, np.ones(len(xy))] @ matrix.T


def _bridge_strength(gy: np.ndarray, points: np.ndarray) -> float:
    cx = float(points[NOSE_BRIDGE, 0])
    half = BRIDGE_HALF_WIDTH * IOD
    cols = np.arange(int(round(cx - half)), int(round(cx + half)) + 1)
    rows = np.arange(int(round(_ORIGIN[1] + BRIDGE_ROWS[0] * IOD)), int(round(_ORIGIN[1] + BRIDGE_ROWS[1] * IOD)) + 1)
    band = gy[np.ix_(rows, cols)]
    same_sign = (np.sign(band) == np.sign(band.mean(axis=1, keepdims=True))).all(axis=1)
    return float((np.abs(band).min(axis=1) * same_sign).max())


def _rim_strength(gx: np.ndarray, gy: np.ndarray, centre: np.ndarray) -> float:
    theta = np.linspace(0.0, 2 * np.pi, RIM_ANGLES, endpoint=False)
    h, w = gx.shape
    best = 0.0
    for a in RIM_HALF_WIDTHS:
        for b in RIM_HALF_HEIGHTS:
            a_px, b_px = a * IOD, b * IOD
            normal = np.stack([b_px * np.cos(theta), a_px * np.sin(theta)])
            normal /= np.linalg.norm(normal, axis=0)
            edge = np.zeros(RIM_ANGLES)
            for k in np.linspace(1.0 - RIM_SLACK, 1.0 + RIM_SLACK, 5):
                x = np.clip(np.round(centre[0] + k * a_px * np.cos(theta)).astype(int), 0, w - 1)
                y = np.clip(np.round(centre[1] + k * b_px * np.sin(theta)).astype(int), 0, h - 1)
                edge = np.maximum(edge, np.abs(gx[y, x] * normal[0] + gy[y, x] * normal[1]))
            sectors = np.sort(np.median(edge.reshape(RIM_SECTORS, -1), axis=1))
            best = max(best, float(sectors[2]))
    return best


def hold_frame(field: np.ndarray, face_xy: np.ndarray, up: np.ndarray) -> np.ndarray:
    """A brow AU's (V, 2) pixel displacement with the glasses moved as one piece (see the module
    docstring); ``face_xy`` are the portrait's 468 landmarks, ``up`` the face's up vector."""
    up = np.asarray(up, np.float64) / max(float(np.linalg.norm(up)), 1e-9)
    across = np.array([-up[1], up[0]])
    u, v = face_xy @ across, face_xy @ up  # v grows upward
    brows = list(BROW_POINTS) + list(BROW_LOWER_POINTS)
    lift = FRAME_SHARE * float(field[brows].mean(axis=0) @ up)
    # The lower contour of both brows, as one line across the face (flat beyond its ends).
    lower = np.array(BROW_LOWER_POINTS)
    lower = lower[np.argsort(u[lower])]
    contour = np.interp(u, u[lower], v[lower])
    eyes = list(RIGHT_EYE[:2] + LEFT_EYE[:2])
    eye_line = float(v[eyes].mean())
    span = float(np.linalg.norm(face_xy[list(RIGHT_EYE)].mean(axis=0) - face_xy[list(LEFT_EYE)].mean(axis=0)))
    whole, gone = eye_line - FRAME_DEPTH * span, eye_line - FADE_DEPTH * span
    share = np.clip((v - gone) / (whole - gone), 0.0, 1.0) * _away_from_the_eyes(face_xy)
    held = np.nonzero(v <= contour + 1e-3)[0]
    out = field.copy()
    out[held] = (lift * share[held])[:, None] * up[None, :]
    return out


def _away_from_the_eyes(face_xy: np.ndarray) -> np.ndarray:
    """(468,) 0 on the eyes' lid contours, rising smoothly to 1 at ``EYE_MARGIN`` of the eye's
    width outside them: the frame slides over the face, the eyes behind the lenses stay."""
    weight = np.ones(len(face_xy))
    for lids, corners in ((RIGHT_EYE_LIDS, RIGHT_EYE_CORNERS), (LEFT_EYE_LIDS, LEFT_EYE_CORNERS)):
        outline = cv2.convexHull(face_xy[[p for pair in lids for p in pair] + list(corners)].astype(np.float32))
        width = float(np.linalg.norm(face_xy[corners[0]] - face_xy[corners[1]]))
        outside = np.array([max(0.0, -cv2.pointPolygonTest(outline, (float(x), float(y)), True)) for x, y in face_xy])
        weight = np.minimum(weight, smoothstep(0.0, EYE_MARGIN * width, outside))
    return weight
