"""Offline AU analysis: an image, a folder of images or a video -> one AU row per frame.

Stills are analysed independently (IMAGE mode, no smoothing); a video goes through the
VIDEO-mode tracker. By default rows hold the raw per-frame estimate, as OpenFace writes them
(zeros with success=0 where no face is found); ``smooth=True`` applies the live stabilizer
(One Euro smoothing, live neutral estimate, hold-then-ease when the face is lost) instead, and
each row carries its neutral, so the CSV replays like a take recorded with ``run --record-aus``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from ..aus import NUM_AUS
from ..errors import InputNotFound, InputUnreadable
from ..face.au_stream import AUStream
from ..face.estimators import estimator_from_config
from ..face.mouth_hint import lip_lines
from ..face.tracking import FaceTrack, FaceTracker, as_seen
from ..face.gaze import read_gaze
from ..face.upright import frames_way_up, say_turned, video_way_up
from ..face.wink import WinkReader, corner_tilt
from ..frames import IMAGE_SUFFIXES, is_image_path, is_video_path, load_image

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AURow:
    frame_index: int  # 0-based
    timestamp_s: float
    aus: np.ndarray
    success: bool
    confidence: float
    name: str = ""  # the image file name for image inputs
    neutral: np.ndarray | None = None  # smoothed videos: the live neutral these AUs are driven against
    lips: np.ndarray | None = None  # videos: the face's lip lines (face.mouth_hint.lip_lines), for its mouth in a render
    wink: np.ndarray | None = None  # videos: each side's AU offsets (face.wink.WinkReader), for its wink in a render
    tilt: float | None = None  # videos: the mouth's tilt (face.wink.corner_tilt), for the driver's resting tilt in a render
    gaze: Any = None  # videos: where the eyes look (face.gaze.read_gaze), for the driver's gaze in a render


def list_images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def count_frames(path: Path) -> int | None:
    """Frames the analysis will produce (for a progress bar), None when unknown."""
    if path.is_dir():
        return len(list_images(path))
    if is_image_path(path):
        return 1
    if not is_video_path(path):
        return None  # analyse() explains what is wrong with it
    from ..capture.video_file import VideoFileSource

    return VideoFileSource(path, paced=False).frame_count


def analyse(path: str | Path, config, *, smooth: bool = False,
            on_frame: Callable[[], None] | None = None, turns: int | None = None) -> Iterator[AURow]:
    """AU rows for every frame of ``path`` (image, folder of images, or video). A video's frames are
    turned ``turns`` quarter turns, found when not given (``face.upright.video_way_up``)."""
    path = Path(path)
    if not path.exists():
        raise InputNotFound(f"input not found: {path}")
    if path.is_dir() or is_image_path(path):
        images = list_images(path) if path.is_dir() else [path]
        if not images:
            raise InputUnreadable(f"no images ({', '.join(IMAGE_SUFFIXES)}) in folder {path}")
        yield from _analyse_stills(images, config, on_frame, skip_unreadable=path.is_dir())
    elif is_video_path(path):
        if turns is None:
            turns = video_way_up(path, config.tracking)
        yield from _analyse_video(path, config, smooth, on_frame, turns)
    else:
        raise InputUnreadable(f"{path} is not an image, a folder of images or a video (by its extension)")


# A folder of stills is read turned as most of this many of its images, evenly spread, say (a folder
# of a turned video's frames; ``face.upright.frames_way_up``).
WAY_UP_STILLS = 10


def _analyse_stills(images, config, on_frame, *, skip_unreadable: bool) -> Iterator[AURow]:
    """A row per image. ``skip_unreadable`` (a folder): an image that cannot be read gets a row
    without a face (success 0) and a warning, rather than costing the whole folder's CSV. Faces
    lying turned (a folder of a sideways video's frames) are read turned back upright."""
    estimator = estimator_from_config(config)
    with FaceTracker.from_config(config.tracking, mode="image") as tracker:
        turns = _stills_way_up(tracker, images)
        for i, image_path in enumerate(images):
            try:
                image = load_image(image_path)
            except InputUnreadable as exc:
                if not skip_unreadable:
                    raise
                log.warning("%s; its row says no face (success 0)", exc)
                image = None
            faces = tracker.detect_all(image, turns) if image is not None else []
            track = faces[0] if faces else FaceTrack.empty()
            aus = estimator.estimate(as_seen(track))  # a still: its expression as it shows
            yield AURow(i, 0.0, aus, track.present, 1.0 if track.present else 0.0, image_path.name)
            if on_frame:
                on_frame()


def _stills_way_up(tracker, images: list[Path]) -> int:
    """The quarter turns that stand the faces of ``images`` upright, read on up to WAY_UP_STILLS of them."""
    picked = images[::max(1, len(images) // WAY_UP_STILLS)][:WAY_UP_STILLS]

    def readable():
        for path in picked:
            try:
                yield load_image(path)
            except InputUnreadable:
                continue  # said when its row is read

    turns = frames_way_up(tracker, readable())
    say_turned(images[0].parent.name if len(images) > 1 else images[0].name, turns)
    return turns


def _analyse_video(path, config, smooth, on_frame, turns: int) -> Iterator[AURow]:
    from ..capture.video_file import VideoFileSource

    winks = WinkReader()
    with AUStream.from_config(config) as stream, VideoFileSource(path, paced=False, turns=turns) as source:
        for frame in source:
            if smooth:
                reading = stream.process(frame)
                track, aus, neutral = reading.track, reading.aus, reading.neutral
            else:
                track, raw = stream.estimate(frame)
                neutral = None
                aus = raw if track.present else np.zeros(NUM_AUS, np.float32)
            yield AURow(frame.index, frame.timestamp_ms / 1000.0, aus, track.present, 1.0 if track.present else 0.0,
                        neutral=neutral, lips=lip_lines(track), wink=winks.read(track),
                        tilt=corner_tilt(track) if track.present else None, gaze=read_gaze(track))
            if on_frame:
                on_frame()
