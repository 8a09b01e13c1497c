"""``face.wink``: each side's AU offsets (a wink's AU45 and AU04, a one-sided smile's AU12), read
from a tracked face."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from livemorph.aus import AU
from livemorph.face.tracking import FaceTrack
from livemorph.face.wink import wink_offsets

from conftest import shared_face


def test_no_face_has_no_wink():
    assert wink_offsets(None) is None
    assert wink_offsets(FaceTrack.empty((64, 48))) is None


def test_one_mouth_corner_lifted_is_a_one_sided_smile_on_its_side(config, image_tracker):
    """A level mouth gives no smirk; lift one corner's landmark (the portrait's own face, the
    corner moved up by 0.1 eye spans in the image) and that side's AU12 rises, the other's falls."""
    track = shared_face("london_092_beard.jpg", config, image_tracker).track
    assert not wink_offsets(track)[:, AU.AU12].any()
    span = float(np.linalg.norm(track.landmarks[263, :2] - track.landmarks[33, :2]))
    for corner, side in ((291, 1), (61, 0)):  # the subject's left corner, then the right
        landmarks = track.landmarks.copy()
        landmarks[corner, 1] -= 0.1 * span  # up in the image (the portrait is upright)
        smirk = wink_offsets(replace(track, landmarks=landmarks))[:, AU.AU12]
        assert smirk[side] > 0.5 and smirk[1 - side] < -0.5, (corner, smirk)
