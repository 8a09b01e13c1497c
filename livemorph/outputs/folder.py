"""A folder of PNG frames (an --out without a suffix, or ending in /).

Folder: ``frame_000000.png`` ...; written into ``.NAME.partial/`` and renamed at the end;
an existing non-empty folder is refused rather than mixed with old frames.
"""
from __future__ import annotations

import logging

import numpy as np

from ..atomic import commit, discard
from ..errors import OutputNotWritable
from .sink import FileRecorder

log = logging.getLogger(__name__)


class FrameFolderWriter(FileRecorder):
    """A folder of ``frame_000000.png`` files, built under a temporary name and renamed at the end."""

    def _open(self) -> None:
        if self.path.exists() and (not self.path.is_dir() or any(self.path.iterdir())):
            raise OutputNotWritable(f"{self.path} already exists and is not an empty folder; choose a new folder name")
        discard(self.temp_path)  # leftovers of an earlier crash
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
            commit(self.temp_path, self.path)
        except OSError as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc.strerror}") from exc
        log.info("wrote %d frames into %s", self.frames_written, self.path)


def create(path, fps: float, options) -> FrameFolderWriter:
    return FrameFolderWriter(path)
