"""AU tracks in OpenFace's CSV layout, so OpenFace and livemorph tracks are interchangeable.

Written as OpenFace 2 writes them (", "-separated): ``frame, timestamp, confidence, success,
AU01_r ... AU45_r`` (frame numbers start at 1, timestamps in seconds). The reader accepts
", " or "," separators, extra OpenFace columns (face_id, gaze, pose, AUxx_c, ...) and
GANimation-style tables keyed by an image name instead of a frame number.

Tracks recorded by ``livemorph run --record-aus`` also carry the neutral each frame was driven
with, in ``neutral_AU01 ... neutral_AU45`` columns after the OpenFace ones (OpenFace-layout
readers ignore them), and their AU columns are the smoothed values the engine saw: replaying
such a take reproduces the live drive frame for frame.
"""
from __future__ import annotations

import csv
import io
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..atomic import commit, discard, partial_path
from ..aus import AU_NAMES, NUM_AUS
from ..errors import InputNotFound, InputUnreadable, OutputNotWritable

log = logging.getLogger(__name__)

AU_COLUMNS = tuple(f"{name}_r" for name in AU_NAMES)
TRACK_COLUMNS = ("frame", "timestamp", "confidence", "success") + AU_COLUMNS
NEUTRAL_COLUMNS = tuple(f"neutral_{name}" for name in AU_NAMES)
KEY_COLUMNS = ("image", "file", "filename", "name", "input")


@dataclass(frozen=True)
class AUTrack:
    """A whole track: per-row frame numbers, timestamps (s), confidence, success and AUs."""

    frames: np.ndarray  # (N,) int
    timestamps_s: np.ndarray  # (N,) float64
    confidence: np.ndarray  # (N,) float32
    success: np.ndarray  # (N,) bool
    aus: np.ndarray  # (N, 17) float32
    keys: tuple[str, ...] = ()  # image names for tables keyed by file name
    neutral: np.ndarray | None = None  # (N, 17) the neutral each row was driven with (recorded takes)

    def __len__(self) -> int:
        return len(self.frames)

    @property
    def is_recorded_take(self) -> bool:
        """Smoothed AUs plus their neutral, as ``run --record-aus`` writes: replay as is."""
        return self.neutral is not None


def read_au_track(path: str | Path) -> AUTrack:
    """Read an OpenFace-style AU CSV (ours or OpenFace's own)."""
    path = Path(path)
    if not path.is_file():
        raise InputNotFound(f"AU track not found: {path}")
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            text = fh.read()
        reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
        header = next(reader, None)
        rows = [row for row in reader if row and any(cell.strip() for cell in row)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputUnreadable(f"{path} is not a readable CSV: {exc}") from exc
    if not header:
        raise InputUnreadable(f"{path} is empty; expected an OpenFace-style CSV with AU01_r..AU45_r columns")
    columns = {name.strip(): i for i, name in enumerate(header)}
    missing = [c for c in AU_COLUMNS if c not in columns]
    if missing:
        raise InputUnreadable(f"{path} is not an AU track: missing columns {', '.join(missing[:4])}"
                              f"{' ...' if len(missing) > 4 else ''}")
    if rows and len(rows[-1]) < len(header) and not text.endswith("\n"):  # killed mid-row (crash_safe)
        log.warning("%s: its last row is cut short (the recording was stopped); reading the %d before it",
                    path, len(rows) - 1)
        rows = rows[:-1]
    if "face_id" in columns:  # OpenFace multi-face output: keep the first face
        rows = [r for r in rows if _number(r, columns["face_id"], path, 0) == 0]
    key_col = next((columns[k] for k in KEY_COLUMNS if k in columns), None)

    n = len(rows)
    frames = np.empty(n, np.int64)
    stamps = np.empty(n, np.float64)
    conf = np.empty(n, np.float32)
    ok = np.empty(n, bool)
    aus = np.empty((n, NUM_AUS), np.float32)
    has_neutral = all(c in columns for c in NEUTRAL_COLUMNS)
    neutral = np.empty((n, NUM_AUS), np.float32) if has_neutral else None
    for i, row in enumerate(rows):
        line = i + 2
        frames[i] = int(_number(row, columns.get("frame"), path, i + 1, line))
        stamps[i] = _number(row, columns.get("timestamp"), path, math.nan, line)
        conf[i] = _number(row, columns.get("confidence"), path, 1.0, line)
        ok[i] = bool(_number(row, columns.get("success"), path, 1.0, line))
        aus[i] = [_number(row, columns[c], path, None, line) for c in AU_COLUMNS]
        if neutral is not None:
            neutral[i] = [_number(row, columns[c], path, None, line) for c in NEUTRAL_COLUMNS]
    keys = tuple(rows[i][key_col].strip() for i in range(n)) if key_col is not None else ()
    if np.any(np.diff(frames) < 0):  # played as listed, an edited or merged track flickered at a made-up rate
        log.warning("%s: its rows are not in frame order; they are played in frame order", path)
        order = np.argsort(frames, kind="stable")
        frames, stamps, conf, ok, aus = frames[order], stamps[order], conf[order], ok[order], aus[order]
        neutral = neutral[order] if neutral is not None else None
        keys = tuple(keys[i] for i in order) if keys else keys
    if np.isnan(stamps).all():
        stamps = (frames - frames[0]).astype(np.float64) / 30.0 if n else stamps
    _warn_outside_the_scale(path, aus, frames)
    if neutral is not None:
        neutral = np.clip(neutral, 0.0, 5.0)
    return AUTrack(frames, stamps, conf, ok, np.clip(aus, 0.0, 5.0), keys, neutral)


# AU intensities outside OpenFace's 0-5 by more than rounding are said once (they are clipped to it).
SCALE_SLACK = 0.01


def _warn_outside_the_scale(path: Path, aus: np.ndarray, frames: np.ndarray) -> None:
    outside = (aus < -SCALE_SLACK) | (aus > 5.0 + SCALE_SLACK)
    if not outside.any():
        return
    row, column = np.argwhere(outside)[np.argmax(np.abs(aus[outside] - 2.5))]
    log.warning("%s: %d AU values lie outside the 0-5 scale (%s %g at frame %d); they are clipped to it",
                path, int(outside.sum()), AU_COLUMNS[column], float(aus[row, column]), int(frames[row]))


def _number(row, index, path, default, line=None) -> float:
    if index is None:
        if default is None:
            raise InputUnreadable(f"{path}: missing value")
        return default
    try:
        value = float(row[index])
    except (IndexError, ValueError):
        where = f" line {line}" if line else ""
        raise InputUnreadable(f"{path}{where}: expected a number in column {index + 1}") from None
    if not math.isfinite(value):
        raise InputUnreadable(f"{path} line {line}: non-finite value in column {index + 1}")
    return value


class AUTrackWriter:
    """Writes rows as they come; the file appears under its name only when closed cleanly.

    ``with_neutral=True`` adds the neutral columns (pass ``neutral=`` or an AUReading per row);
    ``key_column="file"`` adds a first column naming each row's image (training labels).
    ``crash_safe=True`` (a live ``--record-aus`` take, like the live MP4): written under its own
    name from the start, each row flushed as it comes, so a killed run leaves every row it read
    (its last one perhaps cut short, which ``read_au_track`` leaves out); kept however it ends.
    """

    def __init__(self, path: str | Path, *, with_neutral: bool = False, key_column: str | None = None,
                 crash_safe: bool = False):
        self.path = Path(path)
        self.with_neutral = with_neutral
        self.key_column = key_column
        self.crash_safe = crash_safe
        self._tmp = self.path if crash_safe else partial_path(self.path)
        self._fh = None
        self._writer = None
        self.rows = 0

    def __enter__(self) -> "AUTrackWriter":
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self._tmp, "x" if self.crash_safe else "w", newline="", encoding="utf-8")
        except OSError as exc:
            raise OutputNotWritable(f"cannot write AU track {self.path}: {exc.strerror or exc}") from exc
        columns = ((self.key_column,) if self.key_column else ()) + TRACK_COLUMNS
        columns += NEUTRAL_COLUMNS if self.with_neutral else ()
        self._fh.write(", ".join(columns) + "\n")
        if self.crash_safe:
            self._fh.flush()
        return self

    def write(self, frame_index: int, timestamp_s: float, aus, success: bool, confidence: float = 1.0,
              neutral=None, key: str = "") -> None:
        """One row; ``frame_index`` is 0-based (written 1-based, as OpenFace does)."""
        values = getattr(aus, "aus", aus)  # accept an AUReading too
        cells = [_csv_cell(key)] if self.key_column else []
        cells += [str(int(frame_index) + 1), f"{timestamp_s:.3f}", f"{confidence:.2f}", "1" if success else "0"]
        cells += [f"{float(v):.2f}" for v in np.asarray(values, np.float32)]
        if self.with_neutral:
            neutral = getattr(aus, "neutral", None) if neutral is None else neutral
            if neutral is None:
                raise ValueError("this track is written with neutral columns: pass neutral= or an AUReading")
            cells += [f"{float(v):.2f}" for v in np.asarray(neutral, np.float32)]
        self._fh.write(", ".join(cells) + "\n")
        if self.crash_safe:
            self._fh.flush()
        self.rows += 1

    def close(self, *, keep: bool = True) -> None:
        if self._fh is None:
            return
        self._fh.close()
        self._fh = None
        if self.crash_safe:
            if not keep and self.rows == 0:
                discard(self._tmp)  # a run that failed before its first row leaves no header-only take
            return  # written in place: the rows it holds are the take
        if keep:
            commit(self._tmp, self.path)
        else:
            discard(self._tmp)

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(keep=exc_type is None)


def _csv_cell(text: str) -> str:
    """A file name as one CSV cell (quoted when it holds a comma, quote or newline)."""
    if any(c in text for c in ',"\r\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def write_au_track(path: str | Path, track: AUTrack) -> Path:
    """Write a whole AUTrack (frames are taken as 1-based, as read)."""
    with AUTrackWriter(path, with_neutral=track.is_recorded_take) as writer:
        for i in range(len(track)):
            writer.write(int(track.frames[i]) - 1, float(track.timestamps_s[i]), track.aus[i],
                         bool(track.success[i]), float(track.confidence[i]),
                         None if track.neutral is None else track.neutral[i])
    return Path(path)
