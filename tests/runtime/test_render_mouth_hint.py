"""The driver's mouth hint between the driver and the engine in ``render``: readings carry it
from a driver video (both offline passes), never from an AU track, and only for an engine that
paints it; engines without the keyword still work."""
from __future__ import annotations

import numpy as np

import fake_engines
from livemorph.aus import NUM_AUS
from livemorph.face.au_tracks import AUTrack, write_au_track
from livemorph.face.mouth_hint import PATCH_HW, MouthHint
from livemorph.face.stabilize import AUReading
from livemorph.runtime.render import PortraitPuppet, _driver_readings

from conftest import shared_face, shared_path

HINT = MouthHint(patch=np.full(PATCH_HW + (3,), 200.0, np.float32),
                 lip_rgb=np.array([170.0, 80, 70], np.float32), opening=0.3)


def _reading_with_hint() -> AUReading:
    return AUReading(aus=np.zeros(NUM_AUS, np.float32), neutral=np.zeros(NUM_AUS, np.float32), success=True,
                     confidence=1.0, state="tracking", timestamp_ms=0.0, mouth_hint=HINT)


def test_offline_driver_video_readings_carry_the_open_mouth(config):
    for mode in ("auto", "live"):  # auto: the second pass over the first pass's tracks
        cfg = config.replace("calibration.offline", mode)
        with _driver_readings(shared_path("assets/driving/woman_expressions.mp4"), cfg, 21,
                              mouth_hints=True) as (_, readings):
            items = list(readings)
        hints = [reading.mouth_hint for _, reading in items if reading.mouth_hint is not None]
        assert len(hints) >= 5, mode
        assert all(image is not None for image, _ in items)


def test_an_au_track_drives_without_a_mouth_hint(tmp_path, config):
    rows = 5
    track = AUTrack(frames=np.arange(1, rows + 1), timestamps_s=np.arange(rows) / 30.0,
                    confidence=np.ones(rows, np.float32), success=np.ones(rows, bool),
                    aus=np.full((rows, NUM_AUS), 2.0, np.float32))
    path = write_au_track(tmp_path / "take.csv", track)
    with _driver_readings(path, config, None, mouth_hints=True) as (_, readings):
        items = list(readings)
    assert len(items) == rows
    assert all(image is None and reading.mouth_hint is None for image, reading in items)


def test_an_engine_without_the_keyword_still_renders_a_reading_with_a_hint(config, image_tracker):
    engine = fake_engines.TintEngine()
    puppet = PortraitPuppet(engine, shared_face("mona_lisa.jpg", config, image_tracker), config.driving)
    frame = puppet.step(_reading_with_hint())
    assert frame.shape[:2] == puppet.size and engine.calls == 1


def test_the_puppet_hands_the_hint_to_the_warp_engine(config, image_tracker):
    from livemorph.aus import AU
    from livemorph.engines.warp import WarpEngine

    puppet = PortraitPuppet(WarpEngine(config.warp), shared_face("mona_lisa.jpg", config, image_tracker),
                            config.driving)
    aus = np.zeros(NUM_AUS, np.float32)
    aus[AU.AU26], aus[AU.AU25] = 3.0, 2.0
    plain = AUReading(aus=aus, neutral=np.zeros(NUM_AUS, np.float32), success=True, confidence=1.0,
                      state="tracking", timestamp_ms=0.0)
    hinted = AUReading(aus=aus, neutral=plain.neutral, success=True, confidence=1.0, state="tracking",
                       timestamp_ms=0.0, mouth_hint=HINT)
    assert not np.array_equal(puppet.step(plain), puppet.step(hinted))


def test_render_cuts_the_drivers_mouth_only_for_an_engine_that_paints_it(tmp_path, config, monkeypatch,
                                                                          image_tracker):
    """Cutting a hint costs ~0.3 ms a frame: an engine drawing from AUs alone (GANimation, a
    plugin) must not pay for it, and the warp engine must still get it. Counted at the cut."""
    import livemorph.face.mouth_hint as mouth_hint
    from livemorph.runtime.render import render_offline

    cuts = []
    cut = mouth_hint.with_mouth_hint
    monkeypatch.setattr(mouth_hint, "with_mouth_hint", lambda *a, **k: cuts.append(1) or cut(*a, **k))
    driver = shared_path("assets/driving/woman_expressions.mp4")
    portrait = shared_face("mona_lisa.jpg", config, image_tracker)
    exact = config.replace("driving.auto_gain", False)
    fake_engines.register("test-tint")
    render_offline(portrait, driver, tmp_path / "tint", exact.replace("engine.name", "test-tint"),
                   max_frames=12, progress=False)
    assert cuts == []
    render_offline(portrait, driver, tmp_path / "warp", exact.replace("engine.name", "warp"), max_frames=12,
                   progress=False)
    assert len(cuts) == 12
