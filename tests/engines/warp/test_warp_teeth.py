"""Painted teeth and open mouths that belong to the photo, judged on the rendered pixels.

References are independent of the painter: the SOURCE portrait's own face pixels (inside the
face oval MediaPipe finds on it) for how bright anything in that face may be, and the
opening's own darkest tone for how flat its dark part is.

- In a dim photo whose background holds a bright lamp or wall, painted teeth take the face's
  exposure: no brighter than its brightest skin, yet still brighter than its skin.
- A wide-open painted mouth is a bowl (dark throat, lighter walls, tongue), not one flat dark fill.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_and_track, shared_face
from livemorph.aus import AU

FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
             152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)
UPPER_INNER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LOWER_INNER = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)
INNER_LIPS = UPPER_INNER + LOWER_INNER[-2:0:-1]
PARTED_SMILE = {"AU12": 3.0, "AU06": 1.5, "AU25": 2.0}


def _gray(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)


def _fill(shape, points) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1)
    return mask


@pytest.mark.parametrize("name", ["lisa3_head_turned.jpg", "london_042_grayscale.png"])
def test_painted_teeth_are_no_brighter_than_the_faces_brightest_skin(name, config, engine, image_tracker):
    # Both faces are darker than what is behind them (a lamp-lit wall, a white ground). Teeth
    # lit by the picture's white point glowed like dentures: lisa3's opening peaked at 119 grey
    # levels against her face's 108, london_042's at 153 against 135.
    portrait = shared_face(name, config, image_tracker)
    out, track = render_and_track(engine, portrait, image_tracker, **PARTED_SMILE)
    opening = _gray(out)[_fill(out.shape[:2], track.landmarks[list(INNER_LIPS), :2]).astype(bool)]
    assert len(opening) > 200, "the lips did not part"
    face = _gray(portrait.image)[_fill(portrait.image.shape[:2],
                                       portrait.track.landmarks[list(FACE_OVAL), :2]).astype(bool)]
    teeth = float(np.percentile(opening, 99))
    brightest_skin = float(np.percentile(face, 99))
    assert teeth <= brightest_skin, f"teeth {teeth:.0f}, face's 99th percentile {brightest_skin:.0f}"
    # ... and they still read as teeth: well above the skin around them.
    assert teeth > 1.3 * float(np.median(face)), f"teeth {teeth:.0f}, face's median {np.median(face):.0f}"


@pytest.mark.parametrize("name", ["mona_lisa.jpg", "london_092_beard.jpg"])
def test_a_wide_open_painted_mouth_is_not_one_flat_dark_fill(name, config, engine, image_tracker):
    # The opening's pixels within 6 grey levels of its darkest (2nd percentile): a quarter of
    # the opening before (Mona Lisa 0.26, london_092 0.27), a flat dark "O" cut into the face.
    portrait = shared_face(name, config, image_tracker)
    prepared = engine.prepare(portrait)
    aus = prepared.resting_aus.copy()
    aus[AU.AU26] += 3.5
    aus[AU.AU25] += 3.0
    # MediaPipe reads the lit tongue of this render as lower lip; the opening is where the
    # engine moved the inner lips (the judgement is on the pixels inside it).
    moved = engine.displaced_vertices(prepared, aus)
    out = _gray(engine.render(prepared, aus))
    hole = _fill(out.shape, moved[list(INNER_LIPS)])
    opening = out[cv2.erode(hole, np.ones((3, 3), np.uint8)).astype(bool)]  # not the lips' soft rim
    assert len(opening) > 300, "the mouth did not open"
    flat = float(np.mean(opening < np.percentile(opening, 2) + 6.0))
    assert flat < 0.15, f"{flat:.2f} of the opening is one flat darkest tone"
    # Still a mouth: a dark inside, not a pale pocket.
    assert np.percentile(opening, 10) < 0.5 * np.median(_gray(portrait.image)[_fill(
        out.shape, portrait.track.landmarks[list(FACE_OVAL), :2]).astype(bool)])
