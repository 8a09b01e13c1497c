"""The fidelity judge's brow channel (``benchmarks/fidelity_judge.py``, ``browRise``) on landmarks
built here, whose brows' height is known by construction.

- The height is read in eye spans along the face's up, so a rolled, scaled or moved face reads the
  same.
- Compared between driver and output, it scores how far the portrait's brows move against how far
  the driver's do, where browInnerUp scores MediaPipe's reading of them.
- livemorph's own measure of it (``face.estimators.blendshapes.brow_height``, which the response
  curves read the brows' travel by) reads these faces' known height too.
"""
from __future__ import annotations

import sys

import numpy as np
import pytest

from livemorph.face.estimators.blendshapes import brow_height

from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from fidelity_judge import ALL_CHANNELS, BROW_POINTS, EYE_CORNERS, GEOMETRY, _geometry, brow_rise, compare  # noqa: E402

NUM_LANDMARKS = 478


def face(height: float, *, eye_span: float = 100.0, roll_deg: float = 0.0, scale: float = 1.0,
         shift=(0.0, 0.0)) -> np.ndarray:
    """(478, 2) image points (y down) of a face whose outer eye corners are ``eye_span`` apart, its
    inner ones a third of that, and whose brows' inner half sits ``height`` eye spans above them
    (spread about that height, as brows are arched); rolled, scaled and moved."""
    points = np.zeros((NUM_LANDMARKS, 2))
    for (outer, inner), side in zip(EYE_CORNERS, (-1.0, 1.0)):
        points[outer] = (side * eye_span / 2, 0.0)
        points[inner] = (side * eye_span / 6, 0.0)
    arch = (0.02, -0.01, -0.01, 0.02, -0.01, -0.01)  # each point off the brows' mean height
    for index, x, dy in zip(BROW_POINTS, (-0.3, -0.2, -0.1, 0.3, 0.2, 0.1), arch):
        points[index] = (x * eye_span, -(height + dy) * eye_span)  # up is -y in the image
    a = np.radians(roll_deg)
    rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return scale * points @ rotation.T + np.asarray(shift)


@pytest.mark.parametrize("roll, scale, shift", [(0.0, 1.0, (0, 0)), (25.0, 2.5, (300, 200)), (-40.0, 0.4, (50, 80))])
def test_the_brows_height_is_read_in_eye_spans_whatever_the_faces_roll_size_and_place(roll, scale, shift):
    for height in (0.3, 0.25, 0.36):
        assert brow_rise(face(height, roll_deg=roll, scale=scale, shift=shift)) == pytest.approx(height, abs=1e-9)
    geometry = dict(zip(GEOMETRY, _geometry(face(0.3, roll_deg=roll, scale=scale, shift=shift))))
    assert geometry["browRise"] == pytest.approx(0.3, abs=1e-9)
    for height in (0.3, 0.25, 0.36):
        assert brow_height(face(height, roll_deg=roll, scale=scale, shift=shift)) == pytest.approx(height, abs=1e-9)


def test_brows_raised_twice_as_far_as_the_drivers_read_amplitude_two():
    """A brow raise of 0.06 eye spans on the driver, drawn as 0.12 on a portrait whose brows rest
    lower: browRise's amplitude is 2 (where a blendshape reading can say anything)."""
    raise_ = np.r_[np.zeros(20), np.linspace(0.0, 1.0, 6), np.ones(10), np.linspace(1.0, 0.0, 6), np.zeros(20)]
    driver = np.zeros((len(raise_), len(ALL_CHANNELS)))
    output = np.zeros_like(driver)
    brows = ALL_CHANNELS.index("browRise")
    driver[:, brows] = [brow_rise(face(0.29 + 0.06 * k)) for k in raise_]
    output[:, brows] = [brow_rise(face(0.24 + 0.12 * k)) for k in raise_]
    score = {s.channel: s for s in compare(driver, output)}["browRise"]
    assert score.used and score.r == pytest.approx(1.0)
    assert score.amplitude == pytest.approx(2.0, abs=0.01)
    # A driver whose brows hardly move (0.01 eye spans) does not use the channel.
    driver[:, brows] = [brow_rise(face(0.29 + 0.01 * k)) for k in raise_]
    assert not {s.channel: s for s in compare(driver, output)}["browRise"].used
