"""The fidelity judge's mouth-opening channel (``benchmarks/fidelity_judge.py``, ``lipGap``) on
landmarks built here, whose inner-lip gap is known by construction.

- The gap is read along the face's up in the distance between the outer eye corners, so a rolled,
  scaled or moved face reads the same, and a mouth closed reads 0.
- Compared between driver and output it is taken as it is, not against each face's own widest
  opening (as ``lidGap`` takes each face's open eye): a portrait that opens half as wide as the
  driver reads half its amplitude, however in step it opens.
"""
from __future__ import annotations

import sys

import numpy as np
import pytest

from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from fidelity_judge import ALL_CHANNELS, EYE_CORNERS, GEOMETRY, LIP_PAIRS, _geometry, compare, lip_gap  # noqa: E402

NUM_LANDMARKS = 478
OUTER_EYE_CORNERS = (EYE_CORNERS[0][0], EYE_CORNERS[1][0])


def face(lip_gap: float, *, eye_span: float = 100.0, roll_deg: float = 0.0, scale: float = 1.0,
         shift=(0.0, 0.0)) -> np.ndarray:
    """(478, 2) image points (y down) of a face whose outer eye corners are ``eye_span`` apart and
    whose inner lips stand ``lip_gap`` of that apart, below them; rolled, scaled and moved."""
    points = np.zeros((NUM_LANDMARKS, 2))
    points[OUTER_EYE_CORNERS[0]] = (-eye_span / 2, 0.0)
    points[OUTER_EYE_CORNERS[1]] = (eye_span / 2, 0.0)
    mouth_y = 0.9 * eye_span  # the lip line lies this far below the eyes (down is +y in the image)
    for k, (upper, lower) in enumerate(LIP_PAIRS):
        x = (k - 1) * 0.15 * eye_span
        points[upper] = (x, mouth_y - lip_gap * eye_span / 2)
        points[lower] = (x, mouth_y + lip_gap * eye_span / 2)
    a = np.radians(roll_deg)
    rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return scale * points @ rotation.T + np.asarray(shift)


@pytest.mark.parametrize("roll, scale, shift", [(0.0, 1.0, (0, 0)), (25.0, 2.5, (300, 200)), (-40.0, 0.4, (50, 80))])
def test_the_lip_gap_is_read_in_eye_spans_whatever_the_faces_roll_size_and_place(roll, scale, shift):
    assert lip_gap(face(0.27, roll_deg=roll, scale=scale, shift=shift)) == pytest.approx(0.27, abs=1e-9)
    assert lip_gap(face(0.0, roll_deg=roll, scale=scale, shift=shift)) == pytest.approx(0.0, abs=1e-9)
    # ... and it is the judge's lipGap channel
    geometry = dict(zip(GEOMETRY, _geometry(face(0.27, roll_deg=roll, scale=scale, shift=shift))))
    assert geometry["lipGap"] == pytest.approx(0.27, abs=1e-9)


def test_a_mouth_opening_wider_than_the_drivers_reads_as_more_amplitude():
    lips = ALL_CHANNELS.index("lipGap")
    opening = np.r_[np.zeros(20), np.linspace(0.0, 1.0, 8), np.ones(10), np.linspace(1.0, 0.0, 8), np.zeros(20)]
    driver = np.zeros((len(opening), len(ALL_CHANNELS)))
    output = np.zeros_like(driver)
    driver[:, lips] = 0.05 + 0.22 * opening  # the driver's lips rest a little apart and open by 0.22 eye spans
    output[:, lips] = 0.33 * opening  # a portrait's, shut at rest, opening 1.5 times as far in step
    scores = {s.channel: s for s in compare(driver, output)}
    assert scores["lipGap"].used and scores["lipGap"].r == pytest.approx(1.0)
    assert scores["lipGap"].amplitude == pytest.approx(1.5, abs=0.02)
