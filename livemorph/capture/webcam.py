"""A camera by index or device path, captured with OpenCV on its own thread; reopened when it vanishes."""
from __future__ import annotations

import logging
import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable

import numpy as np

from ..errors import CameraUnavailable
from ..frames import Frame, from_bgr
from .threaded import ThreadedSource

log = logging.getLogger(__name__)


@contextmanager
def quiet_opencv():
    """Silence OpenCV's own videoio warnings (a missing camera prints a page of them); we report our own."""
    import cv2

    previous = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(previous)


def open_cv_capture(device: int | str):
    import cv2

    # V4L2 directly on Linux: CAP_ANY would also try FFmpeg and Orbbec backends on every miss.
    backend = cv2.CAP_V4L2 if sys.platform.startswith("linux") else cv2.CAP_ANY
    with quiet_opencv():
        return cv2.VideoCapture(device, backend)


class WebcamSource(ThreadedSource):
    """A camera by index (0) or device path (/dev/video0), captured on its own thread.

    ``capture_factory(device)`` returns an OpenCV ``VideoCapture``-like object (``isOpened``,
    ``read``, ``set``, ``get``, ``release``); tests pass a fake one.
    """

    def __init__(self, device: int | str, *, width: int, height: int, fps: float,
                 reopen_seconds: float = 1.0, first_frame_timeout: float = 5.0,
                 capture_factory: Callable[[int | str], object] = open_cv_capture):
        super().__init__()
        self.device = device
        self.requested_size = (int(width), int(height))
        self.requested_fps = float(fps)
        self.reopen_seconds = float(reopen_seconds)
        self.first_frame_timeout = float(first_frame_timeout)
        self.reopen_count = 0
        self.description = f"camera {device}"
        self._factory = capture_factory
        self._capture = None
        self._capture_lock = threading.Lock()
        self._t0 = 0.0
        self._index = 0

    def _configure(self, capture) -> None:
        import cv2

        width, height = self.requested_size
        # Most USB webcams reach 30 fps at 720p only in MJPG (raw YUYV is bandwidth-limited);
        # a camera without MJPG ignores this and keeps its default format.
        capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        capture.set(cv2.CAP_PROP_FPS, self.requested_fps)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # keep the driver from queueing stale frames

    def _open_capture(self):
        capture = self._factory(self.device)
        if capture is None or not capture.isOpened():
            if capture is not None:
                capture.release()
            return None
        self._configure(capture)
        return capture

    def open(self) -> None:
        import cv2

        if self._thread is not None:
            return
        capture = self._open_capture()
        if capture is None:
            raise CameraUnavailable(
                f"cannot open {self.description}: no such camera or it is busy; "
                "check `livemorph doctor` for cameras found and close other apps using it"
            )
        # A busy camera often opens but never delivers: insist on a first frame.
        deadline = time.monotonic() + self.first_frame_timeout
        ok, bgr = capture.read()
        while not ok and time.monotonic() < deadline:
            time.sleep(0.05)
            ok, bgr = capture.read()
        if not ok or bgr is None:
            capture.release()
            raise CameraUnavailable(
                f"{self.description} opened but delivers no frames (busy or disconnected); "
                "close other apps using it or choose another --source"
            )
        self._capture = capture
        height, width = bgr.shape[:2]
        self.size = (width, height)
        granted_fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = granted_fps if granted_fps > 0 else None
        self.granted_size, self.granted_fps = self.size, self.fps
        log.info("%s: requested %dx%d @ %g fps, granted %dx%d @ %s fps", self.description,
                 *self.requested_size, self.requested_fps, width, height,
                 f"{self.fps:g}" if self.fps else "unknown")
        self._t0 = time.monotonic()
        self.clock_origin = self._t0  # time.monotonic() of timestamp 0 (the live loop's latency clock)
        self._publish(bgr)
        self._start_thread(self._capture_loop, f"livemorph-{self.description}")

    def _publish(self, bgr: np.ndarray) -> None:
        image = from_bgr(bgr) if bgr.ndim == 3 else np.ascontiguousarray(np.repeat(bgr[..., None], 3, axis=2))
        timestamp_ms = (time.monotonic() - self._t0) * 1000.0
        self._slot.put(Frame(image, self._index, timestamp_ms))
        self._index += 1

    def _capture_loop(self) -> None:
        try:
            self._capture_frames()
        finally:
            self._release_capture()  # on this thread: never while a read() is in progress

    def _capture_frames(self) -> None:
        failures = 0
        while not self._stop.is_set():
            ok, bgr = self._capture.read() if self._capture is not None else (False, None)
            if ok and bgr is not None:
                failures = 0
                self._publish(bgr)
                continue
            failures += 1
            if failures < 5:  # a single failed grab happens; five in a row means the camera is gone
                time.sleep(0.01)
                continue
            self._reopen()
            failures = 0

    def _reopen(self) -> None:
        log.warning("%s stopped delivering frames (unplugged?); trying to reopen it every %g s",
                    self.description, self.reopen_seconds)
        self._release_capture()
        while not self._stop.wait(self.reopen_seconds):
            self.reopen_count += 1
            capture = self._open_capture()
            if capture is not None:
                self._capture = capture
                log.warning("%s is back", self.description)
                return

    def _release_capture(self) -> None:
        with self._capture_lock:
            capture, self._capture = self._capture, None
        if capture is not None:
            capture.release()

    def close(self) -> None:
        super().close()
        if self.capture_thread_running:
            # Releasing a VideoCapture under a blocked read() crashes some drivers: the capture
            # thread releases it itself when the read returns.
            log.warning("%s: a frame read is still in progress; the camera is released when it returns",
                        self.description)
            return
        self._release_capture()
