"""From raw per-frame AUs to a steady driving signal: smoothing, neutral calibration, no-face policy.

- ``OneEuroFilter``: per-channel adaptive low-pass (Casiez et al., CHI 2012), steady at rest and
  quick on fast moves; blink and mouth channels get lighter settings so they survive.
- ``NeutralCalibrator``: the user's resting AUs, taken from the first stretch of calm face
  (and again on demand), so a portrait is driven by the user's *change* from neutral.
- ``AUStabilizer``: both of the above plus what happens when the face is lost: hold the last
  value briefly, then ease to neutral. It never raises for a bad frame.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .aus import NUM_AUS, au_index


class OneEuroFilter:
    """Vectorised One Euro filter; ``min_cutoff`` and ``beta`` may be per channel."""

    def __init__(self, min_cutoff, beta, d_cutoff: float = 1.0):
        self.min_cutoff = np.asarray(min_cutoff, np.float64)
        self.beta = np.asarray(beta, np.float64)
        self.d_cutoff = float(d_cutoff)
        self.reset()

    def reset(self) -> None:
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    @staticmethod
    def _alpha(cutoff, dt: float):
        tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff, np.float64))
        return 1.0 / (1.0 + tau / dt)

    def update(self, x: np.ndarray, t_seconds: float) -> np.ndarray:
        x = np.asarray(x, np.float64)
        if self._x is None or self._t is None:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t_seconds
            return x.astype(np.float32)
        dt = t_seconds - self._t
        if dt <= 0:
            dt = 1.0 / 30.0  # repeated timestamp: assume one frame at 30 fps
        dx = (x - self._x) / dt
        a_d = self._alpha(self.d_cutoff, dt)
        self._dx = a_d * dx + (1 - a_d) * self._dx
        cutoff = self.min_cutoff + self.beta * np.abs(self._dx)
        a = self._alpha(cutoff, dt)
        self._x = a * x + (1 - a) * self._x
        self._t = t_seconds
        return self._x.astype(np.float32)


class NeutralCalibrator:
    """The user's resting AUs: a per-AU quantile over ``seconds`` of calm face.

    Until a calm window has been seen, ``neutral`` is provisional (the quantile of what has
    been seen so far), so the portrait does not first mirror the user's resting face.
    """

    def __init__(self, seconds: float, max_motion: float, quantile: float, auto: bool = True):
        self.seconds = seconds
        self.max_motion = max_motion
        self.quantile = quantile
        self.auto = auto
        self._window: deque[tuple[float, np.ndarray]] = deque()
        self._neutral = np.zeros(NUM_AUS, np.float32)
        self.calibrated = False
        self._collecting = auto

    @property
    def neutral(self) -> np.ndarray:
        return self._neutral.copy()

    @property
    def collecting(self) -> bool:
        return self._collecting

    def recalibrate(self) -> None:
        """Take a new baseline from the next calm stretch (the old one drives until then)."""
        self._window.clear()
        self._collecting = True

    def set_neutral(self, aus: np.ndarray) -> None:
        self._neutral = np.asarray(aus, np.float32).copy()
        self.calibrated = True
        self._collecting = False
        self._window.clear()

    def update(self, aus: np.ndarray, t_seconds: float) -> None:
        if not self._collecting:
            return
        aus = np.asarray(aus, np.float32)
        if self._window and float(np.mean(np.abs(aus - self._window[-1][1]))) > self.max_motion:
            self._window.clear()  # not calm: start the window again
        self._window.append((t_seconds, aus))
        stack = np.stack([a for _, a in self._window])
        span = t_seconds - self._window[0][0]
        if span >= self.seconds:
            self.set_neutral(np.quantile(stack, self.quantile, axis=0))
        elif not self.calibrated:
            self._neutral = np.quantile(stack, self.quantile, axis=0).astype(np.float32)

    def forget_motion(self) -> None:
        """The face was lost: a calm window must be contiguous face time."""
        self._window.clear()


@dataclass(frozen=True)
class AUReading:
    """The driving signal for one frame."""

    aus: np.ndarray  # (17,) absolute AUs (smoothed; held/eased while the face is lost)
    neutral: np.ndarray  # (17,) the user's neutral baseline
    success: bool  # a face was tracked in this frame
    confidence: float
    state: str  # tracking | holding | easing | lost
    calibrated: bool
    timestamp_ms: float
    track: Any = field(default=None, compare=False)

    @property
    def delta(self) -> np.ndarray:
        """The user's change from neutral: what actually drives a portrait."""
        return self.aus - self.neutral


class AUStabilizer:
    """Smoothing + calibration + no-face policy over a stream of raw AU vectors."""

    def __init__(self, smoothing_config, calibration_config, no_face_config):
        sc = smoothing_config
        self.smoothing_enabled = sc.enabled
        min_cutoff = np.full(NUM_AUS, sc.min_cutoff)
        beta = np.full(NUM_AUS, sc.beta)
        for name in sc.fast_aus:
            min_cutoff[au_index(name)] = sc.fast_min_cutoff
            beta[au_index(name)] = sc.fast_beta
        self.filter = OneEuroFilter(min_cutoff, beta, sc.d_cutoff)
        cc = calibration_config
        self.calibrator = NeutralCalibrator(cc.seconds, cc.max_motion, cc.quantile, auto=cc.auto)
        self.hold_s = no_face_config.hold_seconds
        self.ease_s = max(no_face_config.ease_seconds, 1e-6)
        self._last_good: np.ndarray | None = None
        self._last_good_t: float | None = None
        self.lost_events = 0  # times the face went missing (for stats and a one-time warning)
        self._was_tracking = False

    @classmethod
    def from_config(cls, config) -> "AUStabilizer":
        return cls(config.smoothing, config.calibration, config.no_face)

    def recalibrate(self) -> None:
        self.calibrator.recalibrate()

    def update(self, aus: np.ndarray | None, success: bool, t_ms: float, *, confidence: float | None = None,
               track: Any = None) -> AUReading:
        t = t_ms / 1000.0
        if success and aus is not None:
            raw = np.asarray(aus, np.float32)
            smooth = self.filter.update(raw, t) if self.smoothing_enabled else raw
            smooth = np.clip(smooth, 0.0, 5.0).astype(np.float32)
            self.calibrator.update(raw, t)
            self._last_good, self._last_good_t = smooth, t
            self._was_tracking = True
            return self._reading(smooth, True, 1.0 if confidence is None else confidence, "tracking", t_ms, track)

        # No face: the filter restarts from the next real value rather than gliding from stale state.
        if self._was_tracking:
            self.lost_events += 1
            self._was_tracking = False
        self.filter.reset()
        self.calibrator.forget_motion()
        neutral = self.calibrator.neutral
        if self._last_good is None or self._last_good_t is None:
            return self._reading(neutral, False, 0.0, "lost", t_ms, track)
        gone = t - self._last_good_t
        if gone <= self.hold_s:
            return self._reading(self._last_good, False, 0.0, "holding", t_ms, track)
        w = min(1.0, (gone - self.hold_s) / self.ease_s)
        # Smoothstep so the portrait settles rather than stops abruptly.
        w = w * w * (3 - 2 * w)
        eased = (1 - w) * self._last_good + w * neutral
        return self._reading(eased.astype(np.float32), False, 0.0, "easing" if w < 1.0 else "lost", t_ms, track)

    def _reading(self, aus, success, confidence, state, t_ms, track) -> AUReading:
        return AUReading(
            aus=np.asarray(aus, np.float32).copy(),
            neutral=self.calibrator.neutral,
            success=success,
            confidence=float(confidence),
            state=state,
            calibrated=self.calibrator.calibrated,
            timestamp_ms=float(t_ms),
            track=track,
        )
