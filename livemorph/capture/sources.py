"""Where frames come from: a webcam, a video file or a still image, chosen by a source spec.

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

The sources live in ``webcam``, ``video_file`` and ``image`` (their shared capture thread in
``threaded``). Attributes on every source: ``fps`` (float, or None when unknown), ``size`` (width, height),
``frame_count`` (None for endless sources), ``dropped``, ``ended``, ``description``, and
``clock_origin``: for live (paced) sources the ``time.monotonic()`` of ``timestamp_ms == 0``,
so a frame was captured at ``clock_origin + timestamp_ms / 1000`` (None for offline reading).
Cameras also report ``requested_size``/``requested_fps`` and what the camera granted.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputNotFound, InputUnreadable
from ..frames import is_image_path, is_video_path
from .image import ImageSource
from .threaded import DEFAULT_FPS
from .video_file import VideoFileSource
from .webcam import WebcamSource

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
                fps: float = DEFAULT_FPS, once: bool = False, reopen_seconds: float = 1.0, turns: int = 0):
    """Build the source for ``spec`` (not yet opened: use it in a ``with``).

    ``width``/``height``/``fps`` are requests to a camera (and the repeat rate of an image);
    ``loop`` and ``turns`` (quarter turns its pixels need to stand upright, ``face.upright.video_way_up``)
    apply to video files; ``once`` makes an image source yield a single frame.
    """
    kind, target = parse_source_spec(spec)
    if kind == "webcam":
        return WebcamSource(target, width=width, height=height, fps=fps, reopen_seconds=reopen_seconds)
    if kind == "video":
        return VideoFileSource(target, paced=paced, loop=loop, turns=turns)
    return ImageSource(target, once=once, fps=fps, paced=paced)


def source_from_config(live, spec: int | str | None = None, *, paced: bool = True, turns: int = 0):
    """``open_source`` with the ``live`` config section (``spec`` overrides ``live.source``)."""
    return open_source(live.source if spec is None else spec, paced=paced, loop=live.loop, width=live.width,
                       height=live.height, fps=live.fps, reopen_seconds=live.reopen_seconds, turns=turns)
