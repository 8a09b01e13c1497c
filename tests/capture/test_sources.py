"""Sources: dispatch by spec, every frame offline, newest frame live, cameras that fail or vanish."""
from __future__ import annotations

import logging
import threading
import time

import numpy as np
import pytest

from conftest import shared_path
from livemorph.errors import CameraUnavailable, InputNotFound, InputUnreadable
from livemorph.capture.image import ImageSource
from livemorph.capture.sources import open_source, parse_source_spec
from livemorph.capture.video_file import VideoFileSource
from livemorph.capture.webcam import WebcamSource
from livemorph.frames import Frame
from livemorph.handoff import Handoff, HandoffClosed


def test_spec_dispatch(tmp_path):
    video = shared_path("assets/driving/man_smiling_short.mp4")
    image = shared_path("assets/portraits/mona_lisa.jpg")
    assert parse_source_spec(0) == ("webcam", 0)
    assert parse_source_spec("2") == ("webcam", 2)
    assert parse_source_spec("/dev/video4") == ("webcam", "/dev/video4")
    assert parse_source_spec(str(video)) == ("video", str(video))
    assert parse_source_spec(str(image)) == ("image", str(image))
    assert isinstance(open_source(str(video), paced=False), VideoFileSource)
    assert isinstance(open_source(str(image)), ImageSource)
    with pytest.raises(InputNotFound):
        open_source(str(tmp_path / "missing.mp4"))
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputUnreadable):
        open_source(str(tmp_path / "notes.txt"))


def test_unreadable_video_is_a_user_error(tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video at all" * 10)
    with pytest.raises(InputUnreadable):
        VideoFileSource(bad, paced=False)


def test_video_offline_gives_every_frame_in_order():
    path = shared_path("assets/driving/man_smiling_short.mp4")  # 640x360, 30 fps, 72 frames
    with open_source(str(path), paced=False) as source:
        assert source.clock_origin is None  # offline: no capture clock
        assert source.size == (640, 360)
        assert source.fps == pytest.approx(30, rel=1e-3)
        assert source.frame_count == 72
        frames = list(source)
    assert len(frames) == 72
    assert [f.index for f in frames] == list(range(72))
    assert frames[0].image.shape == (360, 640, 3) and frames[0].image.dtype == np.uint8
    assert np.all(np.diff([f.timestamp_ms for f in frames]) == pytest.approx(1000 / 30))
    assert source.dropped == 0
    # it is a moving video, not one frame repeated
    assert np.abs(frames[0].image.astype(int) - frames[60].image.astype(int)).mean() > 1


def test_video_loop_restarts_with_increasing_timestamps():
    path = shared_path("assets/driving/man_smiling_short.mp4")
    source = VideoFileSource(path, paced=False, loop=True)
    frames = []
    for frame in source:
        frames.append(frame)
        if len(frames) == 80:
            break
    np.testing.assert_array_equal(frames[72].image, frames[0].image)
    assert np.all(np.diff([f.timestamp_ms for f in frames]) > 0)


def test_unpaced_read_latest_reads_in_order_then_ends():
    path = shared_path("assets/driving/man_smiling_short.mp4")
    with open_source(str(path), paced=False) as source:
        indices = []
        while (frame := source.read_latest()) is not None:
            indices.append(frame.index)
        assert source.ended
    assert indices == list(range(72))


def test_paced_video_hands_on_the_newest_frame_and_drops_stale_ones():
    path = shared_path("assets/driving/man_smiling_short.mp4")  # 2.4 s at 30 fps
    got = []
    with open_source(str(path), paced=True) as source:
        start = time.monotonic()
        while True:
            frame = source.read_latest(timeout=1.0)
            if frame is None:
                if source.ended:
                    break
                continue
            got.append((time.monotonic() - start, frame.index))
            # the capture clock: this frame was due at origin + timestamp, shortly before we got it
            assert 0 <= time.monotonic() - (source.clock_origin + frame.timestamp_ms / 1000) < 0.25
            time.sleep(0.2)  # a slow consumer: about 6 frames arrive per read
        dropped = source.dropped
    elapsed = time.monotonic() - start
    indices = [i for _, i in got]
    assert indices == sorted(set(indices))  # never the same frame twice, never backwards
    assert dropped > 30 and dropped + len(indices) == 72  # everything was either read or dropped
    assert elapsed == pytest.approx(72 / 30, abs=0.6)  # played in real time
    # each frame handed on was the newest one: its index matches the wall clock
    late = [abs(i - t * 30) for t, i in got[1:]]
    assert np.median(late) < 4


def test_image_source_once_and_repeated():
    path = shared_path("assets/portraits/london_042_grayscale.png")  # mode L -> RGB
    with ImageSource(path, once=True, paced=False) as source:
        frames = list(source)
        assert source.ended
    assert len(frames) == 1 and frames[0].image.ndim == 3
    with ImageSource(path, fps=50, paced=True) as source:
        start = time.monotonic()
        stamps = [source.read_latest().timestamp_ms for _ in range(10)]
        elapsed = time.monotonic() - start
    assert stamps == pytest.approx([i * 20.0 for i in range(10)])
    assert elapsed == pytest.approx(9 / 50, abs=0.05)


def test_latest_slot_keeps_only_the_newest_and_counts_drops():
    slot = Handoff(1)  # what the reader threads fill
    image = np.zeros((2, 2, 3), np.uint8)
    for i in range(5):
        slot.put(Frame(image, i, float(i)))
    assert slot.get(0).index == 4
    assert slot.dropped == 4
    assert slot.get(0.01) is None
    slot.close(InputUnreadable("boom"))
    with pytest.raises(InputUnreadable):
        slot.get(0)
    with pytest.raises(HandoffClosed):  # the error is raised once; then the hand-off is simply over
        slot.get(0)


# ---- cameras --------------------------------------------------------------------------------
def test_missing_camera_is_camera_unavailable():
    with pytest.raises(CameraUnavailable) as info:
        with open_source("/dev/video99"):
            pass
    assert "\n" not in str(info.value)
    with pytest.raises(CameraUnavailable):
        with WebcamSource(9, width=640, height=480, fps=30, first_frame_timeout=0.5):
            pass


class FakeCapture:
    """An OpenCV VideoCapture stand-in: delivers numbered frames, can be 'unplugged'."""

    def __init__(self, camera):
        self.camera = camera
        self.props = {}

    def isOpened(self):
        return self.camera.plugged

    def set(self, prop, value):
        self.props[prop] = value
        return True

    def get(self, prop):
        import cv2

        return {cv2.CAP_PROP_FPS: 25.0}.get(prop, 0.0)

    def read(self):
        time.sleep(1 / 200)
        if not self.camera.plugged or not self.camera.delivers:
            return False, None
        self.camera.count += 1
        frame = np.full((48, 64, 3), self.camera.count % 256, np.uint8)
        frame[..., 0] = 0  # BGR: blue 0, so RGB blue channel (index 2) must be 0
        return True, frame

    def release(self):
        self.camera.released += 1


class FakeCamera:
    def __init__(self, plugged=True, delivers=True):
        self.plugged, self.delivers = plugged, delivers
        self.count = 0
        self.released = 0
        self.opened = 0

    def factory(self, device):
        self.opened += 1
        return FakeCapture(self)


def test_busy_camera_that_delivers_nothing_is_camera_unavailable():
    camera = FakeCamera(delivers=False)
    with pytest.raises(CameraUnavailable, match="no frames"):
        WebcamSource(0, width=64, height=48, fps=30, first_frame_timeout=0.2, capture_factory=camera.factory).open()
    assert camera.released == 1


def test_camera_reports_grant_drops_stale_frames_and_survives_unplugging(caplog):
    camera = FakeCamera()
    source = WebcamSource(0, width=1280, height=720, fps=30, reopen_seconds=0.05, capture_factory=camera.factory)
    with caplog.at_level(logging.INFO, logger="livemorph.capture.webcam"):
        with source:
            assert source.size == (64, 48) and source.fps == 25.0  # what the camera granted
            assert source.requested_size == (1280, 720)
            first = source.read_latest(timeout=1)
            assert first.image[..., 2].max() == 0  # BGR -> RGB
            time.sleep(0.2)
            newest = source.read_latest(timeout=1)
            assert newest.index > first.index + 5 and source.dropped > 5
            # unplug: reads fail, the source must not crash or end
            camera.plugged = False
            time.sleep(0.3)
            assert not source.ended
            camera.plugged = True
            deadline = time.monotonic() + 3
            after = None
            while time.monotonic() < deadline:
                after = source.read_latest(timeout=0.5)
                if after is not None and after.index > newest.index + 3:
                    break
            assert after is not None and after.index > newest.index
            assert source.reopen_count >= 1
    assert "granted 64x48" in caplog.text
    assert "stopped delivering frames" in caplog.text
    assert not any(t.name.startswith("livemorph-camera") and t.is_alive() for t in threading.enumerate())


def test_upright_follows_the_display_matrix_convention():
    from livemorph.capture.video_file import upright

    image = np.zeros((2, 3, 3), np.uint8)
    image[0, 2] = 255  # top-right pixel
    assert upright(image, 0) is image
    # +90 = the frame is shown turned 90 degrees counter-clockwise: top-right goes to top-left
    ccw = upright(image, 90)
    assert ccw.shape == (3, 2, 3) and ccw[0, 0, 0] == 255
    # -90 (what phones store for portrait video) = turned clockwise: top-right goes to bottom-right
    cw = upright(image, -90)
    assert cw.shape == (3, 2, 3) and cw[2, 1, 0] == 255
    assert upright(image, 180)[1, 0, 0] == 255


def test_closing_a_camera_never_releases_it_during_a_read():
    camera = FakeCamera()
    in_read, unblock = threading.Event(), threading.Event()
    events = []

    class SlowCapture(FakeCapture):
        blocking = False

        def read(self):
            if self.blocking:
                events.append("read-start")
                in_read.set()
                unblock.wait(10)  # a driver stuck in a read
                events.append("read-end")
            return super().read()

        def release(self):
            events.append("release")
            super().release()

    capture = SlowCapture(camera)
    source = WebcamSource(0, width=64, height=48, fps=30, capture_factory=lambda device: capture)
    source.close_timeout_s = 0.1
    source.open()
    capture.blocking = True
    assert in_read.wait(5)
    source.close()                      # returns while the read is still blocked
    assert "release" not in events      # not released under the read
    unblock.set()
    source._thread.join(timeout=5)
    assert events[-2:] == ["read-end", "release"] and camera.released == 1
