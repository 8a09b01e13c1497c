"""Where frames come from: a webcam, a video file or a still image.

Every source is a context manager yielding ``livemorph.frames.Frame`` (RGB uint8, a running
``index`` and a strictly increasing ``timestamp_ms``, as MediaPipe's VIDEO mode needs) and
offers two ways to read:

* Live, newest frame first (what the live loop uses)::

      with open_source(spec, paced=True) as source:
          while not stop:
              frame = source.read_latest(timeout=0.5)
              if frame is None:          # nothing new within the timeout
                  if source.ended:       # a finite source ran out (never for cameras or loops)
                      break
                  continue
              ...                        # frame.timestamp_ms is its capture time
          print(source.dropped)          # frames captured but superseded before anyone read them

  Capture runs on its own thread and keeps ONE slot: a new frame replaces an unread one
  (counted in ``dropped``), so a slow consumer always gets the newest frame and nothing
  queues up. ``read_latest`` never returns the same frame twice. Errors on the capture thread
  are raised from ``read_latest``. A camera that stops delivering (unplugged) logs a warning
  and is reopened every ``reopen_seconds`` until it comes back or the source is closed.

* Offline, every frame in order (``paced=False``, what ``render`` uses)::

      with open_source("driver.mp4", paced=False) as source:
          for frame in source:
              ...

  For a video file iteration decodes on the caller's thread, at full speed, nothing dropped.
  With ``paced=True`` a video file plays on its capture thread at its own fps, like a camera.

Attributes on every source: ``fps`` (float, or None when unknown), ``size`` (width, height),
``frame_count`` (None for endless sources), ``dropped``, ``ended``, ``description``, and
``clock_origin``: for live (paced) sources the ``time.monotonic()`` of ``timestamp_ms == 0``,
so a frame was captured at ``clock_origin + timestamp_ms / 1000`` (None for offline reading).
Cameras also report ``requested_size``/``requested_fps`` and what the camera granted.
"""
from __future__ import annotations

import logging
import re
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ..errors import CameraUnavailable, InputNotFound, InputUnreadable
from ..frames import Frame, from_bgr, is_image_path, is_video_path, load_image
from ..handoff import Handoff, HandoffClosed

log = logging.getLogger(__name__)

DEFAULT_FPS = 30.0


class _ThreadedSource:
    """Common part: a capture thread filling a latest-wins hand-off (a newer frame replaces an unread one)."""

    description = "source"

    def __init__(self) -> None:
        self._slot = Handoff(1)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.fps: float | None = None
        self.size: tuple[int, int] | None = None
        self.frame_count: int | None = None
        # time.monotonic() at timestamp_ms == 0 for live sources: capture time = origin + ts / 1000
        self.clock_origin: float | None = None

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _start_thread(self, target: Callable[[], None], name: str) -> None:
        def run():
            try:
                target()
            except BaseException as exc:  # handed to the consumer, raised from read_latest
                self._slot.close(exc)
            else:
                self._slot.close()

        self._thread = threading.Thread(target=run, name=name, daemon=True)
        self._thread.start()

    def read_latest(self, timeout: float | None = None) -> Frame | None:
        """The newest frame not yet returned; None if none arrives within ``timeout`` s."""
        if self._thread is None:
            raise ValueError(f"{type(self).__name__}.read_latest() before open(); use it as a context manager")
        try:
            return self._slot.get(timeout)
        except HandoffClosed:
            return None

    @property
    def dropped(self) -> int:
        return self._slot.dropped

    @property
    def ended(self) -> bool:
        return self._slot.ended

    close_timeout_s = 2.0  # how long close() waits for the capture thread

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=self.close_timeout_s)

    @property
    def capture_thread_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


# ------------------------------------------------------------------------------------------
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


def _open_cv_capture(device: int | str):
    import cv2

    # V4L2 directly on Linux: CAP_ANY would also try FFmpeg and Orbbec backends on every miss.
    backend = cv2.CAP_V4L2 if sys.platform.startswith("linux") else cv2.CAP_ANY
    with quiet_opencv():
        return cv2.VideoCapture(device, backend)


class WebcamSource(_ThreadedSource):
    """A camera by index (0) or device path (/dev/video0), captured on its own thread.

    ``capture_factory(device)`` returns an OpenCV ``VideoCapture``-like object (``isOpened``,
    ``read``, ``set``, ``get``, ``release``); tests pass a fake one.
    """

    def __init__(self, device: int | str, *, width: int, height: int, fps: float,
                 reopen_seconds: float = 1.0, first_frame_timeout: float = 5.0,
                 capture_factory: Callable[[int | str], object] = _open_cv_capture):
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


# ------------------------------------------------------------------------------------------
def upright(image: np.ndarray, rotation_ccw: float) -> np.ndarray:
    """The frame as it should be shown, given its display-matrix rotation (degrees counter-clockwise,
    PyAV's ``VideoFrame.rotation``, as FFmpeg's autorotate applies it): phone videos store -90."""
    quarter_turns = int(round(rotation_ccw / 90.0)) % 4
    return np.ascontiguousarray(np.rot90(image, quarter_turns)) if quarter_turns else image


class VideoFileSource(_ThreadedSource):
    """A video file decoded with PyAV: paced at its own fps (live) or as fast as read (offline).

    Timestamps are ``index * 1000 / fps`` and keep increasing across loops, so MediaPipe's
    VIDEO mode never sees time go backwards. Frames are turned upright by the file's
    display-matrix rotation (portrait videos from phones).
    """

    def __init__(self, path: str | Path, *, paced: bool = True, loop: bool = False):
        super().__init__()
        self.path = Path(path)
        self.paced = paced
        self.loop = loop
        self.description = f"video {self.path.name}"
        self._iterating = False
        if not self.path.exists():
            raise InputNotFound(f"video not found: {self.path}")
        self._probe()

    def _open_container(self):
        import av

        try:
            container = av.open(str(self.path))
            stream = container.streams.video[0]
        except (av.FFmpegError, OSError, IndexError) as exc:
            raise InputUnreadable(f"cannot read video {self.path}: {exc}") from exc
        stream.thread_type = "AUTO"
        return container, stream

    def _probe(self) -> None:
        container, stream = self._open_container()
        with container:
            rate = stream.average_rate or stream.guessed_rate
            self.fps = float(rate) if rate else DEFAULT_FPS
            self.size = (stream.codec_context.width, stream.codec_context.height)
            first = next(container.decode(stream), None)
            if first is not None and int(round(first.rotation / 90.0)) % 2:
                self.size = self.size[::-1]  # shown upright (phone videos): width and height swap
            count = stream.frames
            if not count and stream.duration and stream.time_base:
                count = round(float(stream.duration * stream.time_base) * self.fps)
            self.frame_count = int(count) if count else None

    def _decode(self) -> Iterator[np.ndarray]:
        """RGB images of one pass over the file."""
        from av import FFmpegError  # a local name: still valid if the generator is finalised at exit

        container, stream = self._open_container()
        with container:
            try:
                for frame in container.decode(stream):
                    yield upright(frame.to_ndarray(format="rgb24"), frame.rotation)
            except FFmpegError as exc:
                raise InputUnreadable(f"cannot decode {self.path}: {exc}") from exc

    def __iter__(self) -> Iterator[Frame]:
        """Every frame in order (looping forever if ``loop``), on the caller's thread."""
        index = 0
        while True:
            produced = 0
            for image in self._decode():
                if self._stop.is_set():
                    return
                yield Frame(image, index, index * 1000.0 / self.fps)
                index += 1
                produced += 1
            if not self.loop or produced == 0:
                return

    def open(self) -> None:
        if self.paced and self._thread is None:
            self._start_thread(self._play, f"livemorph-{self.description}")

    def _play(self) -> None:
        start = time.monotonic()
        self.clock_origin = start  # time.monotonic() of timestamp 0 (the live loop's latency clock)
        for frame in self:
            # wait for this frame's slot on the wall clock: real-time playback
            delay = start + frame.timestamp_ms / 1000.0 - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                return
            self._slot.put(frame)

    def read_latest(self, timeout: float | None = None) -> Frame | None:
        if self.paced:
            return super().read_latest(timeout)
        # unpaced: the next frame in order, decoded now
        if not self._iterating:
            self._iterating = True
            self._unpaced = iter(self)
        frame = next(self._unpaced, None)
        if frame is None:
            self._slot.close()
        return frame

    @property
    def ended(self) -> bool:
        return self._slot.ended if (self.paced or self._iterating) else False


# ------------------------------------------------------------------------------------------
class ImageSource(_ThreadedSource):
    """One still image: once, or repeated at ``fps`` (a frozen "camera" for demos and tests)."""

    def __init__(self, path: str | Path, *, once: bool = False, fps: float = DEFAULT_FPS, paced: bool = True):
        super().__init__()
        self.path = Path(path)
        self.image = load_image(self.path)
        self.once = once
        self.paced = paced
        self.fps = float(fps)
        self.size = (self.image.shape[1], self.image.shape[0])
        self.frame_count = 1 if once else None
        self.description = f"image {self.path.name}"
        self._next_index = 0
        self._start = None

    def __iter__(self) -> Iterator[Frame]:
        while True:
            frame = self._next_frame()
            if frame is None:
                return
            yield frame

    def _next_frame(self) -> Frame | None:
        index = self._next_index
        if self.once and index >= 1:
            self._slot.close()
            return None
        if self.paced:
            if self._start is None:
                self._start = self.clock_origin = time.monotonic()
            delay = self._start + index / self.fps - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        self._next_index += 1
        return Frame(self.image, index, index * 1000.0 / self.fps)

    def open(self) -> None:
        pass  # nothing to capture: frames are made on demand

    def read_latest(self, timeout: float | None = None) -> Frame | None:
        return self._next_frame()

    @property
    def ended(self) -> bool:
        return self.once and self._next_index >= 1


# ------------------------------------------------------------------------------------------
_DEVICE_PATH = re.compile(r"^/dev/video\d+$")


def parse_source_spec(spec: int | str) -> tuple[str, int | str]:
    """('webcam', index|path) | ('video', path) | ('image', path); InputNotFound/InputUnreadable otherwise."""
    if isinstance(spec, int):
        return "webcam", spec
    text = str(spec).strip()
    if text.isdigit():
        return "webcam", int(text)
    if _DEVICE_PATH.match(text):
        return "webcam", text
    path = Path(text).expanduser()
    if not path.exists():
        raise InputNotFound(f"source not found: {path}; give a camera index (0), /dev/videoN, a video or an image")
    if is_video_path(path):
        return "video", str(path)
    if is_image_path(path):
        return "image", str(path)
    raise InputUnreadable(f"source {path} is neither a video nor an image (by its extension); use .mp4/.mov/... or .jpg/.png/...")


def open_source(spec: int | str, *, paced: bool = True, loop: bool = False, width: int = 640, height: int = 480,
                fps: float = DEFAULT_FPS, once: bool = False, reopen_seconds: float = 1.0):
    """Build the source for ``spec`` (not yet opened: use it in a ``with``).

    ``width``/``height``/``fps`` are requests to a camera (and the repeat rate of an image);
    ``loop`` applies to video files; ``once`` makes an image source yield a single frame.
    """
    kind, target = parse_source_spec(spec)
    if kind == "webcam":
        return WebcamSource(target, width=width, height=height, fps=fps, reopen_seconds=reopen_seconds)
    if kind == "video":
        return VideoFileSource(target, paced=paced, loop=loop)
    return ImageSource(target, once=once, fps=fps, paced=paced)


def source_from_config(live, spec: int | str | None = None, *, paced: bool = True):
    """``open_source`` with the ``live`` config section (``spec`` overrides ``live.source``)."""
    return open_source(live.source if spec is None else spec, paced=paced, loop=live.loop, width=live.width,
                       height=live.height, fps=live.fps, reopen_seconds=live.reopen_seconds)
