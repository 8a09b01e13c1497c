"""A wink: one eye shuts while the other stays open, which AU45 cannot say.

AU45 is one number for both eyes (GANimation's AUs, OpenFace's scale), read from the mean of
MediaPipe's two eyeBlink shapes: a wink (one eye ~0.5, the other ~0.1) averages to ~0.3, so a
portrait drawn from the AUs alone half lowers both lids. The brow over
the winking eye comes down with it (woman_expressions frame 43: browDown 0.82 over the shut
eye, 0.02 over the open one), which AU04, one number too, draws as both brows half down.
``wink_offsets`` splits AU45 and AU04 between the sides while the driver winks: per side, how
much its own AU differs from the pair's. The upper lip on the winking side rises with its cheek
(a one-sided snarl: woman_expressions' two winks read mouthUpperUp 0.75 / 0.28 and 0.09 / 0.55
over the sides, where the shared drivers' other frames keep them within 0.16 of each other), so
AU10 is split with the brows. It travels beside the AUs as an optional hint
(``AUReading.wink``), like the driver's mouth: AU tracks have none, and every engine works
without it (the warp engine shuts one eye and lowers its brow with it).

A one-sided smile (a smirk) rides along: AU12 is one number too, so both corners went half up
where the driver lifted one. It is read from the landmarks, each corner's lift above the lip
centre (``corner_lifts``): MediaPipe's two mouthSmile shapes split woman_expressions' first
smirk (frame 14: 0.54 / 0.12) but not its second (frame 42: 0.04 / 0.17), which the corners
show as plainly (0.121 and -0.136 eye spans between them). Unlike the brows it is split whether
or not an eye winks, and it is measured from the driver's own resting tilt: the median over the
live neutral's window (``RestingTilt``) or, offline, over the whole driver (``from_rest``).
"""
from __future__ import annotations

import numpy as np

from ..aus import AU, NUM_AUS
from .estimators.blendshapes import AU_MAPPING, CORNER_LIFT_PER_SMILE, corner_lifts
from .resting import RestingMedian, resting_median
from .tracking import FaceTrack

_SCALE = {m.au: m.scale for m in AU_MAPPING}
# Eyes differ by this much (eyeBlink) without winking: on the shared drivers' blinks and rest
# |left - right| stays under 0.085 (99th percentile) and reaches 0.24 only mid-blink, one eye a
# frame ahead; woman_expressions' winks read 0.35-0.46.
DEADBAND = 0.1
# MediaPipe reads a winking eye, squeezed shut, at 0.45-0.55 (woman_expressions frames 8-20 and
# 36-46) where a blink's shut eyes read 0.7-0.8: the closing eye's share counts this much more,
# so a wink's eye shuts rather than half closing.
CLOSING_GAIN = 2.5
# A wink keeps the other eye open: it counts in full while the more open eye reads up to the
# first eyeBlink here and not at all from the second on. Looking down with the head tilted
# (pexels_woman_laughing's first second) reads one lowered eye 0.37 and the other 0.73: not a
# wink; woman_expressions' open eye reads 0.09-0.14 through both winks.
OPEN_EYE = (0.2, 0.3)
# The brows are split only during a wink, in full once the eyes differ by this much beyond the
# deadband: browDown's sides also differ by 0.3-0.4 in frowns made with the head turned 12-15
# degrees (woman_expressions frames 250-255), where both brows are plainly down.
BROWS_FULL_AFTER = 0.1
# The corners' lifts (eye spans) differ by this much without a one-sided smile: on the shared
# drivers' symmetric smiles, talk and rest, the 99th percentiles are 0.011-0.045 and the most
# 0.052 (two frames, ~0.3 AU12 a side past this, not seen); their smirks read 0.03-0.07
# (pexels_woman_laughing's lopsided laugh) and 0.07-0.14 (woman_expressions).
SMIRK_DEADBAND = 0.04
# A mouth at rest is not always level: the smirk is the tilt beyond the driver's own resting tilt
# (``resting_tilt``), which is taken as no more than this either way (eye spans), so a smirk held
# from the first frames still shows (as the AU neutral's caps keep an early smile out of it).
REST_TILT_CAP = 0.05


def corner_tilt(track: FaceTrack) -> float:
    """How much higher the subject's left mouth corner sits than the right (``corner_lifts``, eye spans)."""
    right, left = corner_lifts(track.landmarks, track.transform)
    return left - right


def resting_tilt(tilts) -> float:
    """The driver's resting tilt from the tilts of its tracked frames: their median, within
    ``REST_TILT_CAP``; 0 without any."""
    return resting_median(tilts, REST_TILT_CAP)


class RestingTilt(RestingMedian):
    """Live: ``resting_tilt`` over the neutral's window (``RestingMedian``)."""

    cap = REST_TILT_CAP


def _smirk(tilt: float) -> np.ndarray:
    """(2,) AU12 offsets (subject's right, left) for a tilt from rest: +- half the difference
    beyond ``SMIRK_DEADBAND``, in mouthSmile's units as AU12 reads a closed-lip smile's lift."""
    smirk = 0.5 * _SCALE["AU12"] * CORNER_LIFT_PER_SMILE * np.sign(tilt) * max(abs(tilt) - SMIRK_DEADBAND, 0.0)
    return np.array([-smirk, smirk], np.float32)


def wink_offsets(track: FaceTrack | None, rest_tilt: float = 0.0) -> np.ndarray | None:
    """(2, 17) float32 AU offsets of the subject's right and left side (the order of
    ``engines.warp.eye_fields.EYES``), zero but for AU45, AU04, AU10 and AU12: the closing eye's
    AU45 positive, the open eye's negative, and the brows' AU04 and the upper lip's AU10 split as
    browDown's and mouthUpperUp's sides differ (all 0 while the eyes agree); the higher corner's
    AU12 positive, the other's negative, as the corners' tilt (``corner_tilt``) differs from
    ``rest_tilt`` beyond ``SMIRK_DEADBAND``;
    None without a face. One frame on its own: a stream reads with ``WinkReader``."""
    return WinkReader().read(track, rest_tilt)


def _split(track: FaceTrack, au: AU, stem: str, share: float) -> np.ndarray:
    """(2,) ``au``'s offsets (subject's right, left): +- half its sides' difference, read from
    MediaPipe's ``stem`` Left / Right shapes (the mappings are linear), times ``share``."""
    half = 0.5 * _SCALE[au.name] * (track.blendshape(stem + "Left") - track.blendshape(stem + "Right")) * share
    return np.array([-half, half], np.float32)


class WinkReader:
    """``wink_offsets`` frame by frame, a wink held while the other eye blinks.

    Winking, the driver may blink: woman_expressions frames 47-51, the winking eye stays shut
    (eyeBlink 0.64-0.80) while the open one closes to 0.32-0.54 and opens again. Read one frame
    at a time, the open eye is then not open enough for a wink (``OPEN_EYE``), so the wink went
    for those frames: the shut eye half opened to the pair's AU45 and its lowered brow rose, and
    both came back when the other eye reopened -- a lid that re-closes as the wink releases. A
    wink already running is therefore kept, as strong as it was, while the same eye stays the
    more closed beyond ``DEADBAND`` (the shut eye and its brow held; the other eye's own share
    still follows how open it reads, so its blink shows); it starts only with the other eye open."""

    def __init__(self):
        self._side: int | None = None  # the closing eye of the wink running (0 = subject's right), or None
        self._strength = 0.0  # its last share of the other-eye-open gate

    def reset(self) -> None:
        self._side, self._strength = None, 0.0

    def read(self, track: FaceTrack | None, rest_tilt: float = 0.0) -> np.ndarray | None:
        """The frame's offsets (``wink_offsets``); a frame without a face ends the wink."""
        if track is None or not track.present:
            self.reset()
            return None
        offsets = np.zeros((2, NUM_AUS), np.float32)
        # Each side's own AU is the pair's +- half the difference (the mappings are linear).
        offsets[:, AU.AU12] = _smirk(corner_tilt(track) - rest_tilt)
        right, left = track.blendshape("eyeBlinkRight"), track.blendshape("eyeBlinkLeft")
        side = 1 if left > right else 0  # the closing eye
        excess = max(abs(left - right) - DEADBAND, 0.0)
        other_open = float(np.clip((OPEN_EYE[1] - min(left, right)) / (OPEN_EYE[1] - OPEN_EYE[0]), 0.0, 1.0))
        strength = max(other_open, self._strength) if excess > 0.0 and side == self._side else other_open
        if excess * strength <= 0.0:
            self.reset()
            return offsets
        self._side, self._strength = side, strength
        # The closing eye shuts as strongly as the wink runs; the other eye is opened only as far
        # as it reads open, so a blink of it while the wink is held still closes it.
        half = 0.5 * _SCALE["AU45"] * excess
        offsets[side, AU.AU45] = CLOSING_GAIN * half * strength
        offsets[1 - side, AU.AU45] = -half * other_open
        brows = min(excess / BROWS_FULL_AFTER, 1.0) * strength
        for au, stem in ((AU.AU04, "browDown"), (AU.AU10, "mouthUpperUp")):
            offsets[:, au] = _split(track, au, stem, brows)
        return offsets


def from_rest(offsets: np.ndarray | None, tilt: float | None, rest_tilt: float) -> np.ndarray | None:
    """``offsets`` read with no resting tilt (``wink_offsets(track)``), their smirk redrawn from
    ``rest_tilt`` (the offline second pass, once the whole driver's resting tilt is known)."""
    if offsets is None or tilt is None:
        return offsets
    offsets = offsets.copy()
    offsets[:, AU.AU12] = _smirk(tilt - rest_tilt)
    return offsets

