"""The one stage runner, shared by the offline render and the live session.

``StagePipeline`` runs source -> track -> render -> deliver as threads joined by ``Link``s.
Live and offline differ only in pacing and drop policy:

- live (``latest_wins=True``): the source paces itself (a camera, a paced video); the links
  are latest-wins ``Handoff(1)``s, so a slow stage drops stale items and never queues them;
  delivery runs on the render thread and hands each frame to outputs that own their threads
  and latest-wins hand-offs (``live_outputs``), so a slow output drops only its own frames;
- offline (``latest_wins=False``): the source is read as fast as the stages go; the links are
  bounded and blocking, nothing is dropped and the slowest stage sets the pace; delivery (the
  encoder) has its own thread behind the second link.

One error path: ``StageThreads.start`` runs a stage on its own thread; whatever it raises
(except ``Stopped``, the quiet way out) is recorded by ``fail`` and sets ``stop``, so every other
stage winds down. Outputs running their own threads report through the same ``fail``. The
caller joins and calls ``raise_first``: the first failure, from any stage, reaches the CLI and
its exit code.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable

from ..handoff import Handoff, HandoffClosed

POLL_S = 0.1  # how often a blocked put/get looks at the stop flag

Emit = Callable[[Any], None]


class Stopped(Exception):
    """Raised inside a stage when another stage failed or the run was stopped: leave quietly."""


class StageThreads:
    def __init__(self) -> None:
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self.threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def fail(self, exc: BaseException) -> None:
        """Record a failure (the first one wins at ``raise_first``) and stop every stage."""
        with self._lock:
            self.errors.append(exc)
        self.stop.set()

    def start(self, loop: Callable[[], None], name: str) -> threading.Thread:
        def run():
            try:
                loop()
            except Stopped:
                pass
            except BaseException as exc:  # noqa: BLE001 - handed to the caller by raise_first
                self.fail(exc)

        thread = threading.Thread(target=run, name=name, daemon=True)
        self.threads.append(thread)
        thread.start()
        return thread

    def join(self, timeout: float | None = None) -> list[str]:
        """Wait for the stage threads (each up to ``timeout`` s); the names of those still running."""
        for thread in self.threads:
            thread.join(timeout)
        return [thread.name for thread in self.threads if thread.is_alive()]

    def raise_first(self) -> None:
        if self.errors:
            raise self.errors[0]

    def link(self, capacity: int, *, latest_wins: bool, on_drop: Callable[[int], None] | None = None) -> "Link":
        return Link(self.stop, capacity, latest_wins=latest_wins, on_drop=on_drop)


class Link:
    """The hand-off between two stages: latest-wins (``put`` never waits, the oldest item is
    dropped) or bounded (``put`` waits for room, nothing is dropped). Both raise ``Stopped``
    once the run stops; ``get`` raises ``HandoffClosed`` once the producer closed the link and
    it is drained. Items are never None (None means "nothing yet")."""

    def __init__(self, stop: threading.Event, capacity: int, *, latest_wins: bool,
                 on_drop: Callable[[int], None] | None = None):
        self.handoff = Handoff(capacity, on_drop=on_drop)
        self.latest_wins = latest_wins
        self._stop = stop

    def put(self, item: Any) -> None:
        if not self.latest_wins:
            while not self.handoff.wait_room(POLL_S):
                if self._stop.is_set():
                    raise Stopped()
        if self._stop.is_set():
            raise Stopped()
        self.handoff.put(item)

    def get(self, timeout: float | None = None) -> Any:
        """The next item; None after ``timeout`` s (None: wait for one)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self._stop.is_set():
                raise Stopped()
            wait = POLL_S if deadline is None else min(POLL_S, max(0.0, deadline - time.monotonic()))
            item = self.handoff.get(timeout=wait)
            if item is not None:
                return item
            if deadline is not None and time.monotonic() >= deadline:
                return None

    def wait_empty(self, timeout: float) -> bool:
        """True once the consumer took everything (the live tracker waits for the engine so)."""
        return self.handoff.wait_empty(timeout)

    def close(self) -> None:
        self.handoff.close()


class StagePipeline(StageThreads):
    """source -> track -> render -> deliver on threads joined by links (see the module docstring).

    ``start(track, render, deliver)``:
    - ``track(emit)`` reads the source and emits one tracked item per frame it analyses; it
      returns when the source ends (the run then ends once every item is out);
    - ``render(item, emit)`` emits 0..n output frames for one item (0: paused, or resampled away;
      n: a frame repeated for a higher output fps);
    - ``deliver(frame)`` hands one frame to the outputs.
    When the last stage ends, ``stop`` is set: the run is over (or failed: ``raise_first``).
    """

    def __init__(self, name: str, *, latest_wins: bool, depth: int = 8,
                 on_drop: Callable[[str, int], None] | None = None):
        super().__init__()
        self.name = name
        self.latest_wins = latest_wins
        capacity = 1 if latest_wins else depth
        tracking_drop = None if on_drop is None else (lambda n: on_drop("tracking", n))  # counted per stage
        self.tracked = self.link(capacity, latest_wins=latest_wins, on_drop=tracking_drop)
        self.rendered = None if latest_wins else self.link(capacity, latest_wins=False)

    def start_stages(self, track: Callable[[Emit], None], render: Callable[[Any, Emit], None],
                     deliver: Emit) -> None:
        def tracking():
            track(self.tracked.put)
            self.tracked.close()  # the items in flight still come out, then the later stages end

        def rendering():
            emit = deliver if self.rendered is None else self.rendered.put
            try:
                while True:
                    try:
                        item = self.tracked.get()
                    except HandoffClosed:
                        break
                    render(item, emit)
            finally:
                if self.rendered is not None:
                    self.rendered.close()
            if self.rendered is None:
                self.stop.set()  # delivered inline: every frame is out

        def delivering():
            while True:
                try:
                    frame = self.rendered.get()
                except HandoffClosed:
                    break
                deliver(frame)
            self.stop.set()  # every frame is out

        self.start(tracking, f"{self.name}-tracking")
        self.start(rendering, f"{self.name}-engine")
        if self.rendered is not None:
            self.start(delivering, f"{self.name}-deliver")

    def wait(self) -> None:
        """Block the calling thread until the run is over; Ctrl+C stops every stage, then is raised."""
        try:
            while not self.stop.wait(POLL_S):
                pass
        except BaseException:
            self.stop.set()
            self.join()
            raise
        self.join()
