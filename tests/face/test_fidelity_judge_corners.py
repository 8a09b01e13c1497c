"""The fidelity judge's closed-smile channel (``benchmarks/fidelity_judge.py``, ``cornerLift``) on
landmarks built here, whose corners' height above the lips' middle is known by construction.

- The lift is read along the face's up in the distance between the outer eye corners, so a rolled,
  scaled or moved face reads the same; corners level with the lips' middle read 0, dropped ones
  (a pout's) below 0.
- It is compared over the frames where both faces' lips are closed: an opening mouth's middle drops
  with the jaw, which the lift would read as a smile (``lipGap`` judges the opening).
- A driver counts as smiling once its corners' lift spans 0.04 eye spans there (``USED_RANGES``)
  over at least a second of closed-lipped frames: the blendshape channels' 0.15 would leave out
  every closed smile there is, and a grin's lips parting close for a frame or two.
- Compared as it is: a portrait raising its corners half as far as the driver reads half its
  amplitude, however in step.
"""
from __future__ import annotations

import sys

import numpy as np
import pytest

from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from fidelity_judge import (ALL_CHANNELS, CLOSED_LIPS, EYE_CORNERS, GEOMETRY, LIP_MIDDLE,  # noqa: E402
                            MOUTH_CORNERS, _geometry, compare, corner_lift)

NUM_LANDMARKS = 478
OUTER_EYE_CORNERS = (EYE_CORNERS[0][0], EYE_CORNERS[1][0])


def face(lift: float, *, eye_span: float = 100.0, roll_deg: float = 0.0, scale: float = 1.0,
         shift=(0.0, 0.0)) -> np.ndarray:
    """(478, 2) image points (y down) of a face whose outer eye corners are ``eye_span`` apart and
    whose mouth corners sit ``lift`` of that above the middle of its lips; rolled, scaled and moved."""
    points = np.zeros((NUM_LANDMARKS, 2))
    points[OUTER_EYE_CORNERS[0]] = (-eye_span / 2, 0.0)
    points[OUTER_EYE_CORNERS[1]] = (eye_span / 2, 0.0)
    mouth_y = 0.9 * eye_span  # the lips' middle lies about this far below the eyes (down is +y in the image)
    offsets = (-0.08, 0.1, -0.01, 0.01)  # outer upper and lower, inner upper and lower lip, in eye spans
    for index, dy in zip(LIP_MIDDLE, offsets):
        points[index] = (0.0, mouth_y + dy * eye_span)
    middle_y = mouth_y + np.mean(offsets) * eye_span
    for index, x in zip(MOUTH_CORNERS, (-0.25, 0.25)):
        points[index] = (x * eye_span, middle_y - lift * eye_span)
    a = np.radians(roll_deg)
    rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return scale * points @ rotation.T + np.asarray(shift)


@pytest.mark.parametrize("roll, scale, shift", [(0.0, 1.0, (0, 0)), (25.0, 2.5, (300, 200)), (-40.0, 0.4, (50, 80))])
def test_the_corners_lift_is_read_in_eye_spans_whatever_the_faces_roll_size_and_place(roll, scale, shift):
    for lift in (0.09, 0.0, -0.03):
        assert corner_lift(face(lift, roll_deg=roll, scale=scale, shift=shift)) == pytest.approx(lift, abs=1e-9)
    # ... and it is the judge's cornerLift channel
    geometry = dict(zip(GEOMETRY, _geometry(face(0.09, roll_deg=roll, scale=scale, shift=shift))))
    assert geometry["cornerLift"] == pytest.approx(0.09, abs=1e-9)


SMILE = np.r_[np.zeros(20), np.linspace(0.0, 1.0, 8), np.ones(10), np.linspace(1.0, 0.0, 8), np.zeros(20)]


def _series(lift: np.ndarray, lip_gap: np.ndarray | float = 0.0) -> np.ndarray:
    rows = np.zeros((len(lift), len(ALL_CHANNELS)))
    rows[:, ALL_CHANNELS.index("cornerLift")] = lift
    rows[:, ALL_CHANNELS.index("lipGap")] = lip_gap
    return rows


def test_a_closed_smile_raising_the_corners_half_as_far_as_the_drivers_reads_as_half_the_amplitude():
    # The driver's corners rest a little up and rise by 0.08 eye spans (woman_blinks' closed smiles
    # span 0.07); the portrait's rest higher and rise 0.04, in step.
    scores = {s.channel: s for s in compare(_series(0.01 + 0.08 * SMILE), _series(0.06 + 0.04 * SMILE))}
    assert scores["cornerLift"].used and scores["cornerLift"].r == pytest.approx(1.0)
    assert scores["cornerLift"].amplitude == pytest.approx(0.5, abs=0.01)


def test_a_driver_whose_corners_hardly_move_does_not_count_as_smiling():
    # 0.03 eye spans of lift: a pout's corners (woman_expressions' span 0.021); a still portrait would fail on it.
    scores = {s.channel: s for s in compare(_series(0.03 * SMILE), _series(0.0 * SMILE))}
    assert not scores["cornerLift"].used


def test_a_closed_smile_glimpsed_in_under_a_second_of_closed_lips_does_not_count():
    # man_smiling_short's lips stay closed for 21 frames: his rest, then the two frames his grin's
    # lips take to part, which reach 0.05 eye spans of lift. The same corners held for a second count.
    onset = np.r_[np.zeros(19), 0.05, 0.05]
    glimpsed = {s.channel: s for s in compare(_series(onset), _series(0.5 * onset))}
    assert not glimpsed["cornerLift"].used
    held = np.r_[np.zeros(19), np.full(11, 0.05)]
    assert {s.channel: s for s in compare(_series(held), _series(held))}["cornerLift"].used


def test_frames_with_either_mouth_open_are_left_out():
    # The driver smiles with closed lips (0.08), then drops its jaw: its lips' middle falls, its
    # "lift" reads 0.2 there. The portrait smiles in step but opens its mouth less and reads less
    # lift while open: judged over every frame it would read less than the driver; over the
    # closed-lipped frames it matches.
    jaw = np.r_[np.zeros(len(SMILE) + 10), np.ones(30), np.zeros(10)]
    smile = np.r_[SMILE, np.zeros(50)]
    driver = _series(0.08 * smile + 0.2 * jaw, 0.3 * jaw)
    output = _series(0.08 * smile + 0.05 * jaw, 0.2 * jaw)
    closed = (driver[:, ALL_CHANNELS.index("lipGap")] < CLOSED_LIPS) & (output[:, ALL_CHANNELS.index("lipGap")] < CLOSED_LIPS)
    assert 0 < closed.sum() < len(closed)  # the case tests what it says: some frames open, some closed
    scores = {s.channel: s for s in compare(driver, output)}
    assert scores["cornerLift"].used
    assert scores["cornerLift"].r == pytest.approx(1.0) and scores["cornerLift"].amplitude == pytest.approx(1.0, abs=0.02)
