"""Brows up on a face without brows: the socket's shadow rises as one arc (``engines/warp/brow_band.py``).

The Mona Lisa has no brow hair; what MediaPipe calls her brows is the upper edge of the socket's
shadow. A raise painted the stretched band under it with the lit forehead, splitting the shadow
into two dark arcs over her far eye (image left): the lid crease left low, a pale band, the
shadow's upper edge risen with the brow (a reviewer: "a doubled dark arc").

Judged on the rendered portrait against the source, per image column across the eye (between
MediaPipe's upper-lid line and just above its brow's upper contour, both found afresh on each
image): the number of dark dips in the grey profile going up, counting a dip only where the
profile climbs at least ``PROMINENCE`` grey levels out of it on both sides before any deeper dip.
Measured, columns with two dips at AU01/AU02 +2 / +2.5 / +3 / +4: the band painted lit 8 / 8 / 8 /
9, now 0 / 0 / 0 / 0 (source 0). (Climbs were first taken to the profile's highest point on each
side, so a ripple of a grey level or two on the slope into the crease counted as a second arc:
the forehead's cracks laid over the far socket's shade read 2-5 of 10 columns there.)

That count missed what reviewers still called "a doubled arc ... like goggles": over the far eye
a pale lobe of stretched lid skin under a dark crest (one dip per column, but a tall one), over
the near eye a lighter oval inside the risen shadow. Both are judged below against the source.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_and_track, shared_face
from face_regions import FAR_BROW, FAR_LID, far_eye_columns, far_lid_lit_heights

COLUMNS = 10
SPAN = (0.1, 0.9)  # of the eye's width, from the outer corner
PROMINENCE = 6.0  # grey levels
# The profile ends this share of the lid-to-brow height above the brow's upper contour: far enough
# to hold the shadow's risen edge, short of the forehead folds a raise draws above the brows.
ABOVE = 0.25


def raised_mona(amount: float, config, engine, image_tracker):
    """The Mona Lisa, her render with both brows raised by ``amount`` (AU01 = AU02), and MediaPipe's
    fresh track of it."""
    portrait = shared_face("mona_lisa.jpg", config, image_tracker)
    out, track = render_and_track(engine, portrait, image_tracker, AU01=amount, AU02=amount)
    return portrait, out, track


def grew(portrait, track, upper: int, lower: int) -> float:
    """How many times the distance between two landmarks grew from the portrait to the render."""
    lm, rest = track.landmarks[:, :2], portrait.track.landmarks[:, :2]
    return float(np.linalg.norm(lm[upper] - lm[lower]) / np.linalg.norm(rest[upper] - rest[lower]))


def _climb(side: np.ndarray, floor: float) -> float:
    """How far the profile climbs above ``floor`` along ``side`` (going away from a dip) before it
    falls below the dip into a deeper one."""
    deeper = np.flatnonzero(side < floor)
    return float(side[:deeper[0] if len(deeper) else len(side)].max(initial=floor)) - floor


def _dips(profile: np.ndarray) -> int:
    """Dark dips in a (lightly smoothed) grey profile, each with PROMINENCE on both sides: the
    profile climbs that far out of it before any deeper dip (a ripple on the slope down into the
    crease is not a second arc)."""
    smooth = np.convolve(profile, np.ones(3) / 3, mode="valid")
    count = 0
    for i in range(1, len(smooth) - 1):
        if smooth[i] <= smooth[i - 1] and smooth[i] < smooth[i + 1]:
            if min(_climb(smooth[:i][::-1], smooth[i]), _climb(smooth[i + 1:], smooth[i])) >= PROMINENCE:
                count += 1
    return count


def doubled_columns(image: np.ndarray, landmarks) -> int:
    """How many of the COLUMNS across the far eye show two or more dark dips above the lid."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    xy = np.asarray(landmarks)[:, :2].astype(np.float64)
    lid, brow = xy[list(FAR_LID)], xy[list(FAR_BROW)]
    x0, x1 = lid[0, 0], lid[-1, 0]
    xs = x0 + np.linspace(*SPAN, COLUMNS) * (x1 - x0)
    lid_y = np.interp(xs, lid[:, 0], lid[:, 1])
    order = np.argsort(brow[:, 0])
    brow_y = np.interp(xs, brow[order, 0], brow[order, 1])
    doubled = 0
    for x, low, high in zip(xs, lid_y, brow_y):
        top = int(round(high - ABOVE * (low - high)))
        column = int(round(x))
        profile = gray[top:int(round(low)) - 1, column - 1:column + 2].mean(axis=1)[::-1]  # upward from the lid
        doubled += _dips(profile) >= 2
    return doubled


@pytest.mark.parametrize("amount", [2.0, 3.0])
def test_a_raise_keeps_one_dark_arc_over_the_far_eye(amount, config, engine, image_tracker):
    portrait, out, track = raised_mona(amount, config, engine, image_tracker)
    source = doubled_columns(portrait.image, portrait.track.landmarks)
    # The far brow rose (a raise drawing nothing would pass the count too).
    assert grew(portrait, track, 105, 159) > 1.1
    doubled = doubled_columns(out, track.landmarks)
    assert doubled <= max(source, 1), (
        f"{doubled} of {COLUMNS} columns over the far eye show two dark arcs (source {source}): a doubled crease")


@pytest.mark.parametrize("name, has_brows", [
    ("mona_lisa.jpg", False),
    ("obama_official_2012.jpg", True),
    ("trump_official_2017.png", True),  # pale brows, told by their hair
    ("london_092_beard.jpg", True),
    ("london_042_grayscale.png", True),  # dark brows on a smooth, low-detail photo
    ("lisa3_head_turned.jpg", True),
    ("astronaut_small_face.png", True),
])
def test_brows_are_told_from_a_browless_face(name, has_brows, config, image_tracker):
    """Which portraits show brows is a viewer's call, made on the source images."""
    from livemorph.engines.warp.brow_band import brows_visible

    portrait = shared_face(name, config, image_tracker)
    seen = brows_visible(portrait.image, portrait.track.landmarks)
    assert (seen > 0.5) == has_brows, f"{name}: brows seen {seen:.2f}"


def lit_lid_and_span(image: np.ndarray, landmarks) -> tuple[float, float]:
    """Over the middle of the far eye (0.15-0.65 from its outer corner), medians per column: the
    lit lid skin's height above MediaPipe's lid line (from the brightest row in the lower half of
    the way up, to where the light falls halfway to the darkest row above it), and the lid-to-brow
    distance (its upper contour). Both from the landmarks found on ``image`` itself."""
    heights, spans = far_lid_lit_heights(image, landmarks, (0.15, 0.65))
    return float(np.median(heights)), float(np.median(spans))


# The lit lid may outgrow the lid-to-brow span by this factor (it is the skin that shows more).
LOBE_GROWTH = 1.4


@pytest.mark.parametrize("amount", [2.0, 3.0])
def test_a_raise_does_not_blow_the_far_lid_into_a_pale_lobe(amount, config, engine, image_tracker):
    """Reviewers: "the brow shadow becomes a doubled arc with a dark band around the eye, like
    goggles, the left upper crease bulges". The few pixels of lit lid skin over her far eye were
    stretched ~2.7x at +3 into a pale lobe under the risen shadow, its fold a dark crest over it,
    while the whole lid-to-brow span grew 1.7x. Reference: the source's own lit lid and span.
    Measured, the lit lid's growth over the span's at +2 / +3: before 1.62 / 1.60, now 1.32 / 1.22."""
    portrait, out, track = raised_mona(amount, config, engine, image_tracker)
    lit_rest, span_rest = lit_lid_and_span(portrait.image, portrait.track.landmarks)
    lit, span = lit_lid_and_span(out, track.landmarks)
    assert span > 1.2 * span_rest, "the far brow did not rise"
    growth = (lit / lit_rest) / (span / span_rest)
    assert growth <= LOBE_GROWTH, (
        f"the far eye's lit lid grew {lit / lit_rest:.2f}x while its brow span grew {span / span_rest:.2f}x: a pale lobe")


NEAR_BROW_LOWER = (276, 283, 282, 295, 285)  # the near eye's (image right) brow, lower contour, outer -> inner
NEAR_CREASE = (467, 260, 259, 257, 258, 286, 414)  # its lid crease ring (MediaPipe's eyeUpper1)
SHADE_KEPT = 10.0  # grey levels


def near_band_grey(image: np.ndarray, landmarks) -> float:
    """Median grey between the near eye's brow (lower contour) and its lid crease, as found on ``image``."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    xy = np.asarray(landmarks)[:, :2]
    outline = np.round(np.vstack([xy[list(NEAR_BROW_LOWER)], xy[list(NEAR_CREASE)][::-1]])).astype(np.int32)
    mask = np.zeros(gray.shape, np.uint8)
    cv2.fillPoly(mask, [outline], 1)
    return float(np.median(gray[mask > 0]))


@pytest.mark.parametrize("amount", [2.0, 3.0])
def test_a_raise_keeps_the_near_socket_in_its_shade(amount, config, engine, image_tracker):
    """Reviewers: "a dark band around the eye, like goggles". Over her near (frontal) eye the
    stretched band under the brow was painted lighter than the socket shadow it replaces, a pale
    oval inside the darker core the brow carries up. Reference: the same band on the source (grey
    91). Measured at +2 / +3: before 108 / 110, now 97 / 98."""
    portrait, out, track = raised_mona(amount, config, engine, image_tracker)
    source = near_band_grey(portrait.image, portrait.track.landmarks)
    assert grew(portrait, track, 334, 386) > 1.2, "the near brow did not rise"
    grey = near_band_grey(out, track.landmarks)
    assert abs(grey - source) <= SHADE_KEPT, (
        f"the near eye's socket band is grey {grey:.0f} after a raise, {source:.0f} in the source: a pale oval (goggles)")


def streaks_down_the_far_socket(image: np.ndarray, landmarks, band=(0.35, 0.85), span=(0.15, 0.85),
                                rows: int = 12, sigma: float = 3.0) -> float:
    """How streaked the far socket's shade is: over ``span`` of the far eye (shares of the way from
    its outer corner), the grey sampled down ``band`` of the way from MediaPipe's lid line to its
    brow's upper contour (both found on ``image``), averaged down each column; the spread of that
    profile's detail finer than ``sigma`` px across the columns. A stretch draws each column's few
    source pixels down the band, so the column-to-column contrast survives the average; the
    painting's cracks, lying every way, mostly average out."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    columns, lid_y, brow_y = far_eye_columns(landmarks, span)
    ys = (lid_y - np.linspace(*band, rows)[:, None] * (lid_y - brow_y)).astype(np.float32)
    xs = np.broadcast_to(columns, ys.shape).astype(np.float32)
    profile = cv2.remap(gray, xs, ys, cv2.INTER_LINEAR).mean(axis=0)[None]
    detail = profile - cv2.GaussianBlur(profile, (0, 0), sigmaX=sigma, sigmaY=0.01)
    return float(np.std(detail[0, 3:-3]))


@pytest.mark.parametrize("amount", [3.0, 4.0])
def test_a_raise_draws_no_streaks_down_the_far_socket(amount, config, engine, image_tracker):
    """Reviewers, brows up: "dark, doubled brow arcs ... the forehead texture is smeared" over her
    far eye. Unpainted there (a brow raise's skin paint split her socket's shadow), the band under the
    brow was stretched 3-4x, each column's pixels drawn into a vertical streak. Reference: the source's
    own socket, measured the same way (its cracks and sfumato). Measured at +3 / +4: before 2.24 /
    2.56, now 1.49 / 1.68 (source 2.06)."""
    portrait, out, track = raised_mona(amount, config, engine, image_tracker)
    source = streaks_down_the_far_socket(portrait.image, portrait.track.landmarks)
    assert grew(portrait, track, 105, 159) > 1.2, "the far brow did not rise"
    streaked = streaks_down_the_far_socket(out, track.landmarks)
    assert streaked <= source, (
        f"the far socket's shade varies {streaked:.2f} grey column to column after a raise, {source:.2f} in the "
        f"source: streaks drawn down it")
