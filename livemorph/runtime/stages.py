"""Stage threads with one error path, shared by the offline render and the live session.

``StageThreads.start(loop, name)`` runs a stage on its own thread; whatever it raises (except
``Stopped``, the quiet way out) is recorded by ``fail`` and sets ``stop``, so every other stage
winds down. Outputs running their own threads report through the same ``fail``. The caller
joins and calls ``raise_first``: the first failure, from any stage, reaches the CLI and its
exit code. Stages are joined by ``livemorph.handoff.Handoff`` (latest-wins, live) or by the
bounded queues here (``put``/``get``, offline: nothing is dropped, the slowest stage sets the pace).
"""
from __future__ import annotations

import queue
import threading
from typing import Any, Callable

POLL_S = 0.1  # how often a blocked put/get looks at the stop flag


class Stopped(Exception):
    """Raised inside a stage when another stage failed or the run was stopped: leave quietly."""


class StageThreads:
    END = object()  # end-of-stream marker for the bounded queues

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

    # -- bounded queues (offline) -----------------------------------------------------------
    @staticmethod
    def queue(depth: int) -> queue.Queue:
        return queue.Queue(maxsize=depth)

    def put(self, q: queue.Queue, item: Any) -> None:
        """Block until there is room; ``Stopped`` once the run stops."""
        while True:
            if self.stop.is_set():
                raise Stopped()
            try:
                q.put(item, timeout=POLL_S)
                return
            except queue.Full:
                continue

    def get(self, q: queue.Queue) -> Any:
        """Block until an item comes; ``Stopped`` once the run stops."""
        while True:
            if self.stop.is_set():
                raise Stopped()
            try:
                return q.get(timeout=POLL_S)
            except queue.Empty:
                continue
