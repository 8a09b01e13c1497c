"""Engine choice, the per-frame step, side-by-side layout and offline rendering (with a test engine)."""
from __future__ import annotations

import logging

import av
import numpy as np
import pytest
from PIL import Image

import fake_engines
from livemorph.engines import base as engines_base
from livemorph.aus import AU, NUM_AUS
from livemorph.face.au_tracks import AUTrackWriter
from livemorph.config.settings import load_config
from livemorph.errors import ConfigError, InputNotFound
from livemorph.engines import resolve_engine_name
from livemorph.runtime.render import PortraitPuppet, render_offline, side_by_side
from livemorph.portrait import PortraitFace
from livemorph.face.stabilize import AUReading
from livemorph.face.tracking import FaceTrack


def synthetic_portrait(h=120, w=100, box=(30, 40, 70, 90), resting=None) -> PortraitFace:
    """A gradient 'portrait' whose face landmarks span ``box`` (x0, y0, x1, y1)."""
    rng = np.random.default_rng(1)
    image = rng.integers(0, 200, (h, w, 3), dtype=np.uint8)
    x0, y0, x1, y1 = box
    landmarks = np.zeros((478, 3), np.float32)
    landmarks[:, 0] = np.linspace(x0, x1, 478)
    landmarks[:, 1] = np.linspace(y0, y1, 478)[::-1]
    track = FaceTrack(landmarks=landmarks, blendshapes=np.zeros(52, np.float32), transform=np.eye(4, dtype=np.float32),
                      present=True, image_size=(h, w))
    resting = np.zeros(NUM_AUS, np.float32) if resting is None else np.asarray(resting, np.float32)
    return PortraitFace(image=image, track=track, resting_aus=resting, source="synthetic")


def reading(aus, neutral=None, success=True) -> AUReading:
    return AUReading(aus=np.asarray(aus, np.float32),
                     neutral=np.zeros(NUM_AUS, np.float32) if neutral is None else np.asarray(neutral, np.float32),
                     success=success, confidence=1.0, state="tracking", timestamp_ms=0.0)


# ---- engine choice ---------------------------------------------------------------------------
def test_auto_engine_is_warp_without_checkpoint_and_ganimation_with_one(caplog, monkeypatch):
    monkeypatch.setattr(engines_base, "_announced", set())  # as in a fresh process
    with caplog.at_level(logging.DEBUG, logger="livemorph.engines.base"):
        assert resolve_engine_name(load_config()) == "warp"
        assert resolve_engine_name(load_config()) == "warp"
    announcements = [r.getMessage() for r in caplog.records if r.getMessage().startswith("engine: warp")]
    assert len(announcements) == 1  # said once per process, not once per call
    assert resolve_engine_name(load_config(overrides=["ganimation.checkpoint=/x/g.pth"])) == "ganimation"
    assert resolve_engine_name(load_config(overrides=["engine.name=warp", "ganimation.checkpoint=/x/g.pth"])) == "warp"


def test_engine_choice_errors_are_config_errors():
    with pytest.raises(ConfigError, match="valid"):
        resolve_engine_name(load_config(overrides=["engine.name=magic"]))
    with pytest.raises(ConfigError, match="--checkpoint"):
        resolve_engine_name(load_config(overrides=["engine.name=ganimation"]))


# ---- the step --------------------------------------------------------------------------------
def test_step_retargets_the_users_change_onto_the_resting_face():
    resting = np.full(NUM_AUS, 1.0, np.float32)
    resting[AU.AU45] = 0.3
    resting[AU.AU12] = 3.0  # a grin (at least driving.relax_grins_from), so the default relax applies
    portrait = synthetic_portrait(resting=resting)
    engine = fake_engines.TintEngine()
    config = load_config(overrides=["driving.strength=2.0", "driving.gains={AU12: 0.5}", "driving.locks=[AU45]"])
    puppet = PortraitPuppet(engine, portrait, config.driving)
    user = np.full(NUM_AUS, 0.5, np.float32)
    user[AU.AU12] = 3.5
    user[AU.AU45] = 5.0
    user[AU.AU26] = 4.5
    neutral = np.full(NUM_AUS, 0.5, np.float32)
    frame = puppet.step(reading(user, neutral))
    (got,) = engine.seen_aus
    # by hand: resting (relaxed to the default driving.relax: AU12 0.6, AU26 0.5) +
    # strength * gain * (user - neutral), locks keep resting, no clipping
    assert got[AU.AU12] == pytest.approx(0.6 + 2.0 * 0.5 * 3.0)
    assert got[AU.AU45] == pytest.approx(0.3)
    assert got[AU.AU26] == pytest.approx(0.5 + 2.0 * 4.0)  # the engine bounds it, not the retarget
    assert got[AU.AU01] == pytest.approx(1.0)  # no change from neutral, and brows are not relaxed
    assert frame.shape == portrait.image.shape
    np.testing.assert_array_equal(frame, fake_engines.expected_tint(portrait.image, (30, 40, 70, 90), got[AU.AU12]))


def test_step_rejects_an_engine_that_returns_the_wrong_size():
    class Tiny(fake_engines.TintEngine):
        def render(self, prepared, aus):
            return np.zeros((128, 128, 3), np.uint8)

    puppet = PortraitPuppet(Tiny(), synthetic_portrait(), load_config().driving)
    with pytest.raises(ValueError, match="portrait's size"):
        puppet.step(reading(np.zeros(NUM_AUS)))


def test_side_by_side_puts_the_scaled_driver_left():
    driver = np.zeros((50, 80, 3), np.uint8)
    driver[:, :40] = 255
    output = np.full((100, 60, 3), 7, np.uint8)
    joined = side_by_side(driver, output)
    assert joined.shape == (100, 160 + 60, 3)
    np.testing.assert_array_equal(joined[:, 160:], output)
    assert joined[:, :70].min() == 255 and joined[:, 90:160].max() == 0


# ---- offline render from an AU track ---------------------------------------------------------
AU12_RAMP = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0]


def write_track(path, fps=25.0, success=None):
    with AUTrackWriter(path) as writer:
        for i, value in enumerate(AU12_RAMP):
            aus = np.zeros(NUM_AUS, np.float32)
            aus[AU.AU12] = value
            ok = True if success is None else success[i]
            writer.write(i, i / fps, aus, ok, 0.98)
    return path


def exact_config(*extra):
    # No smoothing, absolute AUs (--neutral none): the AUs shown are exactly the track's.
    # No response probing either: the fake engines record every AU vector they draw.
    return load_config(overrides=["smoothing.enabled=false", "calibration.offline=none", "driving.auto_gain=false", *extra])


@pytest.fixture
def tint_engine():
    return fake_engines.register("test-tint")


def test_render_track_to_frames_shows_each_rows_aus_and_nothing_else_moves(tmp_path, tint_engine):
    track = write_track(tmp_path / "ramp.csv")
    portrait = synthetic_portrait()
    out = tmp_path / "frames"
    summary = render_offline(portrait, track, out, exact_config("engine.name=test-tint"), progress=False)
    assert summary.frames == len(AU12_RAMP) and summary.faces_found == len(AU12_RAMP)
    assert summary.fps == pytest.approx(25.0)  # from the track's timestamps
    assert summary.size == (100, 120)
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == len(AU12_RAMP)
    for name, value in zip(names, AU12_RAMP):
        frame = np.asarray(Image.open(out / name))
        np.testing.assert_array_equal(frame, fake_engines.expected_tint(portrait.image, (30, 40, 70, 90), value))


def test_render_track_with_lost_face_eases_to_the_resting_face(tmp_path, tint_engine):
    success = [True] * 4 + [False] * 4
    track = write_track(tmp_path / "lost.csv", fps=5.0, success=success)  # 0.2 s per row
    summary = render_offline(synthetic_portrait(), track, tmp_path / "o", exact_config(
        "engine.name=test-tint", "no_face.hold_seconds=0.2", "no_face.ease_seconds=0.4"), progress=False)
    assert summary.faces_found == 4
    au12 = [a[AU.AU12] for a in tint_engine.seen_aus]
    assert au12[:4] == pytest.approx(AU12_RAMP[:4])
    assert au12[4] == pytest.approx(AU12_RAMP[3])  # held
    assert au12[-1] == pytest.approx(0.0)  # eased back to neutral (0) -> the portrait at rest


def test_render_track_to_mp4_at_the_tracks_rate_and_max_frames(tmp_path, tint_engine):
    track = write_track(tmp_path / "ramp.csv", fps=12.5)
    out = tmp_path / "clip.mp4"
    summary = render_offline(synthetic_portrait(), track, out, exact_config("engine.name=test-tint"),
                             max_frames=5, progress=False)
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        assert float(stream.average_rate) == pytest.approx(12.5)
    assert len(frames) == summary.frames == 5
    assert (frames[0].width, frames[0].height) == (100, 120)


def test_render_fps_override(tmp_path, tint_engine):
    track = write_track(tmp_path / "ramp.csv", fps=25.0)
    summary = render_offline(synthetic_portrait(), track, tmp_path / "x.mp4",
                             exact_config("engine.name=test-tint", "render.fps=10"), progress=False)
    with av.open(str(summary.out)) as container:
        assert float(container.streams.video[0].average_rate) == pytest.approx(10)


@pytest.mark.parametrize("failure", [RuntimeError, KeyboardInterrupt])
def test_a_failing_render_leaves_no_output(tmp_path, failure):
    fake_engines.register("test-failing", fail_at=3, fail_with=failure)
    track = write_track(tmp_path / "ramp.csv")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(failure, match="on purpose"):
        render_offline(synthetic_portrait(), track, out_dir / "clip.mp4", exact_config("engine.name=test-failing"),
                       progress=False)
    assert list(out_dir.iterdir()) == []


def test_track_side_by_side_shows_the_driving_aus_as_bars(tmp_path, tint_engine):
    from livemorph.outputs.compose import BAR

    track = write_track(tmp_path / "ramp.csv")
    portrait = synthetic_portrait()
    out = tmp_path / "sbs"
    render_offline(portrait, track, out, exact_config("engine.name=test-tint"), side_by_side_layout=True,
                   progress=False)
    frames = [np.asarray(Image.open(p)) for p in sorted(out.iterdir())]
    panel_w = frames[0].shape[1] - 100
    assert all(f.shape == (120, panel_w + 100, 3) for f in frames) and panel_w > 0
    for f, value in zip(frames, AU12_RAMP):  # the portrait is untouched on the right
        np.testing.assert_array_equal(f[:, panel_w:], fake_engines.expected_tint(portrait.image, (30, 40, 70, 90), value))
    # the panel draws bars in BAR colour; the AU12 row's bar grows with the track's AU12
    bar_pixels = [int(np.all(np.abs(f[:, :panel_w].astype(int) - BAR) < 60, axis=-1).sum()) for f in frames]
    assert bar_pixels[0] < bar_pixels[4] < bar_pixels[-1]


def test_missing_driver_is_not_found_before_any_work(tmp_path, tint_engine):
    with pytest.raises(InputNotFound):
        render_offline(synthetic_portrait(), tmp_path / "none.csv", tmp_path / "b.mp4",
                       exact_config("engine.name=test-tint"), progress=False)
    assert list(tmp_path.iterdir()) == []


def test_track_rates_snap_to_the_video_rate_they_came_from():
    from livemorph.runtime.render import snap_to_common_rate, track_rate

    assert track_rate(np.round(np.arange(60) / 30, 3)) == 30.0  # stamps written with ms precision
    assert track_rate(np.round(np.arange(100) / 23.976, 3)) == 23.976
    assert track_rate(np.array([0.0])) == 30.0  # no timing: the default
    assert snap_to_common_rate(29.97) == 29.97
    assert snap_to_common_rate(17.0) == 17.0


@pytest.mark.slow
def test_driver_video_without_a_face_leaves_the_portrait_at_rest(tmp_path, tint_engine):
    from conftest import shared_path

    driver = shared_path("assets/driving/no_face.mp4")
    portrait = synthetic_portrait()
    summary = render_offline(portrait, driver, tmp_path / "frames", load_config(overrides=["engine.name=test-tint"]),
                             max_frames=15, progress=False)
    assert summary.frames == 15 and summary.faces_found == 0
    assert summary.fps == pytest.approx(23.67, abs=0.01)  # the driver's own rate
    for path in sorted((tmp_path / "frames").iterdir()):
        np.testing.assert_array_equal(np.asarray(Image.open(path)), portrait.image)  # AU12 stays at rest (0)
