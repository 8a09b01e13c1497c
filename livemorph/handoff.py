"""The one hand-off between two threads: bounded, and when full the OLDEST item is dropped.

With capacity 1 this is a latest-wins slot: a slow consumer always gets the newest item and
the producer never waits, so stale frames are dropped instead of queued (latency stays bounded
by one item per hand-off). Camera and video reader threads and the live loop use it that way;
recorders use a few slots so short encoder hiccups lose nothing. A producer that fails closes
the hand-off with its error, which the consumer gets once the items before it are drained.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Callable


class HandoffClosed(Exception):
    """``get`` on a hand-off that is closed and empty: the producer has finished."""


class Handoff:
    def __init__(self, capacity: int = 1, on_drop: Callable[[int], None] | None = None):
        if capacity < 1:
            raise ValueError(f"Handoff capacity must be >= 1, got {capacity}")
        self._items: deque = deque()
        self._capacity = capacity
        self._cond = threading.Condition()
        self._closed = False
        self._error: BaseException | None = None
        self._on_drop = on_drop
        self.dropped = 0

    def put(self, item: Any) -> None:
        """Never blocks. Items put after ``close()`` are ignored."""
        dropped = 0
        with self._cond:
            if self._closed:
                return
            while len(self._items) >= self._capacity:
                self._items.popleft()
                dropped += 1
            self._items.append(item)
            self.dropped += dropped
            self._cond.notify_all()
        if dropped and self._on_drop is not None:
            self._on_drop(dropped)

    def get(self, timeout: float | None = None) -> Any:
        """The oldest kept item; None after ``timeout`` s; when closed and drained, the producer's
        error (once), then HandoffClosed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._items:
                if self._closed:
                    error, self._error = self._error, None
                    raise error if error is not None else HandoffClosed()
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._cond.wait(remaining)
            item = self._items.popleft()
            self._cond.notify_all()  # wake wait_empty()
            return item

    def wait_empty(self, timeout: float) -> bool:
        """Block until the consumer took everything (or closed / timeout); True when empty."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._items and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return not self._items

    def wait_room(self, timeout: float) -> bool:
        """Block until there is room for one more item without dropping (or closed / timeout)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._items) >= self._capacity and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return len(self._items) < self._capacity or self._closed

    def close(self, error: BaseException | None = None) -> None:
        """No more puts; the consumer still drains what is left, then gets ``error`` or HandoffClosed."""
        with self._cond:
            if not self._closed:
                self._error = error
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def ended(self) -> bool:
        """Closed and drained: the producer finished and its last item was taken."""
        with self._cond:
            return self._closed and not self._items

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)
