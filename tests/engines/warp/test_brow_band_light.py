"""Raised brows uncover skin in the forehead's light: no dark patch, no ring (``engines/warp/brow_band.py``).

A reviewer (review 16) saw, on the astronaut at AU01/AU02 +2..+3, "a grey-brown smudge ...
between the right brow and eye, like a bruise": the stretched band between brow and lid crease
was painted with the colour of the forehead strip above the brow, and there her fringe covers
most of that strip. Real raised brows stretch the lit skin between brow and lid smooth: no part
of it turns darker than it was.

Judged on the rendered portrait: the middle of each band (25-75 % of the way from the brow's
lower contour down to the upper-lid crease ring, over the columns both span), found by
MediaPipe afresh on the output, against the same band of the source portrait found on the
source. Its median L* (the band's light) and its 10th percentile (a dark patch) may be at most
DARKER_BY below the source's.

Measured (median / 10th percentile L*, source -> render). Before the fix the astronaut failed on
both sides: image right 75.3 / 61.3 -> 51.0 / 34.9 (the bruise), image left 84.7 / 72.5 ->
76.1 / 72.5. With it: 78.6 / 76.1 and 81.4 / 77.5. london_092 (hair in the forehead strip too)
and Obama (none) pass either way: their bands turn 11-36 L* lighter, bare skin for brow hair.
Raised to the scale's top (+5: a strong driver, or ``warp.strength`` above 1) her brows reach the
fringe, the strip above them is mostly hair and its own lit grey is hair's: the bruise came back,
image right 75.3 -> 56.1 (median). Judged against the band's own lit skin too: 72.2 (image left
84.7 -> 81.4).

Nor does a face without brows get a pale oval ringed by dark: on the Mona Lisa's frontal
(image-right) eye, "a pale oval with a dark ring around it, which reads as 'eyes wider'" (review
16). Her "brow" is the socket's sfumato shadow; stretched by a raise its soft edge should stretch
too, never sharpen. Judged per column from the brow's upper contour down to the crease ring
(MediaPipe on each image): the steepest rise of L* (blurred at 1 px) per pixel times the
column's height, the median over the columns. The render's may be at most STEEPER_BY the source's. Measured: source 80;
lit to the brow (before) 103 at +2, 120 at +3; graded from the shadow over 0.8 of the band 64, 73;
over 4 band heights (``SHADOW_GRADE``) 39, 42.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_and_track, shared_face
from face_regions import BROW_TO_CREASE, columns_between

DARKER_BY = 5.0  # L* (0..100)
# The image-right eye's brow, upper contour, and crease ring (outer end -> inner).
RIGHT_BROW_TOP, RIGHT_CREASE = (300, 293, 334, 296, 336), BROW_TO_CREASE[1][1]
STEEPER_BY = 1.1


def band_lightness(image: np.ndarray, landmarks, side: int) -> tuple[float, float]:
    """The median and 10th percentile L* over the middle of one side's brow-to-crease band."""
    lightness = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32) * (100.0 / 255.0)
    values = []
    for x, t, b in columns_between(landmarks, *BROW_TO_CREASE[side]):
        rows = np.arange(int(np.ceil(t + 0.25 * (b - t))), int(np.floor(t + 0.75 * (b - t))) + 1)
        values.append(lightness[rows, x])
    values = np.concatenate(values)
    return float(np.median(values)), float(np.percentile(values, 10))


@pytest.fixture(scope="module", params=[(name, amount) for name in ("astronaut_small_face.png", "london_092_beard.jpg",
                                                                    "obama_official_2012.jpg") for amount in (3, 5)],
                ids=lambda param: f"{param[0]}-{param[1]:+d}")
def raised(request, config, engine, image_tracker):
    """A portrait, and its render at AU01/AU02 +3 or +5 with the face MediaPipe finds on it."""
    name, amount = request.param
    portrait = shared_face(name, config, image_tracker)
    out, track = render_and_track(engine, portrait, image_tracker, AU01=amount, AU02=amount)
    return portrait, out, track


@pytest.mark.parametrize("side", [0, 1], ids=["image-left", "image-right"])
def test_raised_brows_leave_no_dark_patch_over_the_eye(raised, side):
    portrait, out, track = raised
    source = band_lightness(portrait.image, portrait.track.landmarks, side)
    render = band_lightness(out, track.landmarks, side)
    for what, before, after in zip(("median", "10th percentile"), source, render):
        assert after >= before - DARKER_BY, (
            f"the skin between raised brow and eye turned darker: {what} L* {before:.1f} -> {after:.1f}")


def socket_edge_steepness(image: np.ndarray, landmarks) -> float:
    """Median over the image-right eye's columns of the steepest downward rise of L* between the
    brow's upper contour and the crease ring, per pixel, times that column's height (L*)."""
    lightness = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32) * (100.0 / 255.0)
    lightness = cv2.GaussianBlur(lightness, (0, 0), 1.0)
    steepest = []
    for x, t, b in columns_between(landmarks, RIGHT_BROW_TOP, RIGHT_CREASE):
        profile = lightness[int(t):int(np.ceil(b)) + 1, x]
        steepest.append(float(np.diff(profile).max()) * (b - t))
    return float(np.median(steepest))


@pytest.mark.parametrize("amount", [2, 3])
def test_browless_raised_brows_draw_no_ring_round_the_eye(config, engine, image_tracker, amount):
    portrait = shared_face("mona_lisa.jpg", config, image_tracker)
    out, track = render_and_track(engine, portrait, image_tracker, AU01=amount, AU02=amount)
    source = socket_edge_steepness(portrait.image, portrait.track.landmarks)
    render = socket_edge_steepness(out, track.landmarks)
    assert render <= STEEPER_BY * source, (
        f"the socket's shadow over the raised eye ends in an edge {render / source:.2f}x as steep as the portrait's")


# The band under a browless brow stays in the socket's shade: its middle's median L* at most
# PALER_BY above the source's band. The socket's shadow right above the band (the strip MediaPipe
# calls her brow) is ~8 L* lighter than the band on the source; a raise may bring that tone down
# into the band, not lit skin. Measured on the Mona Lisa's frontal (image-right) eye, source 38.8:
# lit-skin paint graded over 0.8 of the band (before) 56.1 / 57.6 / 58.8 at AU01/AU02 +2 / +3 / +4,
# the pale oval a reviewer read as a dark ring round a widened eye (her brows up ranked last of 8,
# three rounds); the socket's shade graded over SHADOW_GRADE 4 band heights (now) 48.2 / 48.6 / 48.8.
PALER_BY = 12.0


@pytest.mark.parametrize("amount", [2, 3, 4])
def test_browless_raised_brows_keep_the_socket_shaded(config, engine, image_tracker, amount):
    portrait = shared_face("mona_lisa.jpg", config, image_tracker)
    out, track = render_and_track(engine, portrait, image_tracker, AU01=amount, AU02=amount)
    lm, rest = track.landmarks[:, :2], portrait.track.landmarks[:, :2]
    # The brow rose over that eye (a raise drawing nothing would keep the shade too).
    assert np.linalg.norm(lm[334] - lm[386]) > 1.1 * np.linalg.norm(rest[334] - rest[386])
    source, _ = band_lightness(portrait.image, portrait.track.landmarks, 1)
    render, _ = band_lightness(out, track.landmarks, 1)
    assert render <= source + PALER_BY, (
        f"the stretched band over the raised eye turned into a pale oval: median L* {source:.1f} -> {render:.1f}")
