import numpy as np
import pytest

from livemorph.aus import AU
from livemorph.face.stabilize import AUStabilizer, OneEuroFilter, with_hint


def test_one_euro_removes_jitter_at_rest_and_follows_a_step():
    rng = np.random.default_rng(0)
    f = OneEuroFilter(min_cutoff=np.full(17, 1.0), beta=np.full(17, 0.5))
    noisy = 1.0 + rng.normal(0, 0.2, (90, 17))
    out = np.stack([f.update(x, i / 30) for i, x in enumerate(noisy)])
    assert out[30:].std() < 0.5 * noisy[30:].std()
    # a step from 1 to 4: reached within a few frames (not lagging for a second)
    step = [f.update(np.full(17, 4.0), (90 + i) / 30) for i in range(10)]
    assert step[-1].mean() > 3.8


def test_fast_channels_follow_a_one_frame_blink(config):
    stab = AUStabilizer.from_config(config)
    seq = [np.zeros(17, np.float32)] * 10 + [np.full(17, 3.0, np.float32)] + [np.zeros(17, np.float32)] * 3
    out = [stab.update(x, True, i * 1000 / 30).aus for i, x in enumerate(seq)]
    assert out[10][AU.AU45] > 1.5  # lightly filtered: the blink survives
    assert out[10][AU.AU12] < out[10][AU.AU45]  # heavier filtering elsewhere


FPS = 30.0


def drive(stab, frames, t0=0):
    """Feed (17,) raw AU vectors at 30 fps; the readings."""
    return [stab.update(aus, True, (t0 + i) * 1000 / FPS) for i, aus in enumerate(frames)]


def face(**aus):
    vec = np.zeros(17, np.float32)
    for name, value in aus.items():
        vec[AU[name]] = value
    return vec


REST = face(AU01=0.4, AU04=0.3, AU07=0.5, AU12=0.2, AU25=0.1)  # a plausible resting face


def test_the_resting_face_is_subtracted_from_the_first_frame(config):
    readings = drive(AUStabilizer.from_config(config), [REST] * 10)
    # Not a mirror of the user's resting face: no change from the very first frame.
    np.testing.assert_allclose(readings[0].delta, 0.0, atol=1e-6)
    assert all(np.abs(r.delta).max() < 1e-6 for r in readings)


def test_a_smile_held_for_five_seconds_stays_a_smile(config):
    smile = REST + face(AU12=3.0, AU06=1.5)
    readings = drive(AUStabilizer.from_config(config), [REST] * 60 + [smile] * 150)
    au12 = np.array([r.delta[AU.AU12] for r in readings])
    assert au12[60 + 15:].min() >= 0.9 * 3.0  # from half a second in to the end of the five seconds


def test_a_smile_from_the_first_frame_is_not_taken_as_neutral(config):
    smile = REST + face(AU12=3.0, AU06=1.5)
    readings = drive(AUStabilizer.from_config(config), [smile] * 150 + [REST] * 60)
    au12 = np.array([r.delta[AU.AU12] for r in readings])
    assert au12[:150].min() > 2.0, "an early smile was swallowed by the neutral"
    # once the user relaxes, the resting face is learnt and the portrait returns to rest
    assert abs(au12[-1]) < 0.05 and abs(readings[-1].neutral[AU.AU12] - REST[AU.AU12]) < 0.05


def test_brows_raised_as_the_face_is_found_are_not_taken_as_neutral(config):
    """Three of the five shared drivers start with their brows raised (AU01 1.5-3.3, their rests
    0-0.7), and a user greeting the camera does the same: the raise is drawn, and relaxing from it
    is not drawn as a frown."""
    raised = REST + face(AU01=2.5, AU02=1.5)  # within the brows' rest cap of 2.0 (AU02)
    readings = drive(AUStabilizer.from_config(config), [raised] * 120 + [REST] * 60)
    brows = np.array([r.delta[[AU.AU01, AU.AU02]] for r in readings])
    assert brows[15:120, 0].min() > 0.5 * 2.5 and brows[15:120, 1].min() > 0.5 * 1.5, "the early raise was swallowed"
    assert brows[120 + 15:].min() > -0.3, "relaxing from the early raise was drawn as a frown"


def test_lips_parting_in_talk_from_the_first_frame_are_drawn(config):
    """woman_expressions starts talking, her lips parted (AU25 0.3-1.3) for three seconds, her rest
    at 0: those partings are drawn, not taken as her neutral."""
    rng = np.random.default_rng(2)
    talk = [REST + face(AU25=0.3 + rng.random()) for _ in range(90)]  # parted 0.3-1.3, never closed
    readings = drive(AUStabilizer.from_config(config), talk + [REST] * 30)
    asked = np.array([frame[AU.AU25] - REST[AU.AU25] for frame in talk])
    drawn = np.array([r.delta[AU.AU25] for r in readings[:90]])
    assert np.median(drawn[15:] / asked[15:]) > 0.8, "the first seconds of talk were taken as the neutral"


def test_brows_that_rest_high_are_learnt_within_the_settling_time(config):
    """Brows that read raised at rest (london_042: AU01/AU02 3.2) cannot be told from a raise at
    first; held through the settling time they become the neutral (up to their rest cap), so the
    portrait does not keep its brows raised."""
    high_brows = REST + face(AU01=1.4, AU02=1.8)
    settle = config.calibration.settle_seconds
    readings = drive(AUStabilizer.from_config(config), [high_brows] * int((settle + 2) * FPS))
    assert readings[int(FPS)].delta[AU.AU02] > 0.5  # at first it reads as a raise
    assert readings[int(FPS)].neutral_state == "auto, learning"  # the HUD says the neutral is still settling
    assert np.abs(readings[-1].delta).max() < 0.05 and readings[-1].neutral_state == "auto"


def test_a_beard_read_as_a_chin_raise_is_subtracted_from_the_first_frame(config):
    """Only the brows' caps open with time: a resting face that reads high elsewhere (london_092's
    beard, AU17 2.5) is taken as the neutral at once, never drawn as a pout."""
    bearded = REST + face(AU17=2.5, AU04=1.2)
    readings = drive(AUStabilizer.from_config(config), [bearded] * 30)
    assert np.abs(readings[0].delta).max() < 1e-6 and np.abs(readings[-1].delta).max() < 1e-6


def test_talking_for_a_minute_does_not_drift_the_neutral(config):
    rng = np.random.default_rng(1)
    frames = []
    for i in range(int(60 * FPS)):  # syllables at ~4 Hz: the mouth is open most of the time
        opening = max(0.0, np.sin(2 * np.pi * 4.0 * i / FPS) + 0.4) * 2.0
        frames.append(REST + face(AU25=opening, AU26=0.7 * opening, AU12=0.3 * rng.random()))
    readings = drive(AUStabilizer.from_config(config), [REST] * 30 + frames)
    drift = np.abs(readings[-1].neutral - REST)
    assert drift.max() < 0.1, drift
    # and the talking still drives the mouth at its full size at the end of the minute
    assert max(r.delta[AU.AU25] for r in readings[-30:]) > 2.0


def test_c_sets_the_neutral_to_the_face_shown_and_keeps_it(config):
    stab = AUStabilizer.from_config(config)
    drive(stab, [REST] * 30)
    stab.recalibrate()
    frowning_rest = REST + face(AU04=2.5)  # a user whose face at rest reads as a frown
    readings = drive(stab, [frowning_rest] * 30, t0=30)
    assert readings[-1].neutral_state == "set"
    np.testing.assert_allclose(readings[-1].neutral, frowning_rest, atol=1e-6)
    readings = drive(stab, [REST] * 300, t0=60)  # kept: the automatic estimate does not undo it
    np.testing.assert_allclose(readings[-1].neutral, frowning_rest, atol=1e-6)


def test_without_auto_calibration_aus_are_absolute_until_c(config):
    stab = AUStabilizer.from_config(config.replace("calibration.auto", False))
    readings = drive(stab, [REST] * 30)
    np.testing.assert_allclose(readings[-1].delta, REST, atol=1e-6)


@pytest.mark.parametrize("gone_s, expected_state", [(0.2, "holding"), (1.0, "easing"), (3.0, "lost")])
def test_no_face_holds_then_eases_to_neutral(config, gone_s, expected_state):
    stab = AUStabilizer.from_config(config)
    stab.baseline.set_neutral(np.full(17, 0.5, np.float32))
    face = np.full(17, 2.5, np.float32)
    for i in range(30):
        stab.update(face, True, i * 1000 / 30)
    last_t = 29 * 1000 / 30
    reading = stab.update(None, False, last_t + gone_s * 1000)
    assert reading.state == expected_state and not reading.success
    hold, ease = config.no_face.hold_seconds, config.no_face.ease_seconds
    w = min(1.0, max(0.0, (gone_s - hold) / ease))
    w = w * w * (3 - 2 * w)
    np.testing.assert_allclose(reading.aus, (1 - w) * 2.5 + w * 0.5, atol=0.02)
    assert stab.lost_events == 1


def test_no_face_before_any_face_is_neutral_and_never_raises(config):
    stab = AUStabilizer.from_config(config)
    reading = stab.update(None, False, 0.0)
    assert reading.state == "lost" and np.all(reading.aus == reading.neutral)


def test_hints_ride_only_on_frames_that_show_the_drivers_face(config):
    """The driver's wink and gaze (and mouth) travel with a tracked frame; a held, eased or lost
    frame shows no face, so it carries none and the portrait follows the AUs alone there."""
    stab = AUStabilizer.from_config(config)
    wink, gaze = np.ones((2, 17), np.float32), np.array([0.2, 0.0], np.float32)
    tracked = stab.update(np.zeros(17, np.float32), True, 0.0)
    held = stab.update(None, False, 33.0)
    assert (tracked.state, held.state) == ("tracking", "holding")
    carried = with_hint(tracked, wink=wink, gaze=gaze, mouth_hint=None)
    assert carried.wink is wink and carried.gaze is gaze and carried.mouth_hint is None
    assert np.array_equal(carried.aus, tracked.aus)
    assert with_hint(held, wink=wink, gaze=gaze) is held
