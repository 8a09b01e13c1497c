"""The live loop's outputs, each on its own thread behind its own bounded hand-off.

A slow output (a virtual camera pacing itself, an encoder hiccup, a full disk) only ever
drops its OWN frames; the render stage hands frames on without waiting. Every output is
finished on shutdown whatever the reason (quit, Ctrl+C, an error elsewhere): it drains what
is in its hand-off, then closes its sink (recorders rename their temporary file into place).
Only an output that failed itself aborts its sink (so no half file is left; a live MP4
recording is crash-safe and keeps what it wrote). Finishing is part of the output's work: an
error while closing (disk full, the rename failing, the encoder failing at flush) is that
output's failure like any other, reported through ``on_error``; ``on_closed`` is called only
once the sink is really closed (the ``r`` hotkey says "saved" then, not before).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..handoff import Handoff, HandoffClosed
from .live_stats import LiveStats

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveFrame:
    """One frame out of the render stage, shared read-only by all outputs."""

    portrait: np.ndarray  # the animated portrait, RGB uint8 at the portrait's full size
    user: np.ndarray  # the camera frame that drove it, RGB uint8
    reading: Any  # the AUReading (aus, neutral, state, neutral_state, ...)
    index: int  # output frame number, from 0
    source_time_s: float  # the source's timestamp of the driving frame
    captured_at: float  # time.monotonic() when the driving frame was captured
    target: str  # name of the portrait shown
    strength: float


Compose = Callable[[LiveFrame], np.ndarray]


def portrait_only(frame: LiveFrame) -> np.ndarray:
    return frame.portrait


def user_and_portrait(frame: LiveFrame, layout: str = "auto") -> np.ndarray:
    """You and the portrait, arranged by ``render.pair_layout`` (see ``layout.pair``)."""
    from ..outputs.compose import pair

    return pair(frame.user, frame.portrait, layout)


class OutputWorker:
    """A thread feeding one sink from a bounded hand-off; subclasses implement ``_deliver``."""

    daemon = False  # let a recorder finish its file even if the main thread is gone

    def __init__(self, name: str, stats: LiveStats, *, capacity: int = 1,
                 on_error: Callable[[BaseException], None] | None = None,
                 on_closed: Callable[[], None] | None = None):
        self.name = name
        self.stats = stats
        self.handoff = Handoff(capacity, on_drop=lambda n: self.stats.dropped(f"out:{name}", n))
        self.error: BaseException | None = None
        self.delivered = 0
        self._on_error = on_error
        self.on_closed = on_closed
        self.closed = False  # True once the sink finished normally
        self._thread = threading.Thread(target=self._run, name=f"livemorph-out-{name}", daemon=self.daemon)

    def start(self) -> "OutputWorker":
        self._thread.start()
        return self

    def submit(self, frame: Any) -> None:
        self.handoff.put(frame)

    def finish(self) -> None:
        """No more frames: the worker drains its hand-off, closes its sink and ends."""
        self.handoff.close()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            while True:
                try:
                    item = self._next_item()
                except HandoffClosed:
                    break
                if item is None:
                    continue
                start = time.perf_counter()
                self._deliver(item)
                self.delivered += 1
                self.stats.stage(f"out:{self.name}", (time.perf_counter() - start) * 1000.0)
                self.stats.count(f"out:{self.name}")
            self._close()
        except BaseException as exc:  # noqa: BLE001 - handed to the loop, which re-raises it
            self.error = exc
            self._abort()
            if self._on_error is not None:
                self._on_error(exc)
            return
        self.closed = True
        if self.on_closed is not None:
            self.on_closed()

    def _next_item(self):
        return self.handoff.get(timeout=0.5)

    def _finishing(self, what: str, close: Callable[[], None]) -> None:
        """Run ``close``; any failure becomes one OutputNotWritable line naming ``what``."""
        from ..errors import LivemorphError, OutputNotWritable

        try:
            close()
        except LivemorphError:
            raise
        except Exception as exc:  # noqa: BLE001 - disk full, rename failing, encoder error at flush, ...
            raise OutputNotWritable(f"{what} could not be finished: {exc}") from exc

    def _deliver(self, item) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        """Finish the sink normally."""

    def _abort(self) -> None:
        """Finish the sink after a failure of this output (delete partial files)."""


class SinkOutput(OutputWorker):
    """Any ``livemorph.outputs.sink.Sink``-like object (``write(image)``, ``close()``, ``abort()``)."""

    def __init__(self, name: str, sink, stats: LiveStats, *, compose: Compose = portrait_only, capacity: int = 1,
                 on_error=None):
        super().__init__(name, stats, capacity=capacity, on_error=on_error)
        self.sink = sink
        self.compose = compose

    def _deliver(self, frame: LiveFrame) -> None:
        self.sink.write(self.compose(frame))

    def _close(self) -> None:
        path = getattr(self.sink, "path", None)
        self._finishing(f"output {path}" if path is not None else f"the {self.name} output", self.sink.close)

    def _abort(self) -> None:
        abort = getattr(self.sink, "abort", None)
        (abort or self.sink.close)()


class RecorderOutput(SinkOutput):
    """A constant-frame-rate recording timed by the SOURCE clock.

    Frames dropped upstream (the pipeline is slower than the camera) are filled by repeating
    the previous frame, so a recording plays at the speed it was performed. A gap longer than
    ``max_gap_s`` (a long pause) or a clock going back is not filled: the recording just cuts.
    """

    def __init__(self, path: Path, sink, stats: LiveStats, *, fps: float, compose: Compose, capacity: int,
                 max_gap_s: float = 1.0, on_error=None):
        super().__init__("record", sink, stats, compose=compose, capacity=capacity, on_error=on_error)
        self.path = Path(path)
        self.fps = float(fps)
        self.max_gap_slots = max(1, round(max_gap_s * self.fps))
        self._last_slot: int | None = None
        self._last_image: np.ndarray | None = None
        self.frames_written = 0

    def _deliver(self, frame: LiveFrame) -> None:
        image = self._fit(self.compose(frame))
        slot = round(frame.source_time_s * self.fps)
        if self._last_slot is not None:
            gap = slot - self._last_slot
            if gap == 0:
                return  # two frames in one slot (source faster than the recording fps): keep the first
            if gap < 0 or gap > self.max_gap_slots:
                gap = 1  # the clock went back or jumped (a restarted source, a long pause): just cut
            for _ in range(gap - 1):
                self._write(self._last_image)
            slot = self._last_slot + gap
        self._write(image)
        self._last_slot = slot
        self._last_image = image

    def _fit(self, image: np.ndarray) -> np.ndarray:
        """A file keeps its first frame's size: a portrait of another size (hotkey n/p) is letterboxed into it."""
        if self._last_image is None or image.shape == self._last_image.shape:
            return image
        from ..outputs.compose import letterbox

        return letterbox(image, self._last_image.shape[1], self._last_image.shape[0])

    def _write(self, image: np.ndarray) -> None:
        self.sink.write(image)
        self.frames_written += 1
        self.stats.count("record:file_frames")

    def _close(self) -> None:
        self._finishing(f"recording {self.path}", self.sink.close)


class VcamOutput(SinkOutput):
    """A virtual camera: a steady stream at its own fps, repeating the newest frame.

    Video-call apps expect a camera that never stops; when the pipeline is slower than the
    camera rate (or paused) the last frame is sent again. Pacing is the sink's job
    (``VirtualCamSink`` sleeps until the next slot after each send).
    """

    def __init__(self, sink, stats: LiveStats, *, compose: Compose, steady: bool, on_error=None):
        super().__init__("vcam", sink, stats, compose=compose, capacity=1, on_error=on_error)
        self.steady = steady
        self._last_image: np.ndarray | None = None
        self.repeated = 0

    def _next_item(self):
        if self.steady and self._last_image is not None:
            item = self.handoff.get(timeout=0.0)
            return item if item is not None else _REPEAT
        return self.handoff.get(timeout=0.5)

    def _deliver(self, item) -> None:
        if item is _REPEAT:
            self.repeated += 1
            self.sink.write(self._last_image)
            return
        self._last_image = self.compose(item)
        self.sink.write(self._last_image)


_REPEAT = object()


class AUTrackOutput(OutputWorker):
    """The session's driving AUs into an OpenFace-layout CSV (``livemorph.face.au_tracks``).

    Fed from the tracking stage (every analysed frame, not only rendered ones); a deep
    hand-off because rows are tiny and a track should not miss any.
    """

    def __init__(self, writer, stats: LiveStats, *, capacity: int = 1024, on_error=None):
        super().__init__("aus", stats, capacity=capacity, on_error=on_error)
        self.writer = writer

    def _deliver(self, item) -> None:
        index, time_s, reading = item
        self.writer.write(index, time_s, reading, bool(reading.success), float(reading.confidence))

    def _close(self) -> None:
        self._finishing(f"AU track {getattr(self.writer, 'path', '')}".strip(), lambda: self.writer.close(keep=True))

    def _abort(self) -> None:
        self.writer.close(keep=False)


# ------------------------------------------------------------------------------------------
# Factories of the live output kinds (registered in live_registry).
def create_vcam(request) -> VcamOutput | None:
    """The ``vcam`` kind (``vcam.enabled``). Without one, a run that has a window or a file
    goes on (a warning with the setup steps); a run with nothing else to show stops (exit 5)."""
    from ..errors import VirtualCameraUnavailable
    from ..outputs.vcam import VirtualCamSink

    config = request.config
    if not config.vcam.enabled:
        return None
    sink = VirtualCamSink.from_config(config.vcam)
    try:
        sink.open()
    except VirtualCameraUnavailable as exc:
        if not request.has_other_outputs:
            raise
        first, *steps = str(exc).splitlines()  # the problem, then one line per setup step
        log.warning("%s", "\n".join([f"{first.removesuffix('; to set one up:')} -- going on without it; "
                                      "to set one up:", *steps]))
        return None
    # Video calls want the portrait alone, so the virtual camera never shows you beside it.
    return VcamOutput(sink, request.stats, compose=portrait_only, steady=config.vcam.pace)


def create_au_track(request) -> AUTrackOutput | None:
    """The ``aus`` kind (``--record-aus PATH``): the driving AUs with their neutral, as a CSV."""
    if not request.record_aus:
        return None
    from ..face.au_tracks import AUTrackWriter
    from ..atomic import free_path

    # Like a video take: written in place from its first row (a killed run keeps its rows), and
    # never over an existing file (it once replaced the portrait or the source it was named as).
    path = free_path(Path(request.record_aus))
    if path != Path(request.record_aus):
        log.warning("%s exists; writing the AU track to %s instead", request.record_aus, path)
    return AUTrackOutput(AUTrackWriter(path, with_neutral=True, crash_safe=True).__enter__(), request.stats)
