"""A driver's resting value of a per-frame reading that is not an AU: its median, within a cap.

The one-sided smile's mouth tilt (``face.wink``) and the gaze (``face.gaze``) are drawn as their
change from the driver's own rest, as the AUs are from the neutral: offline the rest is the
median over the whole driver (``resting_median``), live over the neutral's window
(``RestingMedian``, the ``calibration`` window and sample rate). The cap keeps an expression held
from the first frames (a smirk, a sideways look) from becoming the rest.
"""
from __future__ import annotations

from collections import deque

import numpy as np


def resting_median(values, cap) -> np.ndarray | float:
    """The median of ``values`` (N readings, each a number or an array like ``cap``), within
    +-``cap``; 0 without any. A float for numbers, an array for arrays."""
    values = np.asarray(values, np.float64)
    if not values.size:
        return 0.0 if np.ndim(cap) == 0 else np.zeros_like(np.asarray(cap, np.float64))
    rest = np.clip(np.median(values, axis=0), -np.asarray(cap), np.asarray(cap))
    return float(rest) if np.ndim(rest) == 0 else rest


class RestingMedian:
    """Live: ``resting_median`` (within the class's ``cap``) over the last ``window_seconds`` of
    face time, sampled at ``sample_hz``."""

    cap: float | np.ndarray = np.inf

    def __init__(self, window_seconds: float, sample_hz: float):
        self.sample_interval = 1.0 / sample_hz
        self._window: deque = deque(maxlen=max(1, round(window_seconds * sample_hz)))
        self._next_sample_t: float | None = None
        self._rest = resting_median((), self.cap)  # worked out when a sample is kept, not every frame

    @classmethod
    def from_config(cls, calibration_config) -> "RestingMedian":
        return cls(calibration_config.window_seconds, calibration_config.sample_hz)

    def update(self, value, t_seconds: float):
        """One tracked frame's reading; the rest now."""
        if self._next_sample_t is None or t_seconds >= self._next_sample_t:
            self._next_sample_t = t_seconds + self.sample_interval
            self._window.append(value)
            self._rest = resting_median(self._window, self.cap)
        return self._rest

    def reset(self) -> None:
        self._window.clear()
        self._next_sample_t = None
        self._rest = resting_median((), self.cap)
