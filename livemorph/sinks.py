"""Where frames go: MP4, GIF, PNG, a folder of frames, a virtual camera.

Every sink is a context manager taking RGB uint8 HxWx3 frames through ``write(image)``:

    with open_recorder("out.mp4", fps=30, render=config.render) as rec:
        for image in frames:
            rec.write(image)

File outputs are atomic: they are written under a hidden temporary name in the destination
folder (``.NAME.partial``) and renamed onto NAME only when ``close()`` completes. Leaving the
``with`` block through an exception (KeyboardInterrupt included) calls ``abort()`` instead,
which deletes the temporary file, so a half-written file never looks like a good one. A live
loop that wants Ctrl+C to *keep* the recording catches the interrupt itself and calls
``close()``.

``close()`` is idempotent and safe from a signal handler: if the handler interrupts a
``write()`` on the same thread, the close is deferred until that write returns.

Size contract: the first frame fixes the size; later frames of another size, or frames that
are not RGB uint8, raise a one-line ValueError (a programming error, not a user error).

Decisions:
- MP4: H.264 (libx264, yuv420p, CRF from ``render.crf``); odd sizes are padded by one
  repeated row/column, since yuv420p needs even sizes (MPEG-4 Part 2 if libx264 is missing).
- GIF: loops forever; scaled down to ``render.gif_max_width``; resampled to at most
  ``render.gif_fps`` by dropping frames; one palette for the whole GIF, sampled from frames
  across the recording (no colour flicker, and unchanged regions stay byte-identical, so
  Pillow stores only the changed rectangle of each frame — small files for messengers).
  GIF delays are whole centiseconds; they alternate (60/70 ms at 15 fps) to keep the rate.
- PNG: the LAST frame written. By then smoothing and neutral calibration have settled;
  ``--max-frames N`` chooses the moment (``--max-frames 1`` gives the first).
- Folder: ``frame_000000.png`` ...; written into ``.NAME.partial/`` and renamed at the end;
  an existing non-empty folder is refused rather than mixed with old frames.
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
from fractions import Fraction
from pathlib import Path

import numpy as np

from .errors import ConfigError, OutputNotWritable, VirtualCameraUnavailable
from .frames import check_rgb_uint8
from .layout import letterbox, pad_to_even

log = logging.getLogger(__name__)

FILE_SUFFIXES = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mp4", ".gif": "gif", ".png": "png"}


def temp_path_for(path: Path) -> Path:
    """Hidden temporary name next to ``path``, so the final rename never crosses file systems."""
    return path.with_name(f".{path.name}.partial")


class Sink:
    """Base of all sinks: open on enter, check frames, close or abort exactly once."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._opened = False
        self._closed = False
        self._writing_thread: int | None = None
        self._close_pending = False
        self._size: tuple[int, int] | None = None  # (height, width) fixed by the first frame
        self.frames_written = 0

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self):
        self.open()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()
        return False

    def open(self) -> None:
        with self._lock:
            if self._opened:
                return
            self._open()
            self._opened = True

    def write(self, image: np.ndarray) -> None:
        check_rgb_uint8(image, what=f"{type(self).__name__} frame")
        with self._lock:
            if not self._opened:
                raise ValueError(f"{type(self).__name__}.write() before open(); use it as a context manager")
            if self._closed:
                raise ValueError(f"{type(self).__name__}.write() after close()")
            if self._size is None:
                self._size = image.shape[:2]
            elif image.shape[:2] != self._size:
                raise ValueError(
                    f"{type(self).__name__}: frame size {image.shape[1]}x{image.shape[0]} differs from the "
                    f"first frame's {self._size[1]}x{self._size[0]}"
                )
            self._writing_thread = threading.get_ident()
            try:
                self._write(image)
                self.frames_written += 1
            finally:
                self._writing_thread = None
            if self._close_pending:
                self.close()

    def close(self) -> None:
        """Finish the output (rename it into place). Idempotent; deferred if called mid-write."""
        with self._lock:
            if self._closed:
                return
            if self._writing_thread == threading.get_ident():
                # A signal handler interrupted write() on this thread: finish that write first.
                self._close_pending = True
                return
            self._closed = True
            if self._opened:
                try:
                    self._finish()
                except BaseException:
                    self._discard()
                    raise

    def abort(self) -> None:
        """Stop and delete any partial output. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._opened:
                self._discard()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def frame_size(self) -> tuple[int, int] | None:
        """(width, height) of the frames written so far (fixed by the first), None before any."""
        return None if self._size is None else (self._size[1], self._size[0])

    # -- for subclasses --------------------------------------------------------------------
    def _open(self) -> None:
        raise NotImplementedError

    def _write(self, image: np.ndarray) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        raise NotImplementedError

    def _discard(self) -> None:
        raise NotImplementedError


class _FileRecorder(Sink):
    """A recorder writing one file under a temporary name, renamed on a clean close."""

    def __init__(self, path: str | Path):
        super().__init__()
        self.path = Path(path)
        self.temp_path = temp_path_for(self.path)

    def _prepare_folder(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputNotWritable(f"cannot create folder {self.path.parent}: {exc.strerror}; choose another --out") from exc
        if self.path.is_dir():
            raise OutputNotWritable(f"{self.path} is a folder; give a file name ending in {self.path.suffix or '.mp4'}")

    def _rename_into_place(self) -> None:
        try:
            os.replace(self.temp_path, self.path)
        except OSError as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc.strerror}") from exc
        log.info("wrote %s (%d frames)", self.path, self.frames_written)

    def _discard(self) -> None:
        self._release()
        self.temp_path.unlink(missing_ok=True)

    def _release(self) -> None:
        """Drop open handles without finishing (subclasses with handles override)."""


class Mp4Recorder(_FileRecorder):
    """H.264 MP4 through PyAV; frames are timed at a constant ``fps``."""

    def __init__(self, path: str | Path, fps: float, *, crf: int, preset: str = "medium"):
        super().__init__(path)
        if not fps or fps <= 0:
            raise ValueError(f"Mp4Recorder fps must be positive, got {fps!r}")
        self.fps = float(fps)
        self.crf = int(crf)
        self.preset = str(preset)
        self.codec_name: str | None = None
        self._container = None
        self._stream = None

    def _open(self) -> None:
        import av

        self._prepare_folder()
        try:
            muxer = "mov" if self.path.suffix.lower() == ".mov" else "mp4"  # the temp name has no usable suffix
            self._container = av.open(str(self.temp_path), mode="w", format=muxer)
        except (OSError, av.FFmpegError) as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc}") from exc

    def _add_stream(self, width: int, height: int) -> None:
        import av

        rate = Fraction(self.fps).limit_denominator(1001)
        self._time_base = 1 / rate
        for codec in ("libx264", "mpeg4"):
            try:
                av.codec.Codec(codec, "w")
            except (av.FFmpegError, ValueError):
                log.warning("encoder %s is not available in this FFmpeg build; trying the next", codec)
                continue
            self._stream = self._container.add_stream(codec, rate=rate)
            self.codec_name = codec
            break
        else:
            raise OutputNotWritable(f"cannot write {self.path}: no H.264 or MPEG-4 encoder in PyAV's FFmpeg; write a .gif or a folder")
        self._stream.width, self._stream.height = width, height
        self._stream.pix_fmt = "yuv420p"
        if self.codec_name == "libx264":
            self._stream.options = {"crf": str(self.crf), "preset": self.preset}

    def _write(self, image: np.ndarray) -> None:
        import av

        image = pad_to_even(image)
        if self._stream is None:
            self._add_stream(image.shape[1], image.shape[0])
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
        frame.pts = self.frames_written  # constant frame rate: pts counts frames in 1/fps units
        frame.time_base = self._time_base
        self._mux(self._stream.encode(frame))

    def _mux(self, packets) -> None:
        import av

        try:
            self._container.mux(packets)
        except (OSError, av.FFmpegError) as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc}") from exc

    def _finish(self) -> None:
        if self._stream is not None:
            self._mux(self._stream.encode(None))  # flush delayed frames
        self._container.close()
        self._container = None
        if self.frames_written == 0:
            log.warning("no frames were recorded; %s not written", self.path)
            self.temp_path.unlink(missing_ok=True)
            return
        self._rename_into_place()

    def _release(self) -> None:
        if self._container is not None:
            try:
                self._container.close()
            except OSError:
                pass  # the partial file is deleted next; its trailer does not matter
            self._container = None


class GifRecorder(_FileRecorder):
    """Looping, palette-optimised GIF, at most ``max_width`` wide and ``max_fps`` frames per second.

    Kept frames are spooled as raw RGB to a temporary file beside the output; on close one
    palette is built from up to ``PALETTE_SAMPLES`` frames spread over the whole recording and
    every frame is mapped onto it without dithering, so regions that do not move stay
    byte-identical and Pillow stores only each frame's changed rectangle.
    """

    PALETTE_SAMPLES = 12

    def __init__(self, path: str | Path, fps: float, *, max_width: int, max_fps: float):
        super().__init__(path)
        if not fps or fps <= 0:
            raise ValueError(f"GifRecorder fps must be positive, got {fps!r}")
        self.source_fps = float(fps)
        self.fps = min(self.source_fps, float(max_fps))
        self.max_width = int(max_width)
        self.frames_kept = 0
        self.spool_path = self.temp_path.with_name(self.temp_path.name + ".rgb")
        self._spool = None
        self._kept_shape: tuple[int, int, int] | None = None
        self._next_slot = 0.0  # source time (s) of the next frame to keep

    def _open(self) -> None:
        self._prepare_folder()
        try:
            self._spool = open(self.spool_path, "wb")
        except OSError as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc.strerror}; choose another --out") from exc

    def _write(self, image: np.ndarray) -> None:
        import cv2

        t = self.frames_written / self.source_fps
        if t + 1e-9 < self._next_slot:
            return  # resampling down to self.fps
        self._next_slot += 1.0 / self.fps
        h, w = image.shape[:2]
        if w > self.max_width:
            size = (self.max_width, max(1, round(h * self.max_width / w)))
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        self._kept_shape = image.shape
        try:
            self._spool.write(np.ascontiguousarray(image).tobytes())
        except OSError as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc.strerror}") from exc
        self.frames_kept += 1

    def _finish(self) -> None:
        from PIL import Image

        self._spool.close()
        if self.frames_kept == 0:
            log.warning("no frames were recorded; %s not written", self.path)
            self._release()
            return
        frames = np.memmap(self.spool_path, dtype=np.uint8, mode="r",
                           shape=(self.frames_kept, *self._kept_shape))
        picks = np.unique(np.linspace(0, self.frames_kept - 1, self.PALETTE_SAMPLES).round().astype(int))
        palette = Image.fromarray(np.concatenate([frames[i] for i in picks], axis=0)).quantize(
            colors=256, method=Image.Quantize.MEDIANCUT)
        images = [Image.fromarray(np.asarray(f)).quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
        del frames
        try:
            images[0].save(self.temp_path, format="GIF", save_all=True, append_images=images[1:],
                           duration=self._durations_ms(len(images)), loop=0, disposal=1)
        except OSError as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc}") from exc
        finally:
            self.spool_path.unlink(missing_ok=True)
        self._rename_into_place()

    def _durations_ms(self, count: int) -> list[int]:
        # GIF delays are whole centiseconds: alternate them so the total keeps the true rate.
        ends = np.round(np.arange(count + 1) * 100.0 / self.fps).astype(int) * 10
        return [int(d) for d in np.diff(ends)]

    def _release(self) -> None:
        if self._spool is not None:
            self._spool.close()
        self.spool_path.unlink(missing_ok=True)


class PngWriter(_FileRecorder):
    """One PNG: the last frame written (see the module docstring for why)."""

    def __init__(self, path: str | Path):
        super().__init__(path)
        self._last: np.ndarray | None = None

    def _open(self) -> None:
        self._prepare_folder()
        try:
            self.temp_path.touch()
        except OSError as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc.strerror}; choose another --out") from exc

    def _write(self, image: np.ndarray) -> None:
        self._last = image.copy()

    def _finish(self) -> None:
        from PIL import Image

        if self._last is None:
            log.warning("no frames were recorded; %s not written", self.path)
            self.temp_path.unlink(missing_ok=True)
            return
        try:
            Image.fromarray(self._last).save(self.temp_path, format="PNG")
        except OSError as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc}") from exc
        self._rename_into_place()

    def _release(self) -> None:
        self._last = None


class FrameFolderWriter(Sink):
    """A folder of ``frame_000000.png`` files, built under a temporary name and renamed at the end."""

    def __init__(self, path: str | Path):
        super().__init__()
        self.path = Path(path)
        self.temp_path = temp_path_for(self.path)

    def _open(self) -> None:
        if self.path.exists() and (not self.path.is_dir() or any(self.path.iterdir())):
            raise OutputNotWritable(f"{self.path} already exists and is not an empty folder; choose a new folder name")
        shutil.rmtree(self.temp_path, ignore_errors=True)  # leftovers of an earlier crash
        try:
            self.temp_path.mkdir(parents=True)
        except OSError as exc:
            raise OutputNotWritable(f"cannot create folder {self.path}: {exc.strerror}") from exc

    def _write(self, image: np.ndarray) -> None:
        from PIL import Image

        target = self.temp_path / f"frame_{self.frames_written:06d}.png"
        try:
            Image.fromarray(image).save(target, format="PNG", compress_level=1)
        except OSError as exc:
            raise OutputNotWritable(f"cannot write {target}: {exc}") from exc

    def _finish(self) -> None:
        try:
            if self.path.is_dir():
                self.path.rmdir()  # checked empty on open
            os.replace(self.temp_path, self.path)
        except OSError as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc.strerror}") from exc
        log.info("wrote %d frames into %s", self.frames_written, self.path)

    def _discard(self) -> None:
        shutil.rmtree(self.temp_path, ignore_errors=True)


def output_kind(path: str | Path) -> str:
    """'mp4', 'gif', 'png' or 'folder' from the path; ConfigError for other extensions."""
    text = str(path)
    p = Path(text)
    if text.endswith(("/", os.sep)) or p.suffix == "" or p.is_dir():
        return "folder"
    kind = FILE_SUFFIXES.get(p.suffix.lower())
    if kind is None:
        raise ConfigError(f"unsupported output {p.name!r}: use .mp4, .gif, .png or a folder name")
    return kind


def open_recorder(path: str | Path, fps: float, render, *, x264_preset: str | None = None) -> Sink:
    """The recorder for ``path`` by its extension (not yet opened: use it in a ``with``).

    ``render`` is the ``render`` config section (crf, x264_preset, gif_max_width, gif_fps);
    ``x264_preset`` overrides its preset (live recordings use ``record.x264_preset``).
    """
    kind = output_kind(path)
    if kind == "mp4":
        return Mp4Recorder(path, fps, crf=render.crf, preset=x264_preset or render.x264_preset)
    if kind == "gif":
        return GifRecorder(path, fps, max_width=render.gif_max_width, max_fps=render.gif_fps)
    if kind == "png":
        return PngWriter(path)
    return FrameFolderWriter(path)


# ------------------------------------------------------------------------------------------
VCAM_SETUP_HINT = (
    "Linux: sudo modprobe v4l2loopback devices=1 exclusive_caps=1 card_label=livemorph "
    "(exclusive_caps=1 is what makes Chrome list the device); "
    "Windows/macOS: install OBS Studio and start its virtual camera once"
)


class VirtualCamSink(Sink):
    """Frames to a pyvirtualcam device, letterboxed to the camera size, optionally paced.

    ``backend='auto'`` tries every registered pyvirtualcam backend. With ``pace=True`` each
    write sleeps until the next frame slot (``sleep_until_next_frame``), so call it from its
    own output thread in a live loop.
    """

    def __init__(self, *, width: int, height: int, fps: float, backend: str = "auto",
                 device: str | None = None, pace: bool = True):
        super().__init__()
        self.width, self.height, self.fps = int(width), int(height), float(fps)
        self.backend = backend
        self.device_requested = device
        self.pace = pace
        self.device: str | None = None
        self.backend_used: str | None = None
        self._camera = None

    @classmethod
    def from_config(cls, vcam) -> "VirtualCamSink":
        return cls(width=vcam.width, height=vcam.height, fps=vcam.fps, backend=vcam.backend,
                   device=vcam.device, pace=vcam.pace)

    def _open(self) -> None:
        import pyvirtualcam
        from pyvirtualcam.camera import BACKENDS

        backend = None if self.backend in (None, "", "auto") else self.backend
        if backend is not None and backend not in BACKENDS:
            known = ", ".join(sorted(BACKENDS)) or "none on this OS"
            raise VirtualCameraUnavailable(
                f"virtual camera backend {backend!r} is not available here (available: {known}); {VCAM_SETUP_HINT}"
            )
        try:
            self._camera = pyvirtualcam.Camera(self.width, self.height, self.fps,
                                               fmt=pyvirtualcam.PixelFormat.RGB,
                                               backend=backend, device=self.device_requested)
        except RuntimeError as exc:
            reasons = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            raise VirtualCameraUnavailable(
                f"no virtual camera could be opened ({reasons or 'no backend for this OS'}); {VCAM_SETUP_HINT}"
            ) from exc
        self.device = self._camera.device
        self.backend_used = getattr(self._camera, "backend", backend)
        log.info("virtual camera %s (%s) %dx%d @ %.3g fps", self.device, self.backend_used,
                 self.width, self.height, self.fps)

    def write(self, image: np.ndarray) -> None:
        check_rgb_uint8(image, what="VirtualCamSink frame")
        # Any input size is fine here: frames are letterboxed to the camera size.
        self._size = None
        super().write(image)

    def _write(self, image: np.ndarray) -> None:
        self._camera.send(np.ascontiguousarray(letterbox(image, self.width, self.height)))
        if self.pace:
            self._camera.sleep_until_next_frame()

    def _finish(self) -> None:
        self._release()

    def _discard(self) -> None:
        self._release()

    def _release(self) -> None:
        if self._camera is not None:
            self._camera.close()
            self._camera = None
