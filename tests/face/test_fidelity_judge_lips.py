"""The fidelity judge's mouth-opening channel (``benchmarks/fidelity_judge.py``, ``lipGap``) on
landmarks built here, whose inner-lip gap is known by construction.

- The gap is read along the face's up in the distance between the outer eye corners, so a rolled,
  scaled or moved face reads the same, and a mouth closed reads 0.
- Compared between driver and output it is taken as it is, not against each face's own widest
  opening (as ``lidGap`` takes each face's open eye): a portrait that opens half as wide as the
  driver reads half its amplitude, however in step it opens.
- ``lipPart`` judges the lips parting a little: a portrait that matches the driver's wide openings
  but keeps its lips shut through the small ones reads as doing so there, whatever lipGap says.
"""
from __future__ import annotations

import sys

import numpy as np
import pytest

from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from fidelity_judge import (ALL_CHANNELS, EYE_CORNERS, GEOMETRY, LIP_PAIRS, LIPS_PART_A_LITTLE, _geometry,  # noqa: E402
                            compare, lip_gap)

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


# A talking driver: lips resting a little apart (0.01 eye spans), parting 0.05 in short runs (as in
# talk), then one wide opening (0.27, woman_expressions' "O").
TALK = np.r_[np.zeros(15), np.full(6, 0.05), np.zeros(8), np.full(7, 0.06), np.zeros(10), np.full(5, 0.04),
             np.zeros(10), np.linspace(0.0, 0.27, 6), np.full(12, 0.27), np.linspace(0.27, 0.0, 6), np.zeros(10)]


def _lip_series(gap: np.ndarray) -> np.ndarray:
    rows = np.zeros((len(gap), len(ALL_CHANNELS)))
    rows[:, ALL_CHANNELS.index("lipGap")] = gap
    return rows


def _dead_zone(gap: np.ndarray) -> np.ndarray:
    """A portrait that parts its lips a tenth as far while the driver's part less than 0.09, as far beyond."""
    return np.where(gap < 0.09, 0.1 * gap, gap)


def test_lips_parting_a_little_as_far_as_the_drivers_read_as_doing_so():
    scores = {s.channel: s for s in compare(_lip_series(0.01 + TALK), _lip_series(TALK))}
    assert scores["lipPart"].used
    assert scores["lipPart"].amplitude == pytest.approx(1.0, abs=0.01)
    assert scores["lipPart"].r == pytest.approx(1.0, abs=0.01)


def test_lips_kept_shut_through_the_small_partings_read_as_such_though_the_wide_opening_matches():
    scores = {s.channel: s for s in compare(_lip_series(0.01 + TALK), _lip_series(_dead_zone(TALK)))}
    # lipGap, dominated by the wide opening, sees nothing wrong ...
    assert scores["lipGap"].r > 0.95 and 0.9 < scores["lipGap"].amplitude < 1.1
    # ... lipPart does: the portrait parts its lips a tenth as far as the driver there.
    assert scores["lipPart"].used
    assert scores["lipPart"].amplitude == pytest.approx(0.1, abs=0.01)


def test_a_driver_whose_lips_only_open_wide_does_not_use_the_small_parting():
    wide = np.where(TALK < 0.09, 0.0, TALK)  # the talk's partings taken out; its opening passes the band in 2 frames
    assert (((wide >= LIPS_PART_A_LITTLE[0]) & (wide < LIPS_PART_A_LITTLE[1])).sum()) <= 2
    scores = {s.channel: s for s in compare(_lip_series(wide), _lip_series(wide))}
    assert scores["lipGap"].used and not scores["lipPart"].used
