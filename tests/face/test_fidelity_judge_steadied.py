"""The fidelity judge reads its geometric channels with the head's motion taken out
(``benchmarks/fidelity_judge.py``, ``steadied``), on 3-D landmarks built here: a face whose
expression and nod are known by construction.

- A nod alone moves the corners' lift in the picture (a curved mouth's corners sit behind its
  middle); steadied, a nodding face with a still mouth reads still.
- Steadying keeps the expression: a closed smile made while nodding and drifting reads as it was
  made, as far and in step.
"""
from __future__ import annotations

import sys

import numpy as np
import pytest

from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from fidelity_judge import EYE_CORNERS, GEOMETRY, LIP_MIDDLE, MOUTH_CORNERS, RIGID, _geometry, steadied  # noqa: E402

NUM_LANDMARKS = 478
EYE_SPAN = 100.0
rng = np.random.default_rng(7)
# Where the points an expression leaves alone sit, in a face whose outer eye corners are EYE_SPAN
# apart (x right, y down, z away from the camera, as MediaPipe's landmarks): spread in depth as a
# face is, so that a nod shows.
BONES = {point: (rng.uniform(-60, 60), rng.uniform(-40, 70), rng.uniform(-30, 30)) for point in RIGID}
BONES.update({EYE_CORNERS[0][0]: (-50.0, 0.0, 10.0), EYE_CORNERS[1][0]: (50.0, 0.0, 10.0),
              EYE_CORNERS[0][1]: (-15.0, 0.0, 5.0), EYE_CORNERS[1][1]: (15.0, 0.0, 5.0)})


def face(lift: float, *, pitch_deg: float = 0.0, shift=(0.0, 0.0, 0.0)) -> np.ndarray:
    """(478, 3) points of a face whose mouth corners sit ``lift`` eye spans above its lips' middle
    as it faces the camera, then tipped down by ``pitch_deg`` and moved. The corners sit 25 units
    behind the lips' middle, as a curved mouth's do."""
    points = np.zeros((NUM_LANDMARKS, 3))
    for point, where in BONES.items():
        points[point] = where
    for index in LIP_MIDDLE:
        points[index] = (0.0, 90.0, -10.0)
    for index, x in zip(MOUTH_CORNERS, (-25.0, 25.0)):
        points[index] = (x, 90.0 - lift * EYE_SPAN, 15.0)
    p = np.radians(pitch_deg)
    tip = np.array([[1, 0, 0], [0, np.cos(p), np.sin(p)], [0, -np.sin(p), np.cos(p)]])  # chin toward the camera
    return points @ tip.T + np.asarray(shift)


def _lifts(faces: list) -> np.ndarray:
    return np.array([dict(zip(GEOMETRY, _geometry(points)))["cornerLift"] for points in faces])


NOD = 8.0 * np.sin(np.linspace(0, 2 * np.pi, 60))  # down 8 degrees, up 8, back: its median is 0


def test_a_nodding_face_with_a_still_mouth_reads_still_once_steadied():
    faces = [face(0.02, pitch_deg=pitch) for pitch in NOD]
    in_the_picture, steady = _lifts(faces), _lifts(steadied(faces))
    # what the picture shows: the nod alone spans more than a closed smile's "used" range (0.04)
    assert np.ptp(in_the_picture) > 0.05
    assert np.ptp(steady) == pytest.approx(0.0, abs=1e-6)
    assert steady[0] == pytest.approx(0.02, abs=0.002)


def test_a_closed_smile_made_while_nodding_reads_as_it_was_made():
    smile = np.clip(np.sin(np.linspace(0, 3 * np.pi, 60)), 0, None)
    lift = 0.02 + 0.06 * smile
    faces = [face(a, pitch_deg=pitch, shift=(3.0 * k, -k, 0.0)) for k, (a, pitch) in enumerate(zip(lift, NOD))]
    assert _lifts(steadied(faces)) == pytest.approx(lift, abs=0.002)


def test_frames_without_a_face_stay_without_one():
    out = steadied([face(0.02), None, face(0.05, pitch_deg=5.0)])
    assert out[1] is None and out[0] is not None and out[2] is not None
    assert steadied([None, None]) == [None, None]
