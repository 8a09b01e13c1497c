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
- the rims: a lens rim is an edge running around the eye at ~1.3-1.7x the eye's span. For
  ellipses around each eye, the edge strength across the ellipse (radial gradient, a little
  radial slack) is taken per 45-degree sector; the third weakest sector must still be strong,
  so brows (top only) or eye bags (bottom only) do not count. Grace 9.9, bare faces <= 7.9
  (Obama's brows, creases and smile-lifted lids).

Both must hold: neither cue alone has a wide margin, but no bare face comes close on both
(Trump, the nearest on the bridge, reads 5.9 on the rims; Obama, the nearest on the rims, 1.2
on the bridge).

Keeping the frame (``hold_frame``): per side of the face, the band from the brows' lower edge
down to the upper lid no longer follows the brow points one by one; it moves by one
translation along the face's up axis, ``FRAME_SHARE`` of the side's mean brow motion, fading
linearly to nothing at the upper lid (a stretch along one axis keeps a straight rim straight
and a curved one nearly its shape). The brows above keep their own motion and the forehead
still lifts. Sideways motion (a frown's knit) is left out of the band: a frame does not
squeeze toward the nose.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

log = logging.getLogger(__name__)

IOD = 100.0  # eye-centre distance (pixels) of the levelled face that detection works on
_CANVAS = (300, 260)  # levelled crop, width x height; the eye midpoint lands at _ORIGIN
_ORIGIN = np.array([150.0, 110.0])
BLUR_SIGMA = 1.5  # at IOD 100: smooths skin pores and JPEG blocks, keeps a frame's edges
# Bridge: columns within this share of IOD either side of the nose midline, rows from this far
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
RIM_MIN = 7.0  # grey levels per pixel, third weakest sector of the weaker eye

RIGHT_EYE = (33, 133, 160, 159, 158, 144, 145, 153)
LEFT_EYE = (263, 362, 387, 386, 385, 373, 374, 380)
NOSE_BRIDGE = 168  # the frame's bridge rests here (6 and 197 below it drift toward the tip on a turned head)

# Frame holding. Per side: brow points (upper, lower contour), the upper lid's points.
SIDES = (
    ((70, 63, 105, 66, 107), (46, 53, 52, 65, 55), (246, 161, 160, 159, 158, 157, 173)),
    ((300, 293, 334, 296, 336), (276, 283, 282, 295, 285), (466, 388, 387, 386, 385, 384, 398)),
)
FRAME_SHARE = 0.6  # brows and frame band move this share of the brows' mean motion (up/down only)
FRAME_RIGID = 0.5  # ... whole over this upper share of the band, then fading linearly to the lid
FOREHEAD_SHARE = 0.35  # the forehead's lift fades to this share of the brows' at its top (landmark 10)
FOREHEAD_TOP = 10


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
    """A brow AU's (V, 2) pixel displacement with everything above the upper lids moved along
    the face's up axis by an amount that depends on the height alone (see the module docstring);
    ``face_xy`` are the portrait's 468 landmarks, ``up`` the face's up vector in the image."""
    up = np.asarray(up, np.float64) / max(float(np.linalg.norm(up)), 1e-9)
    across = np.array([-up[1], up[0]])
    u, v = face_xy @ across, face_xy @ up  # v grows upward
    sides = []
    for upper, lower, lid in SIDES:
        brows = list(upper) + list(lower)
        lift = float(field[brows].mean(axis=0) @ up) * FRAME_SHARE
        lid_top, band_top, brow_top = float(v[list(lid)].max()), float(v[list(lower)].mean()), float(v[list(upper)].mean())
        sides.append((lift, lid_top, band_top, brow_top, float(u[brows].mean())))
    (lift_r, *_, u_r), (lift_l, *_, u_l) = sides
    # The two sides' lifts meet smoothly over the middle fifth between the brows (the glabella).
    left_share = np.clip((u - u_r) / (u_l - u_r) * 5.0 - 2.0, 0.0, 1.0) if u_l != u_r else np.full(len(u), 0.5)
    lift = (1.0 - left_share) * lift_r + left_share * lift_l
    lid_top, band_top, brow_top = (np.mean([side[i] for side in sides]) for i in (1, 2, 3))
    forehead_top = float(v[FOREHEAD_TOP])
    band_rigid_from = lid_top + (1.0 - FRAME_RIGID) * (band_top - lid_top)
    profile = np.where(v < band_rigid_from, (v - lid_top) / max(band_rigid_from - lid_top, 1e-6), 1.0)
    above_brows = v > brow_top
    profile[above_brows] = 1.0 - (1.0 - FOREHEAD_SHARE) * np.clip(
        (v[above_brows] - brow_top) / max(forehead_top - brow_top, 1e-6), 0.0, 1.0)
    out = field.copy()
    held = np.nonzero(v > lid_top)[0]
    out[held] = (lift[held] * profile[held])[:, None] * up[None, :]
    return out
