"""User-facing failures. Each carries an exit code; only the CLI catches them.

Messages are one line: what failed and what to do about it. Anything that is not a
LivemorphError is a bug and keeps its traceback.
"""
from __future__ import annotations


class LivemorphError(Exception):
    """Base class of every error a user can cause or fix."""

    exit_code = 1

    def __init__(self, message: str):
        # Keep messages to one line so the CLI prints exactly one line.
        super().__init__(" ".join(str(message).split()))


class ConfigError(LivemorphError):
    """Bad config file, bad --set override, unknown engine name, bad option value."""

    exit_code = 2


class InputNotFound(LivemorphError):
    """An input path (image, video, track, folder) does not exist or cannot be read."""

    exit_code = 3


class InputUnreadable(LivemorphError):
    """The input exists but is not a readable image, video or AU track."""

    exit_code = 3


class CameraUnavailable(LivemorphError):
    """No camera at that index/path, or it is busy."""

    exit_code = 4


class VirtualCameraUnavailable(LivemorphError):
    """No usable pyvirtualcam backend (v4l2loopback / OBS) on this machine."""

    exit_code = 5


class ModelFileError(LivemorphError):
    """The face-landmarker model file is missing, truncated or not the expected file."""

    exit_code = 6


class ModelWeightsMissing(ModelFileError):
    """A model file is not present and cannot be downloaded (offline)."""


class CheckpointError(LivemorphError):
    """A generator checkpoint is of no known layout, has wrong shapes, or is unsafe to load."""

    exit_code = 7


class NoFaceInPortrait(LivemorphError):
    """The target portrait has no detectable face."""

    exit_code = 8


class OutputNotWritable(LivemorphError):
    """An output file or folder cannot be created or written."""

    exit_code = 9


class TrainingDataError(LivemorphError):
    """A training data folder has no usable images or malformed labels."""

    exit_code = 10


class DisplayUnavailable(LivemorphError):
    """No display for the live preview window (headless machine, no $DISPLAY)."""

    exit_code = 11
