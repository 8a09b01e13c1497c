"""A wink: one eye shuts while the other stays open, which AU45 cannot say.

AU45 is one number for both eyes (GANimation's AUs, OpenFace's scale), read from the mean of
MediaPipe's two eyeBlink shapes: a wink (one eye ~0.5, the other ~0.1) averages to ~0.3, under
AU45's offset, so a portrait drawn from the AUs alone squints both eyes a little. ``wink_offsets``
splits AU45 between the eyes: per eye, how much its own AU45 differs from the pair's. It travels
beside the AUs as an optional hint (``AUReading.wink``), like the driver's mouth: AU tracks have
none, and every engine works without it (the warp engine shuts one eye with it).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from .estimators.blendshapes import AU_MAPPING
from .tracking import FaceTrack

_AU45_SCALE = next(m.scale for m in AU_MAPPING if m.au == "AU45")
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


def wink_offsets(track: FaceTrack | None) -> np.ndarray | None:
    """(2,) float32 AU45 offsets of the subject's right and left eye (the order of
    ``engines.warp.eye_fields.EYES``): the closing eye's positive, the open eye's negative, both
    0 while the eyes agree; None without a face."""
    if track is None or not track.present:
        return None
    right, left = track.blendshape("eyeBlinkRight"), track.blendshape("eyeBlinkLeft")
    other_open = float(np.clip((OPEN_EYE[1] - min(left, right)) / (OPEN_EYE[1] - OPEN_EYE[0]), 0.0, 1.0))
    # Each eye's own AU45 is the pair's +- half the difference (the mapping is linear in eyeBlink).
    half = 0.5 * _AU45_SCALE * max(abs(left - right) - DEADBAND, 0.0) * other_open
    closing, opening = CLOSING_GAIN * half, -half
    offsets = (opening, closing) if left > right else (closing, opening)
    return np.array(offsets if half > 0.0 else (0.0, 0.0), np.float32)


def with_wink(reading, offsets: np.ndarray | None):
    """``reading`` carrying ``offsets`` (``wink_offsets``) while a face is tracked: held, eased
    and lost readings show no driver face, so their eyes follow AU45 alone."""
    if offsets is None or getattr(reading, "state", None) != "tracking":
        return reading
    return replace(reading, wink=offsets)
