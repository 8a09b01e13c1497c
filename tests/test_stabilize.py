import numpy as np
import pytest

from livemorph.aus import AU
from livemorph.stabilize import AUStabilizer, NeutralCalibrator, OneEuroFilter


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


def test_neutral_is_taken_from_a_calm_stretch_and_recalibrated_on_demand():
    cal = NeutralCalibrator(seconds=1.0, max_motion=0.15, quantile=0.5)
    rest = np.linspace(0, 1.6, 17).astype(np.float32)
    for i in range(40):  # 1.3 s of calm face at 30 fps
        cal.update(rest + 0.01 * (i % 2), i / 30)
    assert cal.calibrated
    np.testing.assert_allclose(cal.neutral, rest, atol=0.02)
    cal.recalibrate()
    new_rest = rest + 0.5
    for i in range(40, 80):
        cal.update(new_rest, i / 30)
    np.testing.assert_allclose(cal.neutral, new_rest, atol=1e-6)


def test_motion_restarts_the_calm_window():
    cal = NeutralCalibrator(seconds=1.0, max_motion=0.15, quantile=0.5)
    for i in range(60):  # alternating big expressions: never calm
        cal.update(np.full(17, 3.0 * (i % 2), np.float32), i / 30)
    assert not cal.calibrated


@pytest.mark.parametrize("gone_s, expected_state", [(0.2, "holding"), (1.0, "easing"), (3.0, "lost")])
def test_no_face_holds_then_eases_to_neutral(config, gone_s, expected_state):
    stab = AUStabilizer.from_config(config)
    stab.calibrator.set_neutral(np.full(17, 0.5, np.float32))
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
