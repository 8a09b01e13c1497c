"""``face.wink``: the eyes' split of AU45, read from a tracked face."""
from __future__ import annotations

from livemorph.face.tracking import FaceTrack
from livemorph.face.wink import wink_offsets


def test_no_face_has_no_wink():
    assert wink_offsets(None) is None
    assert wink_offsets(FaceTrack.empty((64, 48))) is None
