"""The record output: what the ``r`` hotkey (and ``--record``) starts and stops, one take a file."""
from __future__ import annotations

import logging
import time
from functools import partial
from pathlib import Path

from ..atomic import free_path, numbered_path
from .live_stats import LiveStats

log = logging.getLogger(__name__)


def create(request):
    """The ``record`` live output kind: always there (the hotkey works without ``--record``)."""
    config = request.config
    fps = config.record.fps or request.source_fps or 30.0
    return Recording(config, path=request.record, fps=fps, side_by_side=config.record.side_by_side,
                     stats=request.stats)


class Recording:
    """The recorder output that the ``r`` hotkey (and ``--record``) starts and stops.

    The first recording goes to ``--record PATH``; later ones to PATH-2, PATH-3 ... A take
    never overwrites an existing file (a live MP4 is written in place from its first frame, so
    an overwritten take would be gone at once): the next free number is used instead. Without
    ``--record`` files are named by time in ``window.record_dir``.
    """

    def __init__(self, config, *, path: str | None, fps: float, side_by_side: bool, stats: LiveStats):
        self.config = config
        self.base = Path(path) if path else None
        self.fps = fps
        self.side_by_side = side_by_side
        self.stats = stats
        self.loop = None  # the LiveLoop, set by attach()
        self.output = None
        self.paths: list[Path] = []
        self.saved: list[str] = []  # "NAME: 300 frames 512x600 @ 30 fps, 1.2 MB", once each file is closed

    def _next_path(self) -> Path:
        if self.base is None:
            base = Path(self.config.window.record_dir).expanduser() / time.strftime("livemorph-%Y%m%d-%H%M%S.mp4")
            first = 1  # two takes within one second get -2, -3 ...
        else:
            base, first = self.base, len(self.paths) + 1
        path = free_path(base, first)
        if self.base is not None and path != numbered_path(base, first):
            log.warning("%s exists; recording to %s instead", base, path)
        return path

    def attach(self, loop) -> None:
        """Bind to the loop the hotkey adds takes to; with ``--record`` the first take starts now."""
        self.loop = loop
        if self.base is not None:
            self.output = self.make_output()
            loop.outputs.append(self.output)

    def make_output(self):
        from .live_outputs import RecorderOutput, portrait_only, user_and_portrait
        from ..outputs.registry import open_recorder

        path = self._next_path()
        sink = open_recorder(path, self.fps, self.config.render, x264_preset=self.config.record.x264_preset,
                             record=self.config.record)
        sink.open()
        self.paths.append(path)
        log.info("recording to %s", path)
        compose = partial(user_and_portrait, layout=self.config.render.pair_layout) if self.side_by_side else portrait_only
        output = RecorderOutput(path, sink, self.stats, fps=self.fps, capacity=self.config.record.buffer_frames,
                                compose=compose)
        output.on_closed = partial(self._closed, output, None)
        return output

    def _closed(self, output, controls) -> None:
        info = getattr(output.sink, "output_info", None)
        self.saved.append(f"{output.path}: {info().describe()}" if info is not None else str(output.path))
        if controls is not None:
            controls.notify(f"saved {output.path}")

    @property
    def active(self) -> bool:
        return self.output is not None

    def toggle(self, controls) -> None:
        if self.output is None:
            self.output = self.make_output()
            self.loop.add_output(self.output)
            controls.notify(f"recording to {self.output.path}")
        else:
            output, self.output = self.output, None
            # "saved" only once the file is closed: the encoder may still be draining its buffer.
            output.on_closed = partial(self._closed, output, controls)
            controls.notify(f"saving {output.path} ...", seconds=30.0)
            self.loop.remove_output(output)
