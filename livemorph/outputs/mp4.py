"""MP4 output (.mp4, .m4v, .mov).

MP4: H.264 (libx264, yuv420p, CRF from ``render.crf``); odd sizes are padded by one
repeated row/column, since yuv420p needs even sizes (MPEG-4 Part 2 if libx264 is missing).
Converted from RGB with the BT.709 matrix into limited ("TV") range and tagged so
(primaries, transfer, matrix, range), so players do not have to guess the colours.
- Live recordings (``crash_safe=True``): fragmented MP4 written straight under the chosen
name, a keyframe and a fragment every ``keyframe_seconds``, each fragment flushed to the OS
when it is complete (and fsync'ed once a keyframe interval, so a power cut loses no more).
A process killed outright (SIGKILL, power loss, OOM) leaves a file that plays up to its last
complete fragment (about the last 1-2 s are lost). A recording
whose own output fails keeps what it wrote (it plays); the error names the file.
"""
from __future__ import annotations

import logging
import os
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..errors import OutputNotWritable
from .compose import pad_to_even
from .sink import FileRecorder

log = logging.getLogger(__name__)

# BT.709, limited range: what HD video players assume, now also written in the stream's tags.
_BT709 = 1  # AVCOL_PRI_BT709 = AVCOL_TRC_BT709 = AVCOL_SPC_BT709
_LIMITED_RANGE = 1  # AVCOL_RANGE_MPEG


class Mp4Recorder(FileRecorder):
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

    @property
    def frame_size(self) -> tuple[int, int] | None:
        """(width, height) as the file holds its frames: odd sides padded to even (``pad_to_even``)."""
        size = super().frame_size
        return None if size is None else (size[0] + size[0] % 2, size[1] + size[1] % 2)

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


def create(path, fps: float, options) -> Mp4Recorder:
    """Registry factory: live recordings (``options.record`` set) are crash-safe fragmented MP4s."""
    record, render = options.record, options.render
    return Mp4Recorder(path, fps, crf=render.crf, preset=options.x264_preset or render.x264_preset,
                       crash_safe=record is not None,
                       keyframe_seconds=record.keyframe_seconds if record is not None else 1.0)
