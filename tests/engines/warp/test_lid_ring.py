"""A shut lid has no outline: no dark ring between it and the brow (``engines/warp/lids.py``).

Reviewers saw the Mona Lisa's shut lids as raised "pillows" (a lit oval with a dark outline all
round it) and lisa3's as "stickers": the open eye's crease and socket shadow, which the warp
leaves around the shut lid, and a lid lit by the lighter skin below the eye, lighter than the
skin above it. A real shut lid's top edge does not show: it is the skin above it, carried down.

Judged on the rendered portrait, along the middle third of each eye (9 columns averaged), from
where the shut lid lies (halfway between the open eye's lid margins) up to the brow's lower
contour, from the portrait's own MediaPipe landmarks: the deepest dip, i.e. how far the profile
falls below the lower of the brightest points below and above it (a ring is darker than both
the lid and the skin above it). The reference is the source's own skin around the open eye:
its fine detail's robust spread (luminance minus its Gaussian blur, sigma 1.5 px); a ring
deeper than RING_GRAINS of that reads as an outline.

At AU45 +4, per eye, in grains: before the lid took the light of the skin above it and the
dips above it were filled, Mona Lisa 4.2 and 0.8 (30.5 and 6.2 grey levels), lisa3 3.6 and 6.7,
Trump 4.7 and 2.5; now 1.9 and 0.9, 2.0 and 2.8, 2.5 and 0.8. On the open Mona Lisa her crease
shadow measures 5.7 (the control below).
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_change, shared_face
from face_regions import polygon

# Per eye (MediaPipe): corners (outer, inner), upper and lower lid middle, the brow's lower contour's middle.
EYE_TO_BROW = (((33, 133), (159, 145), (52, 65, 53)), ((263, 362), (386, 374), (282, 295, 283)))
# MediaPipe eye contours, outer -> inner corner (upper lid, lower lid), per eye: the skin around the open eye.
EYES = (((246, 161, 160, 159, 158, 157, 173), (7, 163, 144, 145, 153, 154, 155)),
        ((466, 388, 387, 386, 385, 384, 398), (249, 390, 373, 374, 380, 381, 382)))
RING_GRAINS = 4.0


def _dip_along(gray: np.ndarray, start, span, across) -> float:
    """The deepest dip (grey levels below the lower of the brightest points on either side) in the
    profile from ``start`` over ``span``, averaged over a strip a third of ``across`` wide."""
    ts = np.linspace(0.0, 1.0, 41)
    points = start + ts[:, None, None] * span + np.linspace(-1 / 6, 1 / 6, 9)[None, :, None] * across
    profile = cv2.remap(gray, points[..., 0].astype(np.float32), points[..., 1].astype(np.float32),
                        cv2.INTER_LINEAR).mean(axis=1)
    return max(min(profile[:j].max(), profile[j + 1:].max()) - profile[j] for j in range(1, len(ts) - 1))


def _deepest_dip(image: np.ndarray, landmarks) -> list[float]:
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    lm = np.asarray(landmarks, np.float64)[:, :2]
    depths = []
    for (outer, inner), (upper, lower), brow in EYE_TO_BROW:
        start = 0.5 * (lm[upper] + lm[lower])
        depths.append(_dip_along(gray, start, lm[list(brow)].mean(axis=0) - start, lm[inner] - lm[outer]))
    return depths


def _skin_grain(image: np.ndarray, landmarks) -> float:
    """Robust spread of the fine detail of the skin around both open eyes (0.06-0.3 eye widths
    above the upper and below the lower lid margin)."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    detail = gray - cv2.GaussianBlur(gray, (0, 0), 1.5)
    lm = np.asarray(landmarks, np.float64)[:, :2]
    skin = np.zeros(gray.shape, bool)
    for upper, lower in EYES:
        up, low = lm[list(upper)], lm[list(lower)]
        width = float(np.linalg.norm(up[0] - up[-1]))
        down = (low.mean(axis=0) - up.mean(axis=0))
        down /= np.linalg.norm(down)
        skin |= polygon(gray.shape, np.vstack([up - 0.06 * width * down, (up - 0.3 * width * down)[::-1]]))
        skin |= polygon(gray.shape, np.vstack([low + 0.06 * width * down, (low + 0.3 * width * down)[::-1]]))
    values = detail[skin]
    return float(1.4826 * np.median(np.abs(values - np.median(values))))


@pytest.mark.parametrize("name", ["mona_lisa.jpg", "lisa3_head_turned.jpg", "trump_official_2017.png"])
def test_a_shut_lid_has_no_dark_ring_round_it(name, config, engine, image_tracker):
    portrait = shared_face(name, config, image_tracker)
    shut = render_change(engine, portrait, AU45=4.0)
    grain = _skin_grain(portrait.image, portrait.track.landmarks)
    for depth in _deepest_dip(shut, portrait.track.landmarks):
        assert depth < RING_GRAINS * grain, (f"a band {depth:.1f} grey levels darker than the lid and the skin "
                                             f"above it ({depth / grain:.1f} of the skin's grain {grain:.1f}): "
                                             "an outline")


def test_the_measure_sees_the_crease_over_an_open_eye(config, engine, image_tracker):
    """On the open Mona Lisa the same measure finds her crease's shadow between the lit upper lid
    and the brow: a pass above is not a measure that cannot fail."""
    portrait = shared_face("mona_lisa.jpg", config, image_tracker)
    grain = _skin_grain(portrait.image, portrait.track.landmarks)
    assert max(_deepest_dip(portrait.image, portrait.track.landmarks)) > RING_GRAINS * grain


# A browless face (the Mona Lisa: what MediaPipe outlines as her brows is the socket's sfumato
# shadow) has no hair above the lid to stop at: a shut lid's skin runs up into that shadow with no
# darker band between (review 19: "a smooth oval disc with a dark ring around it"). Judged straight
# up from the middle of the open eye (perpendicular to its corners' axis, the middle third averaged)
# for one eye width, past where the shadow lies; in grey levels against the same skin grain as above.
# AU45 +4, per eye: 28.9 and 31.5 while the painter left her "brows" out of the dips it fills
# between lid and brow, 13.2 and 14.1 now (the open eye's crease and socket: 62.7 and 55.1).
BAND_GRAINS = 3.0


def _deepest_dip_straight_up(image: np.ndarray, landmarks) -> list[float]:
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    lm = np.asarray(landmarks, np.float64)[:, :2]
    depths = []
    for (outer, inner), (upper, lower), _ in EYE_TO_BROW:
        width = float(np.linalg.norm(lm[inner] - lm[outer]))
        axis = (lm[inner] - lm[outer]) / width
        up = np.array([axis[1], -axis[0]]) if axis[0] >= 0 else np.array([-axis[1], axis[0]])  # image y grows down
        depths.append(_dip_along(gray, 0.5 * (lm[upper] + lm[lower]), width * up, lm[inner] - lm[outer]))
    return depths


def test_a_browless_faces_shut_lid_runs_into_its_socket_shadow(config, engine, image_tracker):
    portrait = shared_face("mona_lisa.jpg", config, image_tracker)
    shut = render_change(engine, portrait, AU45=4.0)
    grain = _skin_grain(portrait.image, portrait.track.landmarks)
    for depth in _deepest_dip_straight_up(shut, portrait.track.landmarks):
        assert depth < BAND_GRAINS * grain, (f"a band {depth:.1f} grey levels darker than the shut lid and the "
                                             f"socket above it ({depth / grain:.1f} of the skin's grain): goggles")


def test_the_straight_up_measure_sees_the_open_eyes_crease(config, engine, image_tracker):
    """The open Mona Lisa's crease and socket shadow measure far beyond the bound: a pass above is
    not a measure that cannot fail."""
    portrait = shared_face("mona_lisa.jpg", config, image_tracker)
    grain = _skin_grain(portrait.image, portrait.track.landmarks)
    assert min(_deepest_dip_straight_up(portrait.image, portrait.track.landmarks)) > BAND_GRAINS * grain
