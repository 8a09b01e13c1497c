"""A brow raise lifts each brow as the portrait's own brow: its arch, its thickness and its hair.

The reference is the portrait's own brow (MediaPipe's contour points on the source, its pixels
there). Measures, per brow, at AU01 + AU02 +2 (the reviewed "brows up"):
- arch: how far the upper contour's middle points lie above the chord between its ends, along
  the image's up; its growth over the brow's mean rise (a Groucho arch: the middle lifted past
  its ends; before the fix 0.26-0.38, now <= 0.11);
- thickness: the change of each facing (upper, lower) contour pair's vertical distance over the
  mean rise (the inner end's lower point lagging: a kinked, upturned brow head; before 0.29-0.30,
  now <= 0.08);
- darkness: the brow's mean grey level inside its moved contour on the output against the same
  inside its rest contour on the source (the stretched band's skin paint covering the brow's
  lower half: Obama +20, london_092 +8 grey levels before; now within 2).
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_and_mesh, shared_face
from face_regions import BROW_LOWER_SIDES, BROW_UPPER_SIDES

UP = np.array([0.0, -1.0])  # the shared portraits used here are upright


def _arch(points: np.ndarray) -> float:
    ends = points[-1] - points[0]
    t = ((points - points[0]) @ ends) / (ends @ ends)
    return float(((points - (points[0] + t[:, None] * ends)) @ UP).max())


def _brow_grey(image: np.ndarray, xy: np.ndarray, upper, lower) -> float:
    mask = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(np.vstack([xy[list(upper)], xy[list(lower)][::-1]])).astype(np.int32)], 1)
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float64)
    return float(grey[mask > 0].mean())


@pytest.fixture(scope="module")
def raised(config, engine, image_tracker):
    cases = {}
    for name in ("obama_official_2012.jpg", "london_092_beard.jpg", "astronaut_small_face.png"):
        portrait = shared_face(name, config, image_tracker)
        out, moved = render_and_mesh(engine, portrait, AU01=2, AU02=2)
        rest = np.asarray(portrait.track.landmarks, np.float64)[:, :2]
        cases[name] = (portrait.image, rest, out, np.asarray(moved, np.float64)[:, :2])
    return cases


@pytest.mark.parametrize("name", ["obama_official_2012.jpg", "london_092_beard.jpg", "astronaut_small_face.png"])
def test_a_raised_brow_keeps_its_arch(raised, name):
    _, rest, _, moved = raised[name]
    for upper, lower in zip(BROW_UPPER_SIDES, BROW_LOWER_SIDES):
        points = list(upper) + list(lower)
        rise = float(((moved[points] - rest[points]) @ UP).mean())
        assert rise > 3.0, f"{name}: the brow rose only {rise:.1f} px"
        growth = (_arch(moved[list(upper)]) - _arch(rest[list(upper)])) / rise
        assert growth < 0.15, f"{name}: the brow's arch grew by {growth:.2f} of its rise"


@pytest.mark.parametrize("name", ["obama_official_2012.jpg", "london_092_beard.jpg"])
def test_a_raised_brow_keeps_its_thickness(raised, name):
    _, rest, _, moved = raised[name]
    for upper, lower in zip(BROW_UPPER_SIDES, BROW_LOWER_SIDES):
        points = list(upper) + list(lower)
        rise = float(((moved[points] - rest[points]) @ UP).mean())
        change = ((moved[list(lower)] - moved[list(upper)]) - (rest[list(lower)] - rest[list(upper)])) @ UP
        assert np.abs(change).max() < 0.15 * rise, f"{name}: brow thickness changed {np.round(change, 1)} px"


@pytest.mark.parametrize("name", ["obama_official_2012.jpg", "london_092_beard.jpg"])
def test_a_raised_brow_keeps_its_hair(raised, name):
    image, rest, out, moved = raised[name]
    for upper, lower in zip(BROW_UPPER_SIDES, BROW_LOWER_SIDES):
        before, after = _brow_grey(image, rest, upper, lower), _brow_grey(out, moved, upper, lower)
        assert abs(after - before) < 4.0, f"{name}: the brow's grey went {before:.0f} -> {after:.0f}"
