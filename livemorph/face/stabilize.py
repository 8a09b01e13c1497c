"""From raw per-frame AUs to a steady driving signal: smoothing, neutral calibration, no-face policy.

- ``OneEuroFilter``: per-channel adaptive low-pass (Casiez et al., CHI 2012), steady at rest and
  quick on fast moves; blink and mouth channels get lighter settings so they survive.
- ``NeutralBaseline``: the user's resting AUs, a capped low quantile over a long window of
  face time (or pinned on demand), so a portrait is driven by the user's *change* from neutral.
- ``AUStabilizer``: both of the above plus what happens when the face is lost: hold the last
  value briefly, then ease to neutral. It never raises for a bad frame.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..aus import NUM_AUS, au_index
from ..easing import smoothstep


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


def resting_estimate(aus: np.ndarray, quantile: float, rest_caps: np.ndarray) -> np.ndarray:
    """The resting face behind a stack of AU vectors (N, 17): a low per-AU quantile, capped.

    People rest far more than they emote, so a low quantile of everything seen is their
    resting value even while they talk or laugh. The cap is the most a resting face plausibly
    reads per AU: a stretch that is all expression (a driver that laughs from the first frame)
    can never become the neutral and swallow the expression.
    """
    stack = np.asarray(aus, np.float32).reshape(-1, NUM_AUS)
    if len(stack) == 0:
        return np.zeros(NUM_AUS, np.float32)
    return np.minimum(np.quantile(stack, quantile, axis=0), rest_caps).astype(np.float32)


class NeutralBaseline:
    """The user's resting AUs, estimated continuously from a long window of tracked frames.

    - From the first tracked frame the neutral is ``resting_estimate`` of what has been seen, so
      the portrait neither mirrors the user's resting face (it is subtracted at once) nor
      swallows an early smile (the cap keeps it out of the neutral).
    - Some caps open with the face time seen: at first the brows' and the lips' neutral read no
      higher than ``first_caps`` (what a plain resting face reads), rising smoothly to
      ``rest_caps`` over ``settle_seconds``; an AU without a first cap has its rest cap from the
      start. A few seconds of frames cannot tell a held expression from a rest, and of the five
      shared drivers three start with their brows raised 1.5-3.3 (their rests 0-0.7) and one
      talking, lips parted (AU25 0.3-1.3 for 3 s, her rest 0): under the rest caps (brows 2.0,
      lips 0.6) that was taken as the neutral, the raise and the partings were not drawn and the
      relaxing was drawn as a frown. Brows that rest high (london_042 reads 3.2) and lips that
      rest apart show so at first and are learnt by the end of the settling. The other AUs keep
      their caps from the first frame: a beard read as a chin raise, heavy brows read as a frown
      are subtracted at once.
    - Frames are sampled at ``sample_hz`` into a ``window_seconds`` window of face time; a low
      quantile of that window only falls when the user relaxes and rises only as old samples
      leave, so a held smile or a minute of talking does not move it.
    - ``pin()`` (the ``c`` key): the median of the next ``pin_seconds`` of face becomes the
      neutral, uncapped, and stays until the next ``pin()``.
    - ``auto=False``: the neutral is 0 (absolute AUs) until ``pin()``.
    """

    def __init__(self, *, auto: bool, quantile: float, window_seconds: float, sample_hz: float,
                 pin_seconds: float, rest_caps: np.ndarray, first_caps: np.ndarray, settle_seconds: float):
        self.auto = auto
        self.quantile = quantile
        self.rest_caps = np.asarray(rest_caps, np.float32)
        self.first_caps = np.minimum(np.asarray(first_caps, np.float32), self.rest_caps)
        self.settle_seconds = settle_seconds
        self._some_caps_open_with_time = bool(np.any(self.first_caps < self.rest_caps))
        self._face_seconds = 0.0  # face time sampled so far (the caps open with it)
        self.sample_interval = 1.0 / sample_hz
        self.pin_seconds = pin_seconds
        self._window: deque[np.ndarray] = deque(maxlen=max(1, round(window_seconds * sample_hz)))
        self._next_sample_t: float | None = None
        self._neutral = np.zeros(NUM_AUS, np.float32)
        self._pin_frames: list[np.ndarray] | None = None  # collecting for an explicit neutral
        self._pin_started: float | None = None
        self.pinned = False
        self.estimated = False  # at least one face frame has informed the neutral

    @classmethod
    def from_config(cls, calibration_config) -> "NeutralBaseline":
        c = calibration_config
        return cls(auto=c.auto, quantile=c.quantile, window_seconds=c.window_seconds, sample_hz=c.sample_hz,
                   pin_seconds=c.pin_seconds, rest_caps=c.rest_cap_vector(), first_caps=c.first_cap_vector(),
                   settle_seconds=c.settle_seconds)

    @property
    def neutral(self) -> np.ndarray:
        return self._neutral.copy()

    @property
    def state(self) -> str:
        """For the HUD: how the neutral in force came about."""
        if self._pin_frames is not None:
            return "setting - hold your resting face"
        if self.pinned:
            return "set"
        if not self.auto:
            return "off (absolute AUs)"
        if not self.estimated:
            return "waiting for a face"
        settling = self._some_caps_open_with_time and self._face_seconds < self.settle_seconds
        return "auto, learning" if settling else "auto"  # learning: first_caps still opening

    def pin(self) -> None:
        """Take the next ``pin_seconds`` of face as the neutral (the old one drives until then)."""
        self._pin_frames, self._pin_started = [], None

    def set_neutral(self, aus: np.ndarray) -> None:
        """An explicit neutral, kept until the next ``pin``/``set_neutral``."""
        self._neutral = np.asarray(aus, np.float32).copy()
        self.pinned = True
        self._pin_frames = None

    def update(self, aus: np.ndarray, t_seconds: float) -> None:
        """One tracked frame's raw AUs at ``t_seconds``."""
        aus = np.asarray(aus, np.float32)
        if self._pin_frames is not None:
            if self._pin_started is None:
                self._pin_started = t_seconds
            self._pin_frames.append(aus)
            if t_seconds - self._pin_started >= self.pin_seconds:
                self.set_neutral(np.median(np.stack(self._pin_frames), axis=0))
            return
        if self.pinned or not self.auto:
            return
        if self._next_sample_t is not None and t_seconds < self._next_sample_t:
            return
        self._next_sample_t = t_seconds + self.sample_interval
        self._window.append(aus)
        self._face_seconds += self.sample_interval
        self._neutral = resting_estimate(np.stack(self._window), self.quantile, self._caps_now())
        self.estimated = True

    def _caps_now(self) -> np.ndarray:
        """The most each AU's neutral may read after the face time seen so far (``first_caps``
        opening to ``rest_caps``)."""
        # Slow at first: an early expression lasts seconds, a rest all session.
        if self.settle_seconds <= 0:
            return self.rest_caps
        opened = float(smoothstep(0.0, 1.0, self._face_seconds / self.settle_seconds))
        return self.first_caps + (self.rest_caps - self.first_caps) * opened


@dataclass(frozen=True)
class AUReading:
    """The driving signal for one frame."""

    aus: np.ndarray  # (17,) absolute AUs (smoothed; held/eased while the face is lost)
    neutral: np.ndarray  # (17,) the user's neutral baseline
    success: bool  # a face was tracked in this frame
    confidence: float
    state: str  # tracking | holding | easing | lost
    timestamp_ms: float
    neutral_state: str = ""  # NeutralBaseline.state, for the HUD
    track: Any = field(default=None, compare=False)
    # The driver's mouth interior (face.mouth_hint.MouthHint) when a driver image showed it open:
    # an optional hint beside the AUs; AU tracks and held/eased/lost frames have none.
    mouth_hint: Any = field(default=None, compare=False)
    # A wink or one-sided smile (face.wink.wink_offsets): each side's AU offsets, (2, 17) subject's
    # right then left, when a driver image showed the face; the same kind of hint.
    wink: Any = field(default=None, compare=False)
    # Where the driver looks (face.gaze): (2,) eye widths across and down from its resting gaze;
    # the same kind of hint.
    gaze: Any = field(default=None, compare=False)

    @property
    def delta(self) -> np.ndarray:
        """The user's change from neutral: what actually drives a portrait."""
        return self.aus - self.neutral


def with_hint(reading: AUReading, **hints) -> AUReading:
    """``reading`` carrying the driver's ``hints`` (``mouth_hint``, ``wink``, ``gaze``: what rides
    beside the AUs), those that are not None, while a face is tracked: held, eased and lost
    readings show no driver face, so the portrait follows the AUs alone there."""
    hints = {name: hint for name, hint in hints.items() if hint is not None}
    if not hints or reading.state != "tracking":
        return reading
    return replace(reading, **hints)


class AUStabilizer:
    """Smoothing + calibration + no-face policy over a stream of raw AU vectors."""

    def __init__(self, smoothing_config, calibration_config, no_face_config, *, neutral: np.ndarray | None = None):
        sc = smoothing_config
        self.smoothing_enabled = sc.enabled
        min_cutoff = np.full(NUM_AUS, sc.min_cutoff)
        beta = np.full(NUM_AUS, sc.beta)
        for name in sc.fast_aus:
            min_cutoff[au_index(name)] = sc.fast_min_cutoff
            beta[au_index(name)] = sc.fast_beta
        self.filter = OneEuroFilter(min_cutoff, beta, sc.d_cutoff)
        self.baseline = NeutralBaseline.from_config(calibration_config)
        if neutral is not None:  # known in advance (offline: estimated from the whole driver)
            self.baseline.set_neutral(neutral)
        self.hold_s = no_face_config.hold_seconds
        self.ease_s = max(no_face_config.ease_seconds, 1e-6)
        self._last_good: np.ndarray | None = None
        self._last_good_t: float | None = None
        self.lost_events = 0  # times the face went missing (for stats and a one-time warning)
        self._was_tracking = False

    @classmethod
    def from_config(cls, config, *, neutral: np.ndarray | None = None) -> "AUStabilizer":
        return cls(config.smoothing, config.calibration, config.no_face, neutral=neutral)

    def recalibrate(self) -> None:
        """The ``c`` key: the next moment of face becomes the neutral."""
        self.baseline.pin()

    def update(self, aus: np.ndarray | None, success: bool, t_ms: float, *, confidence: float | None = None,
               track: Any = None) -> AUReading:
        t = t_ms / 1000.0
        if success and aus is not None:
            raw = np.asarray(aus, np.float32)
            smooth = self.filter.update(raw, t) if self.smoothing_enabled else raw
            smooth = np.clip(smooth, 0.0, 5.0).astype(np.float32)
            self.baseline.update(raw, t)
            self._last_good, self._last_good_t = smooth, t
            self._was_tracking = True
            return self._reading(smooth, True, 1.0 if confidence is None else confidence, "tracking", t_ms, track)

        # No face: the filter restarts from the next real value rather than gliding from stale state.
        if self._was_tracking:
            self.lost_events += 1
            self._was_tracking = False
        self.filter.reset()
        neutral = self.baseline.neutral
        if self._last_good is None or self._last_good_t is None:
            return self._reading(neutral, False, 0.0, "lost", t_ms, track)
        gone = t - self._last_good_t
        if gone <= self.hold_s:
            return self._reading(self._last_good, False, 0.0, "holding", t_ms, track)
        w = float(smoothstep(0.0, 1.0, (gone - self.hold_s) / self.ease_s))  # the portrait settles rather than stops abruptly
        eased = (1 - w) * self._last_good + w * neutral
        return self._reading(eased.astype(np.float32), False, 0.0, "easing" if w < 1.0 else "lost", t_ms, track)

    def _reading(self, aus, success, confidence, state, t_ms, track) -> AUReading:
        return AUReading(
            aus=np.asarray(aus, np.float32).copy(),
            neutral=self.baseline.neutral,
            success=success,
            confidence=float(confidence),
            state=state,
            neutral_state=self.baseline.state,
            timestamp_ms=float(t_ms),
            track=track,
        )
