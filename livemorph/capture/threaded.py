"""The part every frame source shares: a capture thread filling a latest-wins hand-off.

The reading contract (``read_latest``, offline iteration, ``dropped``/``ended``) is described in
``livemorph.capture.sources``.
"""
from __future__ import annotations

import threading
from typing import Callable

from ..frames import Frame
from ..handoff import Handoff, HandoffClosed

DEFAULT_FPS = 30.0


class ThreadedSource:
    """Common part: a capture thread filling a latest-wins hand-off (a newer frame replaces an unread one)."""

    description = "source"

    def __init__(self) -> None:
        self._slot = Handoff(1)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.fps: float | None = None
        self.size: tuple[int, int] | None = None
        self.frame_count: int | None = None
        # time.monotonic() at timestamp_ms == 0 for live sources: capture time = origin + ts / 1000
        self.clock_origin: float | None = None

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _start_thread(self, target: Callable[[], None], name: str) -> None:
        def run():
            try:
                target()
            except BaseException as exc:  # handed to the consumer, raised from read_latest
                self._slot.close(exc)
            else:
                self._slot.close()

        self._thread = threading.Thread(target=run, name=name, daemon=True)
        self._thread.start()

    def read_latest(self, timeout: float | None = None) -> Frame | None:
        """The newest frame not yet returned; None if none arrives within ``timeout`` s."""
        if self._thread is None:
            raise ValueError(f"{type(self).__name__}.read_latest() before open(); use it as a context manager")
        try:
            return self._slot.get(timeout)
        except HandoffClosed:
            return None

    @property
    def dropped(self) -> int:
        return self._slot.dropped

    @property
    def ended(self) -> bool:
        return self._slot.ended

    close_timeout_s = 2.0  # how long close() waits for the capture thread

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=self.close_timeout_s)

    @property
    def capture_thread_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
