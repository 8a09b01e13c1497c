"""Always-on measurements of the live loop: per-stage ms, end-to-end latency, fps, drops.

Cheap enough to run every frame (a deque append under a lock). The HUD and the benchmark read
``LiveStats.snapshot()``; nothing here decides anything.
"""
from __future__ import annotations

import threading
import time
from collections import deque

import numpy as np

WINDOW = 240  # samples kept per series: ~8 s at 30 fps, enough for a stable p95


class RollingStats:
    """Rolling median / p95 of the last ``window`` samples (milliseconds)."""

    def __init__(self, window: int = WINDOW):
        self._samples: deque[float] = deque(maxlen=window)
        self.count = 0  # all samples ever added, not only the window

    def add(self, value_ms: float) -> None:
        self._samples.append(float(value_ms))
        self.count += 1

    def median(self) -> float | None:
        return float(np.median(np.fromiter(self._samples, dtype=np.float64))) if self._samples else None

    def summary(self) -> dict:
        if not self._samples:
            return {"median": None, "p95": None, "count": self.count}
        arr = np.fromiter(self._samples, dtype=np.float64)
        return {"median": float(np.median(arr)), "p95": float(np.percentile(arr, 95)), "count": self.count}


class RateMeter:
    """Events per second over the last ``window`` events."""

    def __init__(self, window: int = 60):
        self._times: deque[float] = deque(maxlen=window)
        self.count = 0

    def tick(self, now: float | None = None) -> None:
        self._times.append(time.monotonic() if now is None else now)
        self.count += 1

    def rate(self) -> float | None:
        if len(self._times) < 2:
            return None
        span = self._times[-1] - self._times[0]
        return (len(self._times) - 1) / span if span > 0 else None


class LiveStats:
    """Thread-safe collection of the live loop's figures, by stage name."""

    def __init__(self):
        self._lock = threading.Lock()
        self._stages: dict[str, RollingStats] = {}
        self._latency = RollingStats()
        self._output_rate = RateMeter()
        self._dropped: dict[str, int] = {}
        self._counters: dict[str, int] = {}
        self.started_at = time.monotonic()
        self._first_out: float | None = None
        self._last_out: float | None = None

    def stage(self, name: str, ms: float) -> None:
        with self._lock:
            self._stages.setdefault(name, RollingStats()).add(ms)

    def median(self, name: str) -> float | None:
        """Rolling median ms of one stage (None before its first sample)."""
        with self._lock:
            series = self._stages.get(name)
            return series.median() if series is not None else None

    def frame_out(self, captured_at: float, now: float | None = None) -> None:
        """A frame left the pipeline: count it and record its end-to-end latency."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._latency.add((now - captured_at) * 1000.0)
            self._output_rate.tick(now)
            if self._first_out is None:
                self._first_out = now
            self._last_out = now

    def dropped(self, where: str, n: int = 1) -> None:
        with self._lock:
            self._dropped[where] = self._dropped.get(where, 0) + n

    def set_dropped(self, where: str, total: int) -> None:
        """For drops counted elsewhere (the source's own slot)."""
        with self._lock:
            self._dropped[where] = total

    def count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counters[name] = self._counters.get(name, 0) + n

    def snapshot(self) -> dict:
        with self._lock:
            elapsed = time.monotonic() - self.started_at
            frames = self._output_rate.count
            span = (self._last_out - self._first_out) if self._first_out is not None else 0.0
            return {
                "fps": self._output_rate.rate(),
                "sustained_fps": (frames - 1) / span if frames > 1 and span > 0 else None,
                "frames_out": frames,
                "elapsed_s": elapsed,
                "latency_ms": self._latency.summary(),
                "stages_ms": {name: s.summary() for name, s in self._stages.items()},
                "dropped": dict(self._dropped),
                "dropped_total": sum(self._dropped.values()),
                "counters": dict(self._counters),
            }
