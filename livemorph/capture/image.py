"""A still image as a source: one frame, or the same frame repeated like a frozen camera."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

from ..frames import Frame, load_image
from .threaded import DEFAULT_FPS, ThreadedSource


class ImageSource(ThreadedSource):
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
