"""Frowns read as frowns on the output, judged by MediaPipe run afresh on the rendered image.

- AU15 turns the mouth corners down relative to the lip centre (the smile test, the other way)
  with the lips still closed.
- A grinning portrait loses its grin when AU15 rises (bare mouthSmile falls).
- AU17 lifts the lower lip and chin, not the nose (pixel change in each region).
- woman_expressions' peak frown (AU04 +2.6, AU07 +1, AU45 +1.4 as livemorph reads it; she looks
  down) narrows the eyes without shutting them, while a blink in a frown still does.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import render_change, shared_face
from face_regions import corner_lift
from livemorph.aus import AU, relaxed_rest


def _mouth(track):
    """Corner height above the lip centre along the face's own up, and the inner-lip gap, both / mouth width."""
    lm = track.landmarks[:, :2]
    return corner_lift(track.landmarks), float(np.linalg.norm(lm[14] - lm[13]) / np.linalg.norm(lm[291] - lm[61]))


@pytest.mark.parametrize("name", ["london_092_beard.jpg", "mona_lisa.jpg"])
def test_a_lip_corner_depressor_turns_the_mouth_corners_down(name, config, engine, image_tracker):
    portrait = shared_face(name, config, image_tracker)
    out = render_change(engine, portrait, AU15=3)
    faces = image_tracker.detect_all(out)
    assert faces, "the tracker lost the face in the rendered frown"
    lift_before, gap_before = _mouth(portrait.track)
    lift_after, gap_after = _mouth(faces[0])
    # py-feat's own AU15 dropped them 0.03-0.07 mouth widths here; a frown that reads drops them ~0.1.
    assert lift_after - lift_before < -0.08, (lift_before, lift_after)  # corners drop vs the lip centre
    assert gap_after < gap_before + 0.03, (gap_before, gap_after)  # lips stay closed


def _smile(track) -> float:
    return 0.5 * (track.blendshape("mouthSmileLeft") + track.blendshape("mouthSmileRight"))


@pytest.mark.parametrize("name", ["obama_official_2012.jpg", "trump_official_2017.png"])
def test_a_grinning_portrait_loses_its_grin_as_the_corners_go_down(name, config, engine, image_tracker):
    portrait = shared_face(name, config, image_tracker)
    prepared = engine.prepare(portrait)
    # What `run` shows while the user smiles a little: the portrait's grin, relaxed per
    # driving.relax (to mouthSmile 0.13-0.17, hardly a reading to lose), and grown by the smile.
    smiling = relaxed_rest(prepared.resting_aus, config.driving.relax_vector())
    smiling[AU.AU12] += 1.0
    frowning = smiling.copy()
    frowning[AU.AU15] += 1.5  # a moderate frown (woman_expressions' frowns read 1-3)
    before = _smile(image_tracker.detect_largest(engine.render(prepared, smiling)))
    after = _smile(image_tracker.detect_largest(engine.render(prepared, frowning)))
    assert before > 0.4  # the portrait plainly smiles, so losing it means something
    # py-feat's own AU15 left Obama at 0.21 of 0.50 here: corners lower, still a grin.
    assert after < 0.15 * before, f"mouthSmile {before:.2f} smiling -> {after:.2f} with AU15 +1.5"


def _blink(image, tracker) -> float:
    track = tracker.detect_largest(image)
    assert track.present
    return 0.5 * (track.blendshape("eyeBlinkLeft") + track.blendshape("eyeBlinkRight"))


@pytest.mark.parametrize("name", ["mona_lisa.jpg", "london_092_beard.jpg"])
def test_a_frown_narrows_the_eyes_without_shutting_them(name, config, engine, image_tracker):
    portrait = shared_face(name, config, image_tracker)
    frown = _blink(render_change(engine, portrait, AU04=2.6, AU07=1.0, AU45=1.4), image_tracker)
    blink = _blink(render_change(engine, portrait, AU04=2.6, AU45=4.0), image_tracker)
    rest = _blink(portrait.image, image_tracker)
    assert frown < 0.3, f"eyeBlink {rest:.2f} at rest -> {frown:.2f} in the frown (a shut eye reads {blink:.2f})"
    assert blink > 0.45 and blink > frown + 0.25


def _box_change(before, after, landmarks, points, pad=0.2) -> float:
    """Mean absolute grey-level change in the padded box around ``points``."""
    xy = landmarks[list(points), :2]
    (x0, y0), (x1, y1) = xy.min(0), xy.max(0)
    px, py = pad * (x1 - x0), pad * (y1 - y0)
    rows, cols = slice(int(y0 - py), int(y1 + py) + 1), slice(int(x0 - px), int(x1 + px) + 1)
    return float(np.abs(after[rows, cols].astype(np.float32) - before[rows, cols].astype(np.float32)).mean())


NOSE = (1, 4, 5, 45, 275, 98, 327, 2)  # tip, alae and base
LOWER_LIP_AND_CHIN = (17, 84, 314, 18, 200, 199, 175)


@pytest.mark.parametrize("name", ["london_092_beard.jpg", "grace_hopper_glasses.jpg"])
def test_a_chin_raise_lifts_lip_and_chin_and_leaves_the_nose(name, config, engine, image_tracker):
    portrait = shared_face(name, config, image_tracker)
    out = render_change(engine, portrait, AU17=3)
    landmarks = portrait.track.landmarks
    nose = _box_change(portrait.image, out, landmarks, NOSE)
    chin = _box_change(portrait.image, out, landmarks, LOWER_LIP_AND_CHIN)
    # py-feat's own AU17 lifted the nose base with the mouth (7 % of the face width): 29-47 grey
    # levels of change at the nose; the skin just below it now yields a little (~4).
    assert nose < 8.0 and chin > 4.0 * nose, f"grey-level change: nose {nose:.1f}, lower lip and chin {chin:.1f}"
