"""``face.wink``: each side's AU offsets (a wink's AU45 and AU04, a one-sided smile's AU12), read
from a tracked face."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from livemorph.aus import AU
from livemorph.face.tracking import BLENDSHAPE_INDEX, FaceTrack
from livemorph.face.wink import REST_TILT_CAP, SMIRK_DEADBAND, RestingTilt, WinkReader, corner_tilt, wink_offsets

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


def test_a_mouth_resting_tilted_is_not_a_smirk(config, image_tracker):
    """A driver whose mouth rests a little lopsided (one corner 0.06 eye spans up) shows no smirk
    against its own resting tilt, and one past it shows only what goes beyond that rest."""
    track = shared_face("london_092_beard.jpg", config, image_tracker).track
    span = float(np.linalg.norm(track.landmarks[263, :2] - track.landmarks[33, :2]))

    def lifted(by: float):
        landmarks = track.landmarks.copy()
        landmarks[291, 1] -= by * span  # the subject's left corner, up
        return replace(track, landmarks=landmarks)

    rest = corner_tilt(lifted(0.06))
    assert wink_offsets(lifted(0.06))[1, AU.AU12] > 0.5  # from 0, a resting tilt read as a smirk
    assert not wink_offsets(lifted(0.06), rest)[:, AU.AU12].any()
    beyond = wink_offsets(lifted(0.16), rest)[:, AU.AU12]
    alone = wink_offsets(lifted(0.10), corner_tilt(track))[:, AU.AU12]  # the same 0.1 beyond the face's own rest
    assert np.allclose(beyond, alone, atol=0.05), (beyond, alone)


def test_the_live_resting_tilt_follows_the_drivers_rest_but_not_a_held_smirk():
    """``RestingTilt``: after a minute of a mouth resting at 0.03, the rest is 0.03; a smirk
    (0.12) held from the first frame is taken as rest only up to ``REST_TILT_CAP``, so it still
    shows; ``reset`` forgets."""
    live = RestingTilt(window_seconds=60.0, sample_hz=10.0)
    for i in range(600):
        rest = live.update(0.03, i / 30.0)
    for i in range(600, 900):  # ten seconds of smirking do not move the median of a minute
        rest = live.update(0.12, i / 30.0)
    assert abs(rest - 0.03) < 1e-6
    live.reset()
    held = [live.update(0.12, i / 30.0) for i in range(300)]
    assert max(held) == REST_TILT_CAP < 0.12 - SMIRK_DEADBAND


def _eyes_reading(track: FaceTrack, right: float, left: float) -> FaceTrack:
    blendshapes = track.blendshapes.copy()
    blendshapes[BLENDSHAPE_INDEX["eyeBlinkRight"]], blendshapes[BLENDSHAPE_INDEX["eyeBlinkLeft"]] = right, left
    return replace(track, blendshapes=blendshapes)


def test_a_wink_is_held_while_the_other_eye_blinks_and_ends_when_the_eyes_agree(config, image_tracker):
    """woman_expressions' eyeBlink readings (right, left) through its second wink: winking, then
    the open eye blinks (frames 47-51), then both open. A reading stream keeps the right eye shut
    through the blink, where each frame read alone has no wink (the open eye is not open), and
    leaves the blinking eye its own closing; once the eyes agree the wink is over, and the same
    blink without a wink before it is not one; nor after a frame without a face."""
    face = shared_face("london_092_beard.jpg", config, image_tracker).track
    wink, blink, both_open = (0.44, 0.09), [(0.64, 0.32), (0.80, 0.54), (0.69, 0.40)], (0.18, 0.10)
    reader = WinkReader()
    assert reader.read(_eyes_reading(face, *wink))[0, AU.AU45] > 1.0
    for eyes in blink:
        held = reader.read(_eyes_reading(face, *eyes))
        assert not wink_offsets(_eyes_reading(face, *eyes))[:, AU.AU45].any()  # one frame alone
        assert held[0, AU.AU45] > 0.5 and held[1, AU.AU45] == 0.0, (eyes, held[:, AU.AU45])
    assert not reader.read(_eyes_reading(face, *both_open))[:, AU.AU45].any()
    assert not reader.read(_eyes_reading(face, *blink[0]))[:, AU.AU45].any()
    reader.read(_eyes_reading(face, *wink))
    assert reader.read(FaceTrack.empty((64, 48))) is None
    assert not reader.read(_eyes_reading(face, *blink[0]))[:, AU.AU45].any()
