"""A wink, between the driver and the engine: AU45 is one number for both eyes, so a driver's
wink travels beside the AUs (``face.wink``), from a driver video (both offline passes), never
from an AU track; the warp engine shuts the portrait's eye on the driver's winking side.

Which eye winks is read from the lids' geometry in the pictures (MediaPipe's landmarks), not
from the blendshapes the hint is made of. woman_expressions winks twice: the subject's left eye
over frames 8-20, the right over 36-46."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

import fake_engines
from livemorph.aus import NUM_AUS
from livemorph.face.au_tracks import AUTrack, write_au_track
from livemorph.face.stabilize import AUReading
from livemorph.frames import load_image
from livemorph.runtime.render import PortraitPuppet, _driver_readings, render_offline

from conftest import shared_face, shared_path
from face_regions import eye_apertures

DRIVER = "assets/driving/woman_expressions.mp4"
LEFT_WINK, RIGHT_WINK, OPEN = 14, 42, 0  # frames: the subject's left eye shut, the right, both open


def _apertures(tracker, image) -> np.ndarray:
    track = tracker.detect_largest(image)
    assert track.present
    return np.array(eye_apertures(track.landmarks))


def _winking_side(apertures: np.ndarray) -> int:
    """0 = the subject's right eye is the shut one, 1 = the left; asserts one eye is shut and the other open."""
    shut = int(np.argmin(apertures))
    assert apertures[shut] < 0.5 * apertures[1 - shut], apertures
    return shut


def test_offline_driver_video_readings_carry_the_drivers_wink(config, image_tracker):
    for mode in ("auto", "live"):  # auto: the second pass over the first pass's tracks
        cfg = config.replace("calibration.offline", mode)
        with _driver_readings(shared_path(DRIVER), cfg, RIGHT_WINK + 1) as (_, readings):
            items = list(readings)
        for index in (LEFT_WINK, RIGHT_WINK):
            image, reading = items[index]
            side = _winking_side(_apertures(image_tracker, image))
            assert reading.wink[side] > 1.0 and reading.wink[1 - side] < 0.0, (mode, index, reading.wink)
        assert np.array_equal(items[OPEN][1].wink, np.zeros(2)), mode


def test_an_au_track_drives_without_a_wink(tmp_path, config):
    rows = 5
    track = AUTrack(frames=np.arange(1, rows + 1), timestamps_s=np.arange(rows) / 30.0,
                    confidence=np.ones(rows, np.float32), success=np.ones(rows, bool),
                    aus=np.full((rows, NUM_AUS), 2.0, np.float32))
    with _driver_readings(write_au_track(tmp_path / "take.csv", track), config, None) as (_, readings):
        assert all(reading.wink is None for _, reading in readings)


def test_an_engine_without_the_keyword_still_renders_a_reading_with_a_wink(config, image_tracker):
    engine = fake_engines.TintEngine()
    puppet = PortraitPuppet(engine, shared_face("mona_lisa.jpg", config, image_tracker), config.driving)
    reading = AUReading(aus=np.zeros(NUM_AUS, np.float32), neutral=np.zeros(NUM_AUS, np.float32), success=True,
                        confidence=1.0, state="tracking", timestamp_ms=0.0, wink=np.array([-1.0, 2.5], np.float32))
    assert puppet.step(reading).shape[:2] == puppet.size and engine.calls == 1


def test_a_drivers_wink_shuts_the_portraits_eye_on_the_same_side(tmp_path, config, image_tracker):
    """``render`` with the product's defaults: where the driver winks, the portrait's eye on that
    side shuts and the other stays open (AU45 alone closed both eyes a little); with both of the
    driver's eyes open, the portrait's are open alike."""
    out = tmp_path / "frames"
    render_offline(shared_path("assets/portraits/mona_lisa.jpg"), shared_path(DRIVER), out, config,
                   side_by_side_layout=False, max_frames=RIGHT_WINK + 1, progress=False)
    frames = sorted(out.glob("*.png"))
    with _driver_readings(shared_path(DRIVER), config.replace("calibration.offline", "none"),
                          RIGHT_WINK + 1) as (_, readings):
        driver = [image for image, _ in readings]
    rest = _apertures(image_tracker, load_image(frames[OPEN]))
    assert 0.7 < rest[0] / rest[1] < 1.4, rest
    for index in (LEFT_WINK, RIGHT_WINK):
        side = _winking_side(_apertures(image_tracker, driver[index]))
        output = _apertures(image_tracker, load_image(frames[index]))
        # MediaPipe reads a shut painted lid at ~0.07-0.1 (its lash line), an open eye at ~0.2.
        assert output[side] < 0.5 * rest[side], (index, output, rest)
        assert output[side] < 0.7 * output[1 - side], (index, output)


def test_a_drivers_blink_still_shuts_both_of_the_portraits_eyes(tmp_path, config, image_tracker):
    """Blinks are not winks: one eye shutting a frame before the other (woman_blinks' eyes differ
    by up to 0.24 eyeBlink mid-blink) must not leave either eye open at the blink."""
    blink = 19  # woman_blinks: both eyes shut (the contact sheet's blink frame)
    out = tmp_path / "frames"
    render_offline(shared_path("assets/portraits/mona_lisa.jpg"), shared_path("assets/driving/woman_blinks.mp4"),
                   out, config, side_by_side_layout=False, max_frames=blink + 1, progress=False)
    frames = sorted(out.glob("*.png"))
    rest = _apertures(image_tracker, load_image(frames[0]))
    shut = _apertures(image_tracker, load_image(frames[blink]))
    assert (shut < 0.5 * rest).all(), (shut, rest)


def test_a_locked_blink_does_not_wink(config, image_tracker):
    """``driving.locks: [AU45]`` keeps the portrait's own eyes: the wink beside the AUs is a blink
    too, so it is held with AU45."""
    from livemorph.engines.warp import WarpEngine

    def frames(cfg):
        puppet = PortraitPuppet(WarpEngine(cfg.warp), shared_face("mona_lisa.jpg", cfg, image_tracker), cfg.driving)
        reading = AUReading(aus=np.zeros(NUM_AUS, np.float32), neutral=np.zeros(NUM_AUS, np.float32), success=True,
                            confidence=1.0, state="tracking", timestamp_ms=0.0)
        return puppet.step(reading), puppet.step(replace(reading, wink=np.array([-0.9, 2.2], np.float32)))

    still, winking = frames(config)
    assert np.abs(still.astype(int) - winking).max() > 50  # one eye shuts
    still, winking = frames(config.replace("driving.locks", ["AU45"]))
    assert np.array_equal(still, winking)


def test_eyes_lowered_unevenly_are_not_a_wink(tmp_path, config, image_tracker):
    """pexels_woman_laughing opens looking down, head tilted: both lids low (MediaPipe reads one
    eye's blink 0.37, the other's 0.73) with neither eye open, so the portrait lowers both alike
    rather than shutting one and opening the other."""
    driver_path = shared_path("assets/driving/pexels_woman_laughing.mp4")
    out = tmp_path / "frames"
    # duration_s, not max_frames: the neutral comes from the whole driver, her face looking ahead
    render_offline(shared_path("assets/portraits/mona_lisa.jpg"), driver_path, out, config,
                   side_by_side_layout=False, duration_s=0.4, progress=False)
    frames = sorted(out.glob("*.png"))
    with _driver_readings(driver_path, config.replace("calibration.offline", "none"), 9) as (_, readings):
        driver = [image for image, _ in readings]
    for index in (0, 4, 8):
        assert (_apertures(image_tracker, driver[index]) < 0.12).all()  # neither of the driver's eyes is open
        right, left = _apertures(image_tracker, load_image(frames[index]))
        assert abs(right - left) < 0.04, (index, right, left)
