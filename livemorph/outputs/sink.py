"""The sink contract every output follows (files and the virtual camera).

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

``close()`` and ``abort()`` are idempotent.

Size contract: the first frame fixes the size; later frames of another size, or frames that
are not RGB uint8, raise a one-line ValueError (a programming error, not a user error).
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..atomic import commit, discard, partial_path
from ..errors import OutputNotWritable
from ..frames import check_rgb_uint8

log = logging.getLogger(__name__)


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


class Sink:
    """Base of all sinks: open on enter, check frames, close or abort exactly once."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._opened = False
        self._closed = False
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
            self._write(image)
            self.frames_written += 1

    def close(self) -> None:
        """Finish the output (rename it into place). Idempotent."""
        with self._lock:
            if self._closed:
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


class FileRecorder(Sink):
    """A recorder writing one file (or folder) under a temporary name, renamed on a clean close."""

    def __init__(self, path: str | Path):
        super().__init__()
        self.path = Path(path)
        self.temp_path = partial_path(self.path)

    def _prepare_folder(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputNotWritable(f"cannot create folder {self.path.parent}: {exc.strerror}; choose another --out") from exc
        if self.path.is_dir():
            raise OutputNotWritable(f"{self.path} is a folder; give a file name ending in {self.path.suffix or '.mp4'}")

    def _rename_into_place(self) -> None:
        try:
            commit(self.temp_path, self.path)
        except OSError as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc.strerror}") from exc
        log.info("wrote %s (%d frames)", self.path, self.frames_written)

    def _discard(self) -> None:
        self._release()
        discard(self.temp_path)

    def _release(self) -> None:
        """Drop open handles without finishing (subclasses with handles override)."""

    def output_info(self) -> OutputInfo:
        info = super().output_info()
        size = self.path.stat().st_size if self.closed and self.path.is_file() else None
        return OutputInfo(frames=info.frames, size=info.size, fps=info.fps, bytes=size, notes=info.notes)
