"""A video file decoded with PyAV, paced like a camera (live) or every frame in order (offline)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import InputNotFound, InputUnreadable
from ..frames import Frame
from .threaded import DEFAULT_FPS, ThreadedSource


def upright(image: np.ndarray, rotation_ccw: float, turns: int = 0) -> np.ndarray:
    """The frame as it should be shown, given its display-matrix rotation (degrees counter-clockwise,
    PyAV's ``VideoFrame.rotation``, as FFmpeg's autorotate applies it): phone videos store -90;
    ``turns`` more quarter turns (``np.rot90``) for pixels that lie turned without saying so."""
    quarter_turns = (_quarter_turns(rotation_ccw) + turns) % 4
    return np.ascontiguousarray(np.rot90(image, quarter_turns)) if quarter_turns else image


def _quarter_turns(rotation_ccw: float) -> int:
    return int(round(rotation_ccw / 90.0)) % 4


class VideoFileSource(ThreadedSource):
    """A video file decoded with PyAV: paced at its own fps (live) or as fast as read (offline).

    Timestamps are ``index * 1000 / fps`` and keep increasing across loops, so MediaPipe's
    VIDEO mode never sees time go backwards. Frames are turned upright by the file's
    display-matrix rotation (portrait videos from phones), and ``turns`` more quarter turns where
    the pixels lie turned without saying so (``face.upright.video_way_up`` finds them).
    """

    def __init__(self, path: str | Path, *, paced: bool = True, loop: bool = False, turns: int = 0):
        super().__init__()
        self.path = Path(path)
        self.paced = paced
        self.loop = loop
        self.turns = turns % 4
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
            if first is not None and (_quarter_turns(first.rotation) + self.turns) % 2:
                self.size = self.size[::-1]  # shown upright (phone videos): width and height swap
            count = stream.frames
            if not count and stream.duration and stream.time_base:
                count = round(float(stream.duration * stream.time_base) * self.fps)
            self.frame_count = int(count) if count else None

    def _decode(self, keep=lambda index: True) -> Iterator[np.ndarray]:
        """RGB images of one pass over the file (of the frames whose index ``keep`` says: the others
        are decoded, not converted)."""
        from av import FFmpegError  # a local name: still valid if the generator is finalised at exit

        container, stream = self._open_container()
        with container:
            try:
                for index, frame in enumerate(container.decode(stream)):
                    if keep(index):
                        yield upright(frame.to_ndarray(format="rgb24"), frame.rotation, self.turns)
            except FFmpegError as exc:
                raise InputUnreadable(f"cannot decode {self.path}: {exc}") from exc

    def samples(self, every_s: float, within_s: float) -> Iterator[np.ndarray]:
        """A frame every ``every_s`` seconds of the file's first ``within_s`` (decoded on demand)."""
        step = max(1, round(every_s * (self.fps or DEFAULT_FPS)))
        count = int(within_s // every_s) + 1
        images = self._decode(keep=lambda index: index % step == 0)
        try:
            for _, image in zip(range(count), images):
                yield image
        finally:
            images.close()  # the decoder is let go now, not when collected

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
