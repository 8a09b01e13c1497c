"""Painted teeth and open mouths that belong to the photo, judged on the rendered pixels.

References are independent of the painter: the SOURCE portrait's own face pixels (inside the
face oval MediaPipe finds on it) for how bright anything in that face may be, its skin around
the mouth for how bright and how grainy teeth in that light are, and the opening's own darkest
tone for how flat its dark part is.

- In a dim photo whose background holds a bright lamp or wall, painted teeth take the face's
  exposure: no brighter than its brightest skin, yet still brighter than the skin around them.
- Painted teeth carry the photo's own noise, its colour noise included.
- A wide-open painted mouth is a bowl (dark throat, lighter walls, tongue), not one flat dark fill.
- Painted teeth differ tooth to tooth at least as much as real ones do (the shared photos' own
  rows: Obama's, Trump's, the astronaut's).
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_and_mesh, render_and_track, shared_face
from face_regions import FACE_OVAL, INNER_LIPS, LOWER_INNER, OUTER_LIPS, UPPER_INNER, fill

PARTED_SMILE = {"AU12": 3.0, "AU06": 1.5, "AU25": 2.0}
WIDE_OPEN = {"AU26": 3.5, "AU25": 3.0}


def _gray(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)


def _skin_around_the_mouth(portrait) -> np.ndarray:
    """Bool mask of the SOURCE's skin around its mouth: a box 0.8 mouth widths to each side, 0.5
    above and 0.6 below the lips' middle, inside the face oval, lips (and a few pixels of their
    soft edge) left out."""
    xy = portrait.track.landmarks[:, :2]
    shape = portrait.image.shape[:2]
    width = float(np.linalg.norm(xy[291] - xy[61]))
    cx, cy = xy[list(OUTER_LIPS)].mean(axis=0)
    box = np.zeros(shape, bool)
    box[int(cy - 0.5 * width):int(cy + 0.6 * width), int(cx - 0.8 * width):int(cx + 0.8 * width)] = True
    lips = cv2.dilate(fill(shape, xy[list(OUTER_LIPS)]), np.ones((5, 5), np.uint8)).astype(bool)
    return box & fill(shape, xy[list(FACE_OVAL)]).astype(bool) & ~lips


@pytest.mark.parametrize("name", ["lisa3_head_turned.jpg", "london_042_grayscale.png"])
def test_painted_teeth_are_no_brighter_than_the_faces_brightest_skin(name, config, engine, image_tracker):
    # Both faces are darker than what is behind them (a lamp-lit wall, a white ground). Teeth
    # lit by the picture's white point glowed like dentures: lisa3's opening peaked at 119 grey
    # levels against her face's 108, london_042's at 153 against 135.
    portrait = shared_face(name, config, image_tracker)
    out, track = render_and_track(engine, portrait, image_tracker, **PARTED_SMILE)
    opening = _gray(out)[fill(out.shape[:2], track.landmarks[list(INNER_LIPS), :2]).astype(bool)]
    assert len(opening) > 200, "the lips did not part"
    face = _gray(portrait.image)[fill(portrait.image.shape[:2],
                                       portrait.track.landmarks[list(FACE_OVAL), :2]).astype(bool)]
    teeth = float(np.percentile(opening, 99))
    brightest_skin = float(np.percentile(face, 99))
    assert teeth <= brightest_skin, f"teeth {teeth:.0f}, face's 99th percentile {brightest_skin:.0f}"
    # ... and they still read as teeth: lighter than nine tenths of the skin around the mouth. Real
    # teeth are lighter still: the shared portraits that show their own have them above the 99th
    # percentile of that skin (Trump 177 against 164, Obama 245 against 192, astronaut 251 against 221).
    around = float(np.percentile(_gray(portrait.image)[_skin_around_the_mouth(portrait)], 90))
    assert teeth > around, f"teeth {teeth:.0f}, the skin around the mouth's 90th percentile {around:.0f}"


def _parted_smile(name, config, engine, image_tracker):
    """The portrait, its render at ``PARTED_SMILE`` and the opening the engine moved the inner
    lips to, less its soft rim (bool mask)."""
    portrait = shared_face(name, config, image_tracker)
    out, moved = render_and_mesh(engine, portrait, **PARTED_SMILE)
    hole = fill(out.shape[:2], moved[list(INNER_LIPS)])
    opening = cv2.erode(hole, np.ones((3, 3), np.uint8)).astype(bool)
    assert opening.sum() > 200, "the lips did not part"
    return portrait, out, opening


def _lower_face_skin(portrait) -> np.ndarray:
    """The portrait's skin below the nose base: the face oval below it, lips (and a rim) left out."""
    xy = portrait.track.landmarks[:, :2]
    shape = portrait.image.shape[:2]
    up = (xy[10] - xy[152]) / np.linalg.norm(xy[10] - xy[152])
    ys, xs = np.mgrid[:shape[0], :shape[1]]
    below_nose = (np.stack([xs, ys], axis=-1) - xy[2]) @ up < 0
    lips = cv2.dilate(fill(shape, xy[list(OUTER_LIPS)]), np.ones((5, 5), np.uint8)).astype(bool)
    return fill(shape, xy[list(FACE_OVAL)]).astype(bool) & below_nose & ~lips


@pytest.mark.parametrize("name", ["grace_hopper_glasses.jpg", "london_092_beard.jpg"])
def test_painted_teeth_are_no_brighter_than_the_skin_of_the_lower_face(name, config, engine, image_tracker):
    # Painted teeth sit in the light around the mouth, in the lips' shadow: their brightest (99th
    # percentile of the opening) within 3 % of the brightest skin of the lower face (its 99th; the
    # region is drawn here, not the painter's own). Reviewers saw them as dentures (Grace Hopper:
    # 209 against 202) and "too bright and clean" (london_092: 174 against 158); now 198 and 159.
    # (lisa3's, 96 against her 106, glowed against her dim face: the test above.) Real teeth can be
    # brighter: the shared portraits that show their own reach 1.08-1.28 times the skin around
    # their mouths under studio light; painted ones stay at the skin's level, never pasted on.
    portrait, out, opening = _parted_smile(name, config, engine, image_tracker)
    teeth = float(np.percentile(_gray(out)[opening], 99))
    skin = float(np.percentile(_gray(portrait.image)[_lower_face_skin(portrait)], 99))
    assert teeth <= 1.03 * skin, f"teeth {teeth:.0f}, the lower face's skin {skin:.0f}"


def _fine_detail(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Robust spread (1.4826 x median absolute deviation) of each Lab channel's detail finer than
    a 1-px Gaussian, over ``mask``: the picture's grain and noise, hardly its edges."""
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    detail = (lab - cv2.GaussianBlur(lab, (0, 0), 1.0))[mask]
    return 1.4826 * np.median(np.abs(detail - np.median(detail, axis=0)), axis=0)


@pytest.mark.parametrize("name", ["lisa3_head_turned.jpg", "london_092_beard.jpg"])
def test_painted_teeth_carry_the_photos_colour_noise(name, config, engine, image_tracker):
    # A reviewer saw lisa3's painted teeth as "too bright and clean" for her dim, grainy phone
    # photo: the teeth (the lit 40 % of the opening, its rim left out) carried the photo's
    # brightness grain but none of its colour noise: a*/b* detail 0.16 and 0.38 against her skin's
    # 0.63 and 0.60 around the mouth (0.44 of it).
    portrait, out, opening = _parted_smile(name, config, engine, image_tracker)
    gray = _gray(out)
    lit = (opening & (gray >= np.percentile(gray[opening], 60))).astype(np.uint8)
    teeth = cv2.erode(lit, np.ones((3, 3), np.uint8)).astype(bool)
    painted = _fine_detail(out, teeth)
    skin = _fine_detail(portrait.image, _skin_around_the_mouth(portrait))
    # Noise is no weaker on teeth than on skin in one photo; some of it is lost to the paint's softness.
    assert painted[0] > 0.7 * skin[0], f"teeth L* detail {painted[0]:.2f}, skin {skin[0]:.2f}"
    assert painted[1:].mean() > 0.7 * skin[1:].mean(), f"teeth a*/b* detail {painted[1:].round(2)}, skin {skin[1:].round(2)}"


@pytest.mark.parametrize("name", ["mona_lisa.jpg", "london_092_beard.jpg"])
def test_a_wide_open_painted_mouth_is_not_one_flat_dark_fill(name, config, engine, image_tracker):
    # The opening's pixels within 6 grey levels of its darkest (2nd percentile): a quarter of
    # the opening before (Mona Lisa 0.26, london_092 0.27), a flat dark "O" cut into the face.
    portrait = shared_face(name, config, image_tracker)
    # MediaPipe reads the lit tongue of this render as lower lip; the opening is where the
    # engine moved the inner lips (the judgement is on the pixels inside it).
    out, moved = render_and_mesh(engine, portrait, **WIDE_OPEN)
    out = _gray(out)
    hole = fill(out.shape, moved[list(INNER_LIPS)])
    opening = out[cv2.erode(hole, np.ones((3, 3), np.uint8)).astype(bool)]  # not the lips' soft rim
    assert len(opening) > 300, "the mouth did not open"
    flat = float(np.mean(opening < np.percentile(opening, 2) + 6.0))
    assert flat < 0.15, f"{flat:.2f} of the opening is one flat darkest tone"
    # Still a mouth: a dark inside, not a pale pocket.
    assert np.percentile(opening, 10) < 0.5 * np.median(_gray(portrait.image)[fill(
        out.shape, portrait.track.landmarks[list(FACE_OVAL), :2]).astype(bool)])


@pytest.mark.parametrize("name", ["mona_lisa.jpg", "grace_hopper_glasses.jpg", "london_042_grayscale.png"])
def test_a_wide_open_painted_mouth_shows_the_tongues_back_against_the_throat(name, config, engine, image_tracker):
    # Down the middle fifth of a wide-open mouth (the mean of its columns, upper to lower inner
    # lip), below the throat's darkest row the tongue's back stands out as a lit ridge: the
    # profile falls again by at least 3 grey levels before the lower teeth and lip (Mona Lisa 4.5,
    # Grace Hopper 10.7, london_042 8.4; 0.0, 0.0 and 0.2 before). Before, it
    # rose steadily from the throat to the lip (the Mona Lisa's and Grace Hopper's "flat"
    # insides: one dark gradient, no tongue to see).
    out, moved = render_and_mesh(engine, shared_face(name, config, image_tracker), **WIDE_OPEN)
    out = _gray(out)
    upper, lower = moved[list(UPPER_INNER), :2], moved[list(LOWER_INNER), :2]
    left, span = upper[0, 0], upper[-1, 0] - upper[0, 0]
    xs = np.arange(int(left + 0.4 * span), int(left + 0.6 * span) + 1)
    tops, bottoms = np.interp(xs, upper[:, 0], upper[:, 1]), np.interp(xs, lower[:, 0], lower[:, 1])
    rows = int(np.min(bottoms - tops))
    assert rows > 15, "the mouth did not open"
    profile = np.mean([out[int(top):int(top) + rows, x] for x, top in zip(xs, tops)], axis=0)
    # From the throat's darkest row to 0.8 of the way down (below that: lower teeth and lip).
    below = profile[int(np.argmin(profile)):int(0.8 * rows)]
    fall = max(float(below[:i + 1].max() - below[i]) for i in range(len(below)))
    assert fall >= 3.0, f"no tongue: below the throat the middle rises steadily {np.round(below).astype(int)}"


def _tooth_to_tooth(image: np.ndarray, xy: np.ndarray) -> float:
    """How much a row of upper teeth varies tooth to tooth: along a line 0.04 mouth widths under
    the upper inner lip, across the middle 60 % of the mouth, the brightest grey in each window
    0.06 mouth widths wide (about a tooth; its face, not the line between two), less a quadratic
    over the row (the corners' shadow), as a share of the mean (std)."""
    gray = _gray(image)
    upper = xy[list(UPPER_INNER), :2]
    width = upper[-1, 0] - upper[0, 0]
    xs = np.arange(upper[0, 0] + 0.2 * width, upper[0, 0] + 0.8 * width)
    ys = np.interp(xs, upper[:, 0], upper[:, 1]) + 0.04 * width
    profile = np.mean([cv2.remap(gray, xs[None].astype(np.float32), (ys + dy)[None].astype(np.float32),
                                 cv2.INTER_LINEAR)[0] for dy in (-1, 0, 1)], axis=0)
    window = max(int(0.06 * width), 2)
    starts = range(0, len(profile) - window + 1, window)
    u = np.array([xs[i:i + window].mean() for i in starts])
    light = np.array([profile[i:i + window].max() for i in starts])
    trend = np.polyval(np.polyfit(u, light, 2), u)
    return float(np.std(light - trend) / np.mean(light))


@pytest.fixture(scope="module")
def real_rows(config, image_tracker) -> float:
    """The evenest of the shared photos' own rows of teeth (Obama 0.019, Trump 0.039, the
    astronaut 0.056)."""
    names = ("obama_official_2012.jpg", "trump_official_2017.png", "astronaut_small_face.png")
    return min(_tooth_to_tooth(p.image, p.track.landmarks)
               for p in (shared_face(name, config, image_tracker) for name in names))


@pytest.mark.parametrize("name", ["grace_hopper_glasses.jpg", "lisa3_head_turned.jpg", "london_092_beard.jpg"])
def test_painted_teeth_differ_tooth_to_tooth_as_real_ones_do(name, config, engine, image_tracker, real_rows):
    # A reviewer saw "teeth as uniform bars" (Grace Hopper's dentures, lisa3's glowing bar): the
    # painted rows varied 0.018, 0.017 and 0.017 tooth to tooth, less than the evenest real row.
    out, moved = render_and_mesh(engine, shared_face(name, config, image_tracker), **WIDE_OPEN)
    painted = _tooth_to_tooth(out, moved)
    assert painted >= real_rows, f"painted teeth vary {painted:.3f} tooth to tooth, real ones at least {real_rows:.3f}"
