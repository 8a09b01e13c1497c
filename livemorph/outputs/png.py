"""PNG output.

PNG: the LAST frame written. By then smoothing and neutral calibration have settled;
``--max-frames N`` chooses the moment (``--max-frames 1`` gives the first).
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ..errors import OutputNotWritable
from .sink import FileRecorder, OutputInfo

log = logging.getLogger(__name__)


class PngWriter(FileRecorder):
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


def create(path, fps: float, options) -> PngWriter:
    return PngWriter(path)
