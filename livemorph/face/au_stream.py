"""Frames in, driving AU readings out: tracker -> AU estimator -> stabilizer."""
from __future__ import annotations

from typing import Iterator

import numpy as np

from ..frames import Frame
from .estimators import AUEstimator, estimator_from_config
from .gaze import GazeFollower, RestingGaze, read_gaze
from .mouth_hint import lip_lines, with_mouth_hint
from .stabilize import AUReading, AUStabilizer, with_hint
from .tracking import FaceTrack, FaceTracker
from .wink import RestingTilt, WinkReader, corner_tilt


class AUStream:
    """One face's AUs over a stream of frames. A context manager (it owns the tracker)."""

    def __init__(self, tracker: FaceTracker, estimator: AUEstimator, stabilizer: AUStabilizer, *,
                 mouth_hints: bool = False, resting_tilt: RestingTilt | None = None,
                 resting_gaze: RestingGaze | None = None):
        self.tracker = tracker
        self.estimator = estimator
        self.stabilizer = stabilizer
        self.mouth_hints = mouth_hints  # readings carry the driver's open mouth: the caller's choice
        # the driver's resting mouth tilt, which a one-sided smile is measured from (face.wink); None: level
        self.resting_tilt = resting_tilt
        self.winks = WinkReader()
        self.resting_gaze = resting_gaze  # the driver's resting gaze, which its looks are measured from; None: centred
        self.gazes = GazeFollower()

    @classmethod
    def from_config(cls, config, *, allow_download: bool = True, stabilizer: AUStabilizer | None = None,
                    mouth_hints: bool = False) -> "AUStream":
        """``mouth_hints``: cut the driver's open mouth out of each frame (``MouthHint``) -- only a
        caller that renders with it asks (``warp.driver_mouth``); AU analysis does not."""
        estimator = estimator_from_config(config)  # first: a bad name must not leave a tracker open
        tracker = FaceTracker.from_config(config.tracking, mode="video", allow_download=allow_download)
        return cls(tracker, estimator, stabilizer or AUStabilizer.from_config(config), mouth_hints=mouth_hints,
                   resting_tilt=RestingTilt.from_config(config.calibration),
                   resting_gaze=RestingGaze.from_config(config.calibration))

    def estimate(self, frame: Frame) -> tuple[FaceTrack, np.ndarray | None]:
        """The frame's face and its raw AUs (None without a face), before any smoothing."""
        track = self.tracker.track(frame.image, frame.timestamp_ms)
        return track, self.estimator.estimate(track) if track.present else None

    def process(self, frame: Frame) -> AUReading:
        """The stabilized reading: smoothed, with the neutral baseline and the no-face policy applied,
        and the driver's wink, gaze and open mouth interior beside the AUs."""
        track, raw = self.estimate(frame)
        t_seconds = frame.timestamp_ms / 1000.0
        rest, eyes, eyes_rest = 0.0, read_gaze(track), 0.0
        if track.present and self.resting_tilt is not None:
            rest = self.resting_tilt.update(corner_tilt(track), t_seconds)
        if eyes is not None and self.resting_gaze is not None:
            eyes_rest = self.resting_gaze.update(eyes.look, t_seconds)
        reading = with_hint(self.stabilizer.update(raw, track.present, frame.timestamp_ms, track=track),
                            wink=self.winks.read(track, rest), gaze=self.gazes.follow(eyes, t_seconds, eyes_rest))
        return with_mouth_hint(reading, frame.image, lip_lines(track)) if self.mouth_hints else reading

    def recalibrate(self) -> None:
        self.stabilizer.recalibrate()
        if self.resting_tilt is not None:
            self.resting_tilt.reset()
        if self.resting_gaze is not None:
            self.resting_gaze.reset()

    def close(self) -> None:
        self.tracker.close()

    def __enter__(self) -> "AUStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def video_readings(path, config, *, mouth_hints: bool = False) -> Iterator[tuple[Frame, AUReading]]:
    """Each frame of a video file with the reading `render` and `run` drive a portrait with (live
    neutral, smoothing, the wink and gaze; with ``mouth_hints`` the driver's open mouth beside the AUs)."""
    from ..capture.video_file import VideoFileSource
    from .upright import video_way_up

    turns = video_way_up(path, config.tracking)
    with VideoFileSource(path, paced=False, turns=turns) as source, \
            AUStream.from_config(config, mouth_hints=mouth_hints) as stream:
        for frame in source:
            yield frame, stream.process(frame)
