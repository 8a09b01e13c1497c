"""Frames in, driving AU readings out: tracker -> AU estimator -> stabilizer."""
from __future__ import annotations

from .estimators import AUEstimator, estimator_from_config
from ..frames import Frame
from .stabilize import AUReading, AUStabilizer
from .tracking import FaceTracker


class AUStream:
    """One face's AUs over a stream of frames. A context manager (it owns the tracker)."""

    def __init__(self, tracker: FaceTracker, estimator: AUEstimator, stabilizer: AUStabilizer):
        self.tracker = tracker
        self.estimator = estimator
        self.stabilizer = stabilizer

    @classmethod
    def from_config(cls, config, *, allow_download: bool = True, stabilizer: AUStabilizer | None = None) -> "AUStream":
        tracker = FaceTracker.from_config(config.tracking, mode="video", allow_download=allow_download)
        return cls(tracker, estimator_from_config(config), stabilizer or AUStabilizer.from_config(config))

    def process(self, frame: Frame) -> AUReading:
        track = self.tracker.track(frame.image, frame.timestamp_ms)
        raw = self.estimator.estimate(track) if track.present else None
        return self.stabilizer.update(raw, track.present, frame.timestamp_ms, track=track)

    def recalibrate(self) -> None:
        self.stabilizer.recalibrate()

    def close(self) -> None:
        self.tracker.close()

    def __enter__(self) -> "AUStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
