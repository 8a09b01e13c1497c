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
  Converted from RGB with the BT.709 matrix into limited ("TV") range and tagged so
  (primaries, transfer, matrix, range), so players do not have to guess the colours.
- Live recordings (``crash_safe=True``): fragmented MP4 written straight under the chosen
  name, a keyframe and a fragment every ``keyframe_seconds``, each fragment flushed to the OS
  when it is complete (and fsync'ed once a keyframe interval, so a power cut loses no more).
  A process killed outright (SIGKILL, power loss, OOM) leaves a file that plays up to its last
  complete fragment (about the last 1-2 s are lost). A recording
  whose own output fails keeps what it wrote (it plays); the error names the file.
- GIF: loops forever; scaled down to ``render.gif_max_width``; resampled to at most
  ``render.gif_fps`` by dropping frames; one palette for the whole GIF, sampled from frames
  across the recording (no colour flicker, and unchanged regions stay byte-identical, so
  Pillow stores only the changed rectangle of each frame — small files for messengers).
  GIF delays are whole centiseconds; they alternate (60/70 ms at 15 fps) to keep the rate.
  A size budget (``render.gif_max_mb``) is met on close by lowering, in this order, the frame
  rate, the size and the palette (see ``GifRecorder``). Kept frames wait in an anonymous
  temporary file (nothing is left behind if the process is killed), at most
  ``render.gif_max_seconds`` of them. ``boomerang`` plays the clip forward then backward.
- PNG: the LAST frame written. By then smoothing and neutral calibration have settled;
  ``--max-frames N`` chooses the moment (``--max-frames 1`` gives the first).
- Folder: ``frame_000000.png`` ...; written into ``.NAME.partial/`` and renamed at the end;
  an existing non-empty folder is refused rather than mixed with old frames.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..errors import ConfigError, OutputNotWritable, VirtualCameraUnavailable
from ..frames import check_rgb_uint8
from .compose import letterbox, pad_to_even

log = logging.getLogger(__name__)

FILE_SUFFIXES = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mp4", ".gif": "gif", ".png": "png"}


@dataclass(frozen=True)
class OutputInfo:
    """The file as written: for GIFs after resampling, scaling and the size budget."""

    frames: int
    size: tuple[int, int] | None  # (width, height)
    fps: float | None
    bytes: int | None
    notes: tuple[str, ...] = ()  # what was changed to fit (e.g. "fps 15 -> 10 to fit 8 MB")

    def describe(self) -> str:
        """'72 frames 680x676 @ 30 fps, 1.2 MB' plus the adjustments, for summary lines."""
        parts = [f"{self.frames} frame{'' if self.frames == 1 else 's'}"]
        if self.size is not None:
            parts[0] += f" {self.size[0]}x{self.size[1]}"
        if self.fps:
            parts[0] += f" @ {self.fps:.5g} fps"
        if self.bytes is not None:
            parts.append(f"{self.bytes / 1e6:.1f} MB")
        return ", ".join(parts + list(self.notes))


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
        # Marked before the lock: a signal handler calling close() on this thread at any point of
        # this write (even between the checks below) defers the close until the write is done.
        self._writing_thread = threading.get_ident()
        try:
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

    def output_info(self) -> "OutputInfo":
        """What was really written (after close): frames, size, rate, bytes, adjustments."""
        return OutputInfo(frames=self.frames_written, size=self.frame_size, fps=getattr(self, "fps", None),
                          bytes=None, notes=())

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

    def output_info(self) -> OutputInfo:
        info = super().output_info()
        size = self.path.stat().st_size if self.closed and self.path.is_file() else None
        return OutputInfo(frames=info.frames, size=info.size, fps=info.fps, bytes=size, notes=info.notes)


# BT.709, limited range: what HD video players assume, now also written in the stream's tags.
_BT709 = 1  # AVCOL_PRI_BT709 = AVCOL_TRC_BT709 = AVCOL_SPC_BT709
_LIMITED_RANGE = 1  # AVCOL_RANGE_MPEG


class Mp4Recorder(_FileRecorder):
    """H.264 MP4 through PyAV; frames are timed at a constant ``fps``.

    ``crash_safe``: fragmented MP4 under the final name (live recordings; see the module
    docstring), a keyframe every ``keyframe_seconds``.
    """

    def __init__(self, path: str | Path, fps: float, *, crf: int, preset: str = "medium",
                 crash_safe: bool = False, keyframe_seconds: float = 1.0):
        super().__init__(path)
        if not fps or fps <= 0:
            raise ValueError(f"Mp4Recorder fps must be positive, got {fps!r}")
        self.fps = float(fps)
        self.crf = int(crf)
        self.preset = str(preset)
        self.crash_safe = bool(crash_safe)
        self.keyframe_seconds = float(keyframe_seconds)
        if self.crash_safe:
            self.temp_path = self.path  # written in place: a killed process leaves a playable file
        self.codec_name: str | None = None
        self._container = None
        self._stream = None
        self._sync_fd: int | None = None
        self._sync_unsupported = False

    def _open(self) -> None:
        import av

        self._prepare_folder()
        options = {}
        if self.crash_safe:
            # empty moov + one self-contained fragment per keyframe, flushed as soon as it is muxed
            options = {"movflags": "frag_keyframe+empty_moov+default_base_moof", "flush_packets": "1"}
        try:
            muxer = "mov" if self.path.suffix.lower() == ".mov" else "mp4"  # the temp name has no usable suffix
            self._container = av.open(str(self.temp_path), mode="w", format=muxer, options=options)
        except (OSError, av.FFmpegError) as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc}") from exc

    def _sync(self) -> None:
        """fsync the file through a second handle (power loss, not only a crash, keeps the fragments)."""
        if self._sync_fd is None:
            if self._sync_unsupported:
                return
            try:
                self._sync_fd = os.open(self.temp_path, os.O_RDONLY)  # the muxer creates the file lazily
            except OSError:
                return
        try:
            os.fsync(self._sync_fd)  # Linux/macOS flush the file's data whichever handle asks
        except OSError:
            log.debug("fsync is not supported for %s; fragments reach the disk when the OS writes them", self.path)
            self._sync_unsupported = True
            self._close_sync_handle()

    def _close_sync_handle(self) -> None:
        if self._sync_fd is not None:
            os.close(self._sync_fd)
            self._sync_fd = None

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
        context = self._stream.codec_context
        context.color_primaries = context.color_trc = context.colorspace = _BT709
        context.color_range = _LIMITED_RANGE
        if self.crash_safe:
            context.gop_size = max(1, round(self.fps * self.keyframe_seconds))
        if self.codec_name == "libx264":
            options = {"crf": str(self.crf), "preset": self.preset}
            if self.crash_safe:
                options["keyint"] = str(context.gop_size)  # x264's own name; fixed fragments for crash safety
            self._stream.options = options

    def _write(self, image: np.ndarray) -> None:
        import av
        from av.video.reformatter import ColorRange, Colorspace

        image = pad_to_even(image)
        if self._stream is None:
            self._add_stream(image.shape[1], image.shape[0])
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
        # Convert here, with the matrix and range the stream is tagged with (swscale's default is BT.601).
        frame = frame.reformat(format="yuv420p", dst_colorspace=Colorspace.ITU709, dst_color_range=ColorRange.MPEG)
        frame.pts = self.frames_written  # constant frame rate: pts counts frames in 1/fps units
        frame.time_base = self._time_base
        self._mux(self._stream.encode(frame))
        if self.crash_safe and self.frames_written % self._stream.codec_context.gop_size == 0:
            self._sync()  # once a keyframe interval: the fragment before it is complete by now

    def _mux(self, packets) -> None:
        import av

        try:
            self._container.mux(packets)
        except (OSError, av.FFmpegError) as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc}") from exc

    def _finish(self) -> None:
        import av

        if self._stream is not None:
            self._mux(self._stream.encode(None))  # flush delayed frames
        try:
            self._container.close()
            if self.crash_safe:
                self._sync()  # the last fragment and the index, on disk before "saved"
        except (OSError, av.FFmpegError) as exc:
            raise OutputNotWritable(f"cannot finish {self.path}: {exc}") from exc
        finally:
            self._container = None
            self._close_sync_handle()
        if self.frames_written == 0:
            log.warning("no frames were recorded; %s not written", self.path)
            self.temp_path.unlink(missing_ok=True)
            return
        if self.crash_safe:
            log.info("wrote %s (%d frames)", self.path, self.frames_written)
            return
        self._rename_into_place()

    def _discard(self) -> None:
        if self.crash_safe and self.frames_written > 0:
            # A live take is never thrown away: what reached the file plays up to its last fragment.
            self._release()
            log.warning("recording %s stopped early; it keeps the first %.0f s", self.path,
                        self.frames_written / self.fps)
            return
        super()._discard()

    def _release(self) -> None:
        self._close_sync_handle()
        if self._container is not None:
            try:
                self._container.close()
            except Exception:  # noqa: BLE001 - the file is deleted or kept as it is; its trailer does not matter
                pass
            self._container = None


@dataclass(frozen=True)
class _GifPlan:
    """One way to encode the spooled frames: which frames, how wide, how many colours."""

    fps: float
    width: int
    colors: int


class GifRecorder(_FileRecorder):
    """Looping, palette-optimised GIF, at most ``max_width`` wide and ``max_fps`` frames per second.

    Kept frames are spooled as raw RGB to an anonymous temporary file beside the output (at
    most ``max_seconds`` of them); on close one palette is built from up to
    ``PALETTE_SAMPLES`` frames spread over the whole recording and every frame is mapped onto
    it without dithering, so regions that do not move stay byte-identical and Pillow stores
    only each frame's changed rectangle.

    Size budget (``max_bytes``): if the GIF comes out larger, it is encoded again with, in this
    order, a lower frame rate (down to ``MIN_FPS``), a smaller size (down to ``MIN_WIDTH``),
    fewer colours (down to ``MIN_COLORS``). Within each, the mildest step that fits is found by
    a binary search of real encodes, starting where the size measured so far predicts (the
    prediction alone overshoots: halving the width cut one clip from 23.8 to 2.3 MB).
    What was lowered is in ``output_info().notes``; a GIF still over budget at the floor is
    written anyway and says so.
    """

    PALETTE_SAMPLES = 12
    FPS_STEPS = (15.0, 12.0, 10.0, 8.0)
    MIN_FPS = 8.0
    WIDTH_STEPS = (1.0, 0.85, 0.7, 0.6, 0.5)
    MIN_WIDTH = 160
    COLOR_STEPS = (256, 128, 64, 32)
    MIN_COLORS = 32

    def __init__(self, path: str | Path, fps: float, *, max_width: int, max_fps: float,
                 max_bytes: int | None = None, max_seconds: float | None = None, boomerang: bool = False):
        super().__init__(path)
        if not fps or fps <= 0:
            raise ValueError(f"GifRecorder fps must be positive, got {fps!r}")
        self.source_fps = float(fps)
        self.fps = min(self.source_fps, float(max_fps))
        self.max_width = int(max_width)
        self.max_bytes = int(max_bytes) if max_bytes else None
        self.max_frames = None if not max_seconds else max(1, int(round(float(max_seconds) * self.fps)))
        self.boomerang = bool(boomerang)
        self.frames_kept = 0
        self.cut_after_s: float | None = None  # set when max_seconds stopped the GIF
        self._spool = None
        self._kept_shape: tuple[int, int, int] | None = None
        self._next_slot = 0.0  # source time (s) of the next frame to keep
        self._info: OutputInfo | None = None

    def _open(self) -> None:
        self._prepare_folder()
        try:
            # Anonymous (unlinked) file: a killed process leaves nothing behind.
            self._spool = tempfile.TemporaryFile(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".rgb")
        except OSError as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc.strerror}; choose another --out") from exc

    def _write(self, image: np.ndarray) -> None:
        import cv2

        t = self.frames_written / self.source_fps
        if t + 1e-9 < self._next_slot:
            return  # resampling down to self.fps
        if self.max_frames is not None and self.frames_kept >= self.max_frames:
            if self.cut_after_s is None:
                self.cut_after_s = self.frames_kept / self.fps
                log.warning("GIF %s stops at %.0f s (render.gif_max_seconds); record an MP4 for longer takes",
                            self.path, self.cut_after_s)
            return
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
        if self.frames_kept == 0:
            log.warning("no frames were recorded; %s not written", self.path)
            self._release()
            return
        try:
            self._spool.flush()
            frames = np.memmap(self._spool, dtype=np.uint8, mode="r", shape=(self.frames_kept, *self._kept_shape))
            plan = _GifPlan(self.fps, self._kept_shape[1], 256)
            size = self._encode(frames, plan)
            notes = []
            for step in (self._fps_steps, self._width_steps, self._color_steps):
                if self.max_bytes is None or size <= self.max_bytes:
                    break
                plan, size = self._smallest_change_that_fits(frames, plan, size, step(plan))
            if self.max_bytes is not None and size > self.max_bytes:
                notes.append(f"over the {self.max_bytes / 1e6:.3g} MB budget even at the smallest setting")
                log.warning("GIF %s is %.1f MB, over render.gif_max_mb", self.path, size / 1e6)
            del frames
        except OSError as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc}") from exc
        finally:
            self._release()
        first = _GifPlan(self.fps, self._kept_shape[1], 256)
        lowered = [f"{what} {a:g} -> {b:g}" for what, a, b in (("fps", first.fps, plan.fps),
                                                               ("width", first.width, plan.width),
                                                               ("colours", first.colors, plan.colors)) if a != b]
        if lowered and self.max_bytes is not None:
            notes.insert(0, f"{', '.join(lowered)} to fit {self.max_bytes / 1e6:.3g} MB")
        if self.cut_after_s is not None:
            notes.append(f"cut at {self.cut_after_s:.0f} s (render.gif_max_seconds)")
        if self.boomerang:
            notes.append("boomerang")
        height = round(self._kept_shape[0] * plan.width / self._kept_shape[1])
        self._info = OutputInfo(frames=self._frame_count(plan), size=(plan.width, height), fps=plan.fps,
                                bytes=size, notes=tuple(notes))
        self._rename_into_place()

    def _frame_count(self, plan: _GifPlan) -> int:
        return len(self._order(self._indices(plan.fps)))

    def _indices(self, fps: float) -> list[int]:
        """Spooled frames kept at ``fps`` (sample-and-hold: the frame showing at each new slot)."""
        if fps >= self.fps:
            return list(range(self.frames_kept))
        count = max(1, int(np.ceil(self.frames_kept * fps / self.fps - 1e-9)))
        return [min(self.frames_kept - 1, int(np.floor(k * self.fps / fps + 1e-9))) for k in range(count)]

    def _order(self, indices: list[int]) -> list[int]:
        # boomerang: forward, then backward without repeating either end frame
        return indices + indices[-2:0:-1] if self.boomerang else indices

    def _fps_steps(self, plan: _GifPlan) -> list[tuple[_GifPlan, float]]:
        """(plan, predicted size ratio), mildest first: size goes roughly with the frame count."""
        return [(_GifPlan(f, plan.width, plan.colors), f / plan.fps)
                for f in self.FPS_STEPS if self.MIN_FPS <= f < plan.fps]

    def _width_steps(self, plan: _GifPlan) -> list[tuple[_GifPlan, float]]:
        full = self._kept_shape[1]
        widths = dict.fromkeys(max(self.MIN_WIDTH, round(full * s)) for s in self.WIDTH_STEPS)
        return [(_GifPlan(plan.fps, w, plan.colors), (w / plan.width) ** 2) for w in widths if w < plan.width]

    def _color_steps(self, plan: _GifPlan) -> list[tuple[_GifPlan, float]]:
        return [(_GifPlan(plan.fps, plan.width, c), 1.0) for c in self.COLOR_STEPS if self.MIN_COLORS <= c < plan.colors]

    def _smallest_change_that_fits(self, frames, plan: _GifPlan, size: int, steps) -> tuple[_GifPlan, int]:
        """The mildest of ``steps`` that fits the budget (binary search with real encodes, starting
        from the predicted one), or the strongest if none does. The GIF on disk is the one returned."""
        if not steps:
            return plan, size
        need = self.max_bytes / size
        guess = next((i for i, (_, ratio) in enumerate(steps) if ratio <= need), len(steps) - 1)
        sizes: dict[int, int] = {}
        on_disk = None
        lo, hi = 0, len(steps) - 1
        while lo <= hi:
            mid = guess if lo <= guess <= hi else (lo + hi) // 2
            guess = -1
            sizes[mid] = self._encode(frames, steps[mid][0])
            on_disk = mid
            if sizes[mid] <= self.max_bytes:
                hi = mid - 1
            else:
                lo = mid + 1
        best = min(lo, len(steps) - 1)
        if on_disk != best:
            sizes[best] = self._encode(frames, steps[best][0])
        return steps[best][0], sizes[best]

    def _encode(self, frames: np.ndarray, plan: _GifPlan) -> int:
        """Write the GIF for ``plan`` to the temporary name; its size in bytes."""
        import cv2
        from PIL import Image

        def scaled(i: int) -> np.ndarray:
            frame = np.asarray(frames[i])
            if plan.width == frame.shape[1]:
                return frame
            height = max(1, round(frame.shape[0] * plan.width / frame.shape[1]))
            return cv2.resize(frame, (plan.width, height), interpolation=cv2.INTER_AREA)

        order = self._order(self._indices(plan.fps))
        picks = np.unique(np.linspace(0, self.frames_kept - 1, self.PALETTE_SAMPLES).round().astype(int))
        palette = Image.fromarray(np.concatenate([scaled(i) for i in picks], axis=0)).quantize(
            colors=plan.colors, method=Image.Quantize.MEDIANCUT)
        images = [Image.fromarray(scaled(i)).quantize(palette=palette, dither=Image.Dither.NONE) for i in order]
        images[0].save(self.temp_path, format="GIF", save_all=True, append_images=images[1:],
                       duration=self._durations_ms(len(images), plan.fps), loop=0, disposal=1)
        size = self.temp_path.stat().st_size
        log.info("GIF %s at %g fps, %d px wide, %d colours: %.2f MB", self.path.name, plan.fps, plan.width,
                 plan.colors, size / 1e6)
        return size

    @staticmethod
    def _durations_ms(count: int, fps: float) -> list[int]:
        # GIF delays are whole centiseconds: alternate them so the total keeps the true rate.
        ends = np.round(np.arange(count + 1) * 100.0 / fps).astype(int) * 10
        return [int(d) for d in np.diff(ends)]

    def _release(self) -> None:
        if self._spool is not None:
            self._spool.close()  # anonymous: closing it frees the space
            self._spool = None

    def output_info(self) -> OutputInfo:
        return self._info if self._info is not None else super().output_info()


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

    def output_info(self) -> OutputInfo:
        info = super().output_info()
        return OutputInfo(frames=min(1, info.frames), size=info.size, fps=None, bytes=info.bytes,
                          notes=(f"the last of {info.frames} frames",) if info.frames > 1 else ())


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


def check_output_path(path: str | Path, *, inputs=()) -> None:
    """Refuse, before any work, an output that would overwrite an input or cannot be written.

    ``inputs``: (what, path) pairs, e.g. ("driver", "me.mp4"). Writability is tested by creating
    (and deleting) the hidden temporary file in the nearest existing folder, the only check
    that also holds for root and for special file systems such as /proc.
    """
    path = Path(path)
    for what, source in inputs:
        if _same_file(path, Path(source)):
            raise ConfigError(f"--out {path} is your {what}; writing it would destroy it: choose another output name")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise OutputNotWritable(f"cannot write {path}: {folder} is not a folder; choose another --out")
    if output_kind(path) == "folder" and path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise OutputNotWritable(f"{path} already exists and is not an empty folder; choose a new folder name")
    probe = folder / (temp_path_for(path).name if folder == path.parent else f".{path.name}.probe")
    try:
        with open(probe, "xb"):
            pass
    except FileExistsError:
        pass  # a leftover temporary file of ours: the folder is writable, the recorder replaces it
    except OSError as exc:
        raise OutputNotWritable(f"cannot write {path}: {exc.strerror or exc}; choose another --out") from exc
    else:
        probe.unlink(missing_ok=True)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def open_recorder(path: str | Path, fps: float, render, *, x264_preset: str | None = None, record=None,
                  boomerang: bool | None = None) -> Sink:
    """The recorder for ``path`` by its extension (not yet opened: use it in a ``with``).

    ``render`` is the ``render`` config section (crf, x264_preset, gif_*); ``x264_preset``
    overrides its preset. ``record`` (the ``record`` section) marks a live recording: MP4s are
    then crash-safe (fragmented, a keyframe every ``record.keyframe_seconds``).
    ``boomerang`` overrides ``render.gif_boomerang`` (GIFs only).
    """
    kind = output_kind(path)
    if kind == "mp4":
        return Mp4Recorder(path, fps, crf=render.crf, preset=x264_preset or render.x264_preset,
                           crash_safe=record is not None,
                           keyframe_seconds=record.keyframe_seconds if record is not None else 1.0)
    if kind == "gif":
        return GifRecorder(path, fps, max_width=render.gif_max_width, max_fps=render.gif_fps,
                           max_bytes=round(render.gif_max_mb * 1e6) if render.gif_max_mb else None,
                           max_seconds=render.gif_max_seconds,
                           boomerang=render.gif_boomerang if boomerang is None else boomerang)
    if kind == "png":
        return PngWriter(path)
    return FrameFolderWriter(path)


# ------------------------------------------------------------------------------------------
def vcam_setup_steps(platform: str | None = None) -> list[str]:
    """What to do, one step a line, in order, for this OS (``sys.platform`` by default)."""
    import sys

    platform = platform or sys.platform
    if platform.startswith("linux"):
        return [
            "1. install the loopback driver: sudo apt-get install v4l2loopback-dkms (Fedora: sudo dnf install v4l2loopback)",
            "2. load it: sudo modprobe v4l2loopback devices=1 exclusive_caps=1 card_label=livemorph "
            "(exclusive_caps=1 is what makes Chrome list the camera)",
            "3. run livemorph again with --vcam and pick the camera called \"livemorph\" in the meeting app",
        ]
    steps = [
        "1. install OBS Studio 28 or newer: https://obsproject.com",
        "2. in OBS press Start Virtual Camera once, then stop it and close OBS",
    ]
    if platform == "darwin":
        steps.append("3. allow the OBS camera extension in System Settings > General > Login Items & Extensions")
    steps.append(f"{len(steps) + 1}. run livemorph again with --vcam and pick \"OBS Virtual Camera\" in the meeting app")
    return steps


# One line for `livemorph doctor`, whose checks are one line each (every OS, in order).
VCAM_SETUP_HINT = (
    "Linux: sudo apt-get install v4l2loopback-dkms, then "
    "sudo modprobe v4l2loopback devices=1 exclusive_caps=1 card_label=livemorph "
    "(exclusive_caps=1 is what makes Chrome list the device); "
    "Windows/macOS: install OBS Studio and start its virtual camera once"
)


class VirtualCameraSetupNeeded(VirtualCameraUnavailable):
    """No virtual camera: the problem on the first line, then one line per setup step."""

    def __init__(self, problem: str, steps: list[str] | None = None):
        super().__init__(problem)
        self.problem = str(self.args[0])
        self.steps = list(vcam_setup_steps() if steps is None else steps)

    def __str__(self) -> str:
        return "\n".join([f"{self.problem}; to set one up:", *(f"  {step}" for step in self.steps)])


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
            raise VirtualCameraSetupNeeded(f"virtual camera backend {backend!r} is not available here (available: {known})")
        try:
            self._camera = pyvirtualcam.Camera(self.width, self.height, self.fps,
                                               fmt=pyvirtualcam.PixelFormat.RGB,
                                               backend=backend, device=self.device_requested)
        except RuntimeError as exc:
            reasons = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            raise VirtualCameraSetupNeeded(
                f"no virtual camera could be opened ({reasons or 'no backend for this OS'})") from exc
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
