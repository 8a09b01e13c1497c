"""From driving AUs to portrait frames: the per-frame step and offline rendering.

* ``PortraitPuppet.step(reading)``: retarget the user's change from neutral onto the
  portrait's resting AUs, then ``engine.render``. The one per-frame call of ``run`` and ``render``.
* ``render_offline(...)``: a driver video (AUs estimated per frame) or an AU track CSV
  (replayed through the same stabilizer) -> a recording. Three stages on their own threads
  (``stages.StagePipeline``, the live loop's runner) joined by bounded queues (read+track ->
  render -> encode), so on two cores the slowest stage sets the pace; a tqdm bar shows progress.
"""
from __future__ import annotations

import logging
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from ..aus import AU, NUM_AUS, relax_caps, relaxed_rest, retarget
from ..engines.base import draws_winks, moves_gaze, paints_mouth_hints
from ..errors import ConfigError, InputUnreadable
from ..easing import smoothstep
from ..face.estimators.blendshapes import lips_part_onset
from ..outputs.compose import side_by_side
from .resample import output_count
from .stages import StagePipeline

log = logging.getLogger(__name__)

__all__ = ["PortraitPuppet", "RenderSummary", "render_offline", "side_by_side", "create_puppet", "is_track_path"]


# The portrait's own resting AU25 over which it takes less and then none of the lips' onset
# (``lips_part_onset``): the shared closed mouths read 0, the grins 1.0-1.6.
OWN_PARTING_TAKES_NO_ONSET = (0.25, 0.75)


class PortraitPuppet:
    """An engine with one prepared portrait, driven by AU readings: the one per-frame call of
    ``render`` and ``run``. ``name`` labels it (the live HUD shows it); ``strength`` may change
    between steps (live hotkeys); everything else is fixed.
    """

    def __init__(self, engine, portrait, driving_config, *, name: str = "portrait"):
        self.name = name
        self.engine = engine
        self.portrait = portrait
        self.prepared = engine.prepare(portrait)
        self.strength = float(driving_config.strength)
        self.gains = driving_config.gain_vector()
        self.locks = driving_config.lock_mask()
        # A portrait whose own lips rest apart (a grin) parts them back to its own gap, a curve
        # matched to the drivers' partings as read (the warp's lip seal: bench lipPart 1.07-1.29 on
        # Obama, Trump and the astronaut; with the onset 1.47-1.85): it takes no onset.
        own_parting = float(portrait.resting_aus[AU.AU25])
        self.onset_share = 1.0 - float(smoothstep(*OWN_PARTING_TAKES_NO_ONSET, own_parting))
        self.relax_to = relax_caps(portrait.resting_aus, driving_config.relax_vector(),
                                   driving_config.relax_grins_from, driving_config.relax_open_mouths_from)
        # The face shown while the user is neutral: the portrait's own, relaxed.
        self.start_aus = relaxed_rest(portrait.resting_aus, self.relax_to)
        self.prepared = engine_at_neutral(engine, self.prepared, self.start_aus)
        self.response = None  # runtime.response.ResponseCurves, set by puppet_for
        self.last_aus: np.ndarray | None = None  # the AUs of the latest frame (for the HUD)
        # Only an engine that paints the driver's mouth is handed it (engines.base.paints_mouth_hints),
        # only one that draws winks a wink (engines.base.draws_winks), unless winks are off, and
        # only one that moves the eyes the gaze (engines.base.moves_gaze), unless gaze is off.
        self.takes_mouth_hint = paints_mouth_hints(engine)
        self.takes_wink = draws_winks(engine) and driving_config.winks
        self.takes_gaze = moves_gaze(engine) and driving_config.gaze

    @property
    def size(self) -> tuple[int, int]:
        """(height, width) of every frame ``step`` returns: the portrait's own size."""
        return self.portrait.image.shape[0], self.portrait.image.shape[1]

    def aus_for(self, reading) -> np.ndarray:
        # The lips' first parting, hidden under AU25's offset, is drawn too (not in the probes: what
        # the portrait shows for a change is measured as drawn, then the change is asked of it).
        user = np.array(reading.aus, np.float32, copy=True)
        user[AU.AU25] += self.onset_share * lips_part_onset(reading.aus, reading.neutral)
        return retarget(self.portrait.resting_aus, user, reading.neutral,
                        strength=self.strength, gains=self.gains, locks=self.locks, relax_to=self.relax_to,
                        shape=None if self.response is None else self.response.shape)

    def wink_for(self, reading) -> np.ndarray | None:
        """The reading's wink (``face.wink``: each side's AU offsets) scaled as the AUs' change is:
        by the strength and each AU's gain, and none for a locked AU."""
        wink = getattr(reading, "wink", None)
        if wink is None:
            return None
        wink = (self.strength * self.gains)[None, :] * np.asarray(wink, np.float32)
        wink[:, self.locks] = 0.0
        return wink

    def step(self, reading, strength: float | None = None) -> np.ndarray:
        """The portrait showing the user's expression change in ``reading``, at full size.

        ``strength`` (when given) replaces the current strength from this frame on.
        """
        if strength is not None:
            self.strength = float(strength)
        self.last_aus = self.aus_for(reading)
        hints = {}  # the driver's mouth, wink and gaze (when its reading has them) ride beside the AUs
        if self.takes_mouth_hint:
            hints["mouth_hint"] = getattr(reading, "mouth_hint", None)
        wink = self.wink_for(reading) if self.takes_wink else None
        if wink is not None:
            hints["wink"] = wink
        # Not scaled by the strength: that exaggerates expressions, and a look is where the driver looks.
        gaze = getattr(reading, "gaze", None) if self.takes_gaze else None
        if gaze is not None:
            hints["gaze"] = gaze
        frame = self.engine.render(self.prepared, self.last_aus, **hints)
        if frame.shape[:2] != self.size or frame.dtype != np.uint8:
            raise ValueError(f"engine {self.engine.name!r} returned {frame.shape} {frame.dtype}; "
                             f"expected the portrait's size {self.size} uint8")
        return frame


def create_puppet(portrait, config, *, engine_name: str | None = None) -> PortraitPuppet:
    """Engine from config (auto-selected unless ``engine_name``) prepared for ``portrait``."""
    from ..engines import engine_from_config

    return puppet_for(engine_from_config(config, engine_name)[1], portrait, config)


def puppet_for(engine, portrait, config, *, name: str = "portrait") -> PortraitPuppet:
    """The puppet of ``portrait`` on ``engine``, its response measured (``driving.auto_gain``)."""
    puppet = PortraitPuppet(engine, portrait, config.driving, name=name)
    if config.driving.auto_gain:
        from ..face.tracking import FaceTracker
        from ..portrait import face_again
        from .response import measure_response, probe_readers

        def probe(aus: np.ndarray) -> np.ndarray:
            """A probe drawn as retargeting draws that change (what it opposes let go, ``aus.start_for``)."""
            change = aus - puppet.start_aus
            return engine.render(puppet.prepared, retarget(portrait.resting_aus, change, np.zeros_like(change),
                                                           relax_to=puppet.relax_to))

        with FaceTracker.from_config(config.tracking, mode="image") as tracker:
            read, read_alone, read_travel = probe_readers(lambda image: face_again(tracker, image, portrait.track))
            puppet.response = measure_response(probe, read, puppet.start_aus, config.driving.auto_gain_limit,
                                               caps=engine_response_caps(engine, puppet.prepared),
                                               read_alone=read_alone, read_travel=read_travel)
        log.info("%s: response gains %s", name, puppet.response.describe())
    return puppet


def engine_at_neutral(engine, prepared, start_aus: np.ndarray):
    """``prepared`` told the face shown while the user is neutral (``at_neutral``, optional)."""
    at_neutral = getattr(engine, "at_neutral", None)
    return prepared if at_neutral is None else at_neutral(prepared, start_aus)


def engine_response_caps(engine, prepared) -> dict[int, float]:
    """The engine's caps on the response factors for this portrait (``response_caps``, optional)."""
    caps = getattr(engine, "response_caps", None)
    return {} if caps is None else dict(caps(prepared))


# ------------------------------------------------------------------------------------------
def is_track_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() == ".csv"


@dataclass(frozen=True)
class RenderSummary:
    out: Path
    frames: int  # frames in the output file (after --fps resampling; a GIF's own count)
    faces_found: int  # driver frames in which a face was tracked (CSV: rows with success=1)
    seconds: float  # the whole render, portrait preparation included
    render_seconds: float  # from the first tracked driver frame to the finished file
    fps: float  # frame rate of the output file (a GIF's own, after gif_fps and the size budget)
    size: tuple[int, int]  # (width, height) of the output file's frames
    engine: str
    driver_frames: int = 0  # driver frames used (after --start/--duration/--max-frames)
    driver_expected: int | None = None  # frames the driver should have given (its header), when known
    driver_is_still: bool = False  # a still image as driver: one frame, its own neutral
    output: Any = None  # outputs.sink.OutputInfo: what was really written (bytes, GIF adjustments)

    @property
    def render_fps(self) -> float:
        """Driver frames per second of the frame loop (tracking, engine and encoding overlapped)."""
        return self.driver_frames / self.render_seconds if self.render_seconds > 0 else float("nan")

    @property
    def driver_cut_short(self) -> bool:
        """The driver gave clearly fewer frames than its header promised (truncated or damaged)."""
        if self.driver_expected is None:
            return False
        return self.driver_frames < self.driver_expected - max(2, round(0.01 * self.driver_expected))


@dataclass
class _Driver:
    fps: float
    total: int | None
    description: str


COMMON_RATES = (12.0, 12.5, 15.0, 23.976, 24.0, 25.0, 29.97, 30.0, 48.0, 50.0, 59.94, 60.0)


def snap_to_common_rate(fps: float, tolerance: float = 0.003) -> float:
    """A rate estimated from millisecond timestamps (29.995) -> the video rate it was (30)."""
    nearest = min(COMMON_RATES, key=lambda rate: abs(rate - fps))
    return nearest if abs(nearest - fps) <= tolerance * nearest else fps


def track_rate(timestamps_s: np.ndarray, default: float = 30.0) -> float:
    """Frame rate of a track: the mean step over the whole span (robust to ms-rounded stamps), snapped."""
    stamps = np.asarray(timestamps_s, np.float64)
    if len(stamps) < 2 or not np.all(np.isfinite(stamps)) or stamps[-1] <= stamps[0]:
        return default
    return snap_to_common_rate((len(stamps) - 1) / (stamps[-1] - stamps[0]))


def _fixed_neutral(mode: str, raw_aus: np.ndarray | None, config) -> np.ndarray | None:
    """The neutral for the whole render: None means estimate it live, frame by frame."""
    from ..face.stabilize import resting_estimate

    if mode == "none":
        return np.zeros(NUM_AUS, np.float32)
    if mode == "auto":
        c = config.calibration
        return resting_estimate(raw_aus, c.quantile, c.rest_cap_vector())
    return None


@contextmanager
def _driver_readings(driver: str | Path, config, max_frames: int | None, progress: bool = False, *,
                     mouth_hints: bool = False):
    """(driver description, iterator of (driver image or None for AU tracks, AUReading)).

    ``mouth_hints``: driver video readings carry the driver's open mouth (for an engine that paints it).

    The neutral follows ``calibration.offline``: ``auto`` takes the resting face of the *whole*
    driver (a first pass reads every frame's AUs; a recorded take replays its own neutral and
    smoothing exactly), ``live`` estimates it frame by frame as ``run`` does, ``none`` drives
    with absolute AUs.
    """
    from ..face.stabilize import AUReading, AUStabilizer, with_hint

    driver = Path(driver)
    mode = config.calibration.offline  # auto | live | none, checked when the config loaded
    if is_track_path(driver):
        from ..face.au_tracks import read_au_track

        track = read_au_track(driver)
        if len(track) == 0:
            raise InputUnreadable(f"AU track {driver} has no rows")
        total = len(track) if max_frames is None else min(max_frames, len(track))
        # timestamps restart from 0 so smoothing and the no-face policy see the track's own timing
        times_ms = (track.timestamps_s - float(track.timestamps_s[0])) * 1000.0
        info = _Driver(track_rate(track.timestamps_s), total, f"AU track {driver.name}")
        if track.is_recorded_take and mode == "auto":
            def replay_take() -> Iterator[tuple[None, Any]]:
                for i in range(total):  # what the live engine was given, as it was given
                    yield None, AUReading(aus=track.aus[i], neutral=track.neutral[i], success=bool(track.success[i]),
                                          confidence=float(track.confidence[i]),
                                          state="tracking" if track.success[i] else "lost",
                                          timestamp_ms=float(times_ms[i]), neutral_state="recorded")
            yield info, replay_take()
            return
        neutral = _fixed_neutral(mode, track.aus[track.success], config)
        stabilizer = AUStabilizer.from_config(config, neutral=neutral)

        def replay() -> Iterator[tuple[None, Any]]:
            for i in range(total):
                ok = bool(track.success[i])
                yield None, stabilizer.update(track.aus[i] if ok else None, ok, float(times_ms[i]),
                                              confidence=float(track.confidence[i]))

        yield info, replay()
        return

    from ..face.au_stream import AUStream
    from ..face.mouth_hint import with_mouth_hint
    from ..face.gaze import GazeFollower, resting_gaze
    from ..face.wink import from_rest, resting_tilt
    from ..capture.sources import open_source
    from ..face.upright import video_way_up
    from ..frames import is_video_path

    turns = video_way_up(driver, config.tracking) if is_video_path(driver) else 0  # once, for both passes
    if mode == "auto":
        raw = _read_driver_aus(driver, config, max_frames, progress, turns)
        neutral = _fixed_neutral(mode, raw.aus[raw.success], config)
        rest_tilt = resting_tilt([row.tilt for row in raw.rows if row.tilt is not None])  # the whole driver's, as the neutral
        rest_gaze = resting_gaze([row.gaze.look for row in raw.rows if row.gaze is not None])
    else:
        raw, neutral = None, _fixed_neutral(mode, None, config)
    source = open_source(str(driver), paced=False, loop=False, once=True, turns=turns)
    with ExitStack() as stack:
        stack.enter_context(source)
        stabilizer = AUStabilizer.from_config(config, neutral=neutral)
        stream = None if raw is not None else stack.enter_context(
            AUStream.from_config(config, stabilizer=stabilizer, mouth_hints=mouth_hints))
        gazes = GazeFollower()

        def estimate() -> Iterator[tuple[np.ndarray, Any]]:
            for count, frame in enumerate(source):
                if max_frames is not None and count >= max_frames:
                    return
                if raw is None:
                    yield frame.image, stream.process(frame)
                elif count < len(raw.rows):  # second pass: the first pass's AUs, the video's pictures
                    row = raw.rows[count]
                    aus = raw.aus[count] if row.success else None
                    reading = with_hint(stabilizer.update(aus, row.success, frame.timestamp_ms),
                                        wink=from_rest(row.wink, row.tilt, rest_tilt),
                                        gaze=gazes.follow(row.gaze, frame.timestamp_ms / 1000.0, rest_gaze))
                    if mouth_hints:
                        reading = with_mouth_hint(reading, frame.image, row.lips)
                    yield frame.image, reading

        total = source.frame_count
        if total is not None and max_frames is not None:
            total = min(total, max_frames)
        readings = estimate()
        try:
            yield _Driver(source.fps or 30.0, total, source.description), readings
        finally:
            readings.close()  # release the decoder now (stages are joined), not at interpreter exit


@dataclass
class _RawDriverAUs:
    """The first pass over a driver video: each frame's ``analyse.AURow`` (its raw AUs, and beside
    them the lip lines, wink, mouth tilt and gaze the second pass hands on with its picture), and
    the AUs stacked for the whole driver's neutral."""

    rows: list  # (N,) AURow
    aus: np.ndarray  # (N, 17) raw per-frame AUs
    success: np.ndarray  # (N,) bool


def _read_driver_aus(driver: Path, config, max_frames: int | None, progress: bool, turns: int) -> _RawDriverAUs:
    """First pass over a driver video (its frames turned ``turns`` quarter turns): every frame's raw
    AUs (for the whole-driver neutral)."""
    from tqdm import tqdm

    from .analyse import analyse, count_frames

    total = count_frames(driver)
    if total is not None and max_frames is not None:
        total = min(total, max_frames)
    kept = []
    with tqdm(total=total, unit="frame", disable=not progress, desc=f"reading {driver.name}", leave=False) as bar:
        rows = analyse(driver, config, on_frame=lambda: bar.update(1), turns=turns)
        try:
            for row in rows:
                kept.append(row)
                if max_frames is not None and len(kept) >= max_frames:
                    break
        finally:
            rows.close()  # release the tracker and decoder before the second pass opens its own
    aus = np.stack([row.aus for row in kept]).astype(np.float32) if kept else np.zeros((0, NUM_AUS), np.float32)
    return _RawDriverAUs(kept, aus, np.array([row.success for row in kept], bool))


def _check_start_in_video(driver: Path, start_s: float) -> None:
    """ConfigError before the first pass over the whole driver, where --start lies past its last
    frame by its header (a header that counts short is caught after the frames, as for tracks)."""
    from ..capture.video_file import VideoFileSource
    from ..frames import is_video_path

    if start_s <= 0 or not is_video_path(driver):
        return
    source = VideoFileSource(driver, paced=False)
    if source.frame_count and source.fps and round(start_s * source.fps) >= source.frame_count:
        raise _start_past_the_end(start_s, source.frame_count, source.fps)


def _start_past_the_end(start_s: float, frames: int, fps: float) -> ConfigError:
    return ConfigError(f"--start {start_s:g} s is past the driver's last frame ({frames} frames: the last "
                       f"starts at {(frames - 1) / fps:.2f} s)")


def _check_driver(driver: Path) -> None:
    from ..errors import InputNotFound
    from ..frames import is_image_path, is_video_path

    if driver.is_dir():  # a folder of frames: `aus` reads one into an AU track, which render takes
        track = f"{driver.name or 'frames'}.csv"
        raise InputUnreadable(f"driver {driver} is a folder; render takes a video or an AU track: make one of its "
                              f"frames with `livemorph aus {driver} --out {track}`, then --driver {track}")
    if not driver.is_file():
        raise InputNotFound(f"driver not found: {driver}; give a video or an AU track .csv")
    if not (is_track_path(driver) or is_video_path(driver) or is_image_path(driver)):
        raise InputUnreadable(f"driver {driver.name} is neither a video nor an AU track .csv (by its extension)")


def render_offline(target, driver: str | Path, out: str | Path, config, *, side_by_side_layout: bool | None = None,
                   max_frames: int | None = None, start_s: float = 0.0, duration_s: float | None = None,
                   progress: bool = True, queue_depth: int = 8) -> RenderSummary:
    """Render ``target`` (a portrait path or a ``PortraitFace``) driven by ``driver`` into ``out``.

    ``out`` by extension: .mp4, .gif, .png (the last frame) or a folder. The output has the
    portrait's size (plus the driver panel, arranged by ``render.pair_layout``, when side by
    side; for an AU track the panel shows the driving AUs as bars, beside the portrait).
    Output fps = ``render.fps``, else the driver's fps (tracks: from their timestamps, else 30);
    a different rate resamples the clip (frames dropped or repeated, duration kept).
    ``start_s`` / ``duration_s`` cut a clip out of the driver: frames before the start are
    still tracked (so smoothing and the neutral baseline have settled), not rendered.
    """
    from tqdm import tqdm

    from ..engines import resolve_engine_name
    from ..frames import is_image_path
    from ..outputs.compose import au_panel, pair
    from ..portrait import PortraitFace, load_portrait
    from ..outputs.registry import check_output_path, open_recorder, output_kind

    started = time.perf_counter()
    # A ~ the shell left (--out=~/x.mp4) is the home folder, not a folder named "~".
    out, driver = Path(out).expanduser(), Path(driver).expanduser()
    if not isinstance(target, PortraitFace):
        target = Path(target).expanduser()
    output_kind(out)  # cheap checks first: a typo must not cost a model load
    _check_driver(driver)
    inputs = [("driver", driver)] + ([] if isinstance(target, PortraitFace) else [("target", target)])
    check_output_path(out, inputs=inputs)
    _check_start_in_video(driver, start_s)
    with_driver = config.render.side_by_side if side_by_side_layout is None else side_by_side_layout
    engine_name = resolve_engine_name(config)
    portrait = target if isinstance(target, PortraitFace) else load_portrait(target, config)
    puppet = create_puppet(portrait, config, engine_name=engine_name)

    loop_started = time.perf_counter()
    counts = {"read": 0, "used": 0, "faces": 0}  # driver frames read, used for the clip, with a face
    with ExitStack() as stack:
        # --max-frames alone bounds both passes; a --start/--duration clip takes its neutral from the whole driver
        trimmed = start_s > 0 or duration_s is not None
        driver_info, readings = stack.enter_context(
            _driver_readings(driver, config, None if trimmed else max_frames, progress,
                             mouth_hints=puppet.takes_mouth_hint))
        driver_fps = float(driver_info.fps)
        fps = float(config.render.fps or driver_fps)
        first = round(start_s * driver_fps)
        count = None if duration_s is None else max(1, round(duration_s * driver_fps))
        if max_frames is not None:
            count = max_frames if count is None else min(count, max_frames)
        if output_kind(out) == "gif" and config.render.gif_max_seconds:
            # A GIF keeps gif_max_seconds: do not render what it would drop. One GIF frame more (a
            # few driver frames, as the GIF plays at most gif_fps) lets the recorder see, and say,
            # that the GIF was cut.
            gif_slot = driver_fps / min(fps, float(config.render.gif_fps))
            gif_count = int(np.ceil(config.render.gif_max_seconds * driver_fps + gif_slot)) + 1
            count = gif_count if count is None else min(count, gif_count)
        end = None if count is None else first + count  # driver frames [first, end) are rendered
        expected = driver_info.total if end is None or driver_info.total is None else min(end, driver_info.total)
        recorder = stack.enter_context(open_recorder(out, fps, config.render))
        bar = stack.enter_context(tqdm(total=None if expected is None else expected - min(first, expected),
                                       unit="frame", disable=not progress, desc=f"render {out.name}", leave=False))

        def read_and_track(emit):
            for item in readings:
                counts["read"] += 1
                emit(item)
                if end is not None and counts["read"] >= end:
                    break  # the clip is complete: stop decoding the rest of the driver

        index = -1

        def render(item, emit):
            nonlocal index, loop_started
            index += 1
            if index < first:
                return  # before --start: tracked (smoothing, neutral) but not rendered
            if counts["used"] == 0:
                loop_started = time.perf_counter()  # the frame rate excludes tracker start-up
            driver_image, reading = item
            counts["used"] += 1
            counts["faces"] += bool(reading.success)
            bar.update(1)
            repeats = output_count(index - first, driver_fps, fps)
            if repeats == 0:
                return  # resampled away (--fps below the driver's): no need to render it
            frame = puppet.step(reading)
            if with_driver:
                if driver_image is not None:
                    frame = pair(driver_image, frame, config.render.pair_layout)
                else:  # an AU track: the bars stand beside the portrait
                    frame = pair(au_panel(reading.aus, frame.shape[0]), frame, "row")
            for _ in range(repeats):
                emit(frame)

        # Offline: nothing is dropped, the slowest stage sets the pace; Ctrl+C, SIGTERM or an
        # error in any stage stops them all, then the recorder aborts its file.
        stages = StagePipeline("livemorph-render", latest_wins=False, depth=queue_depth)
        stages.start_stages(read_and_track, render, recorder.write)
        stages.wait()
        stages.raise_first()
        if counts["used"] == 0:
            if first > 0 and counts["read"] > 0:
                raise _start_past_the_end(start_s, counts["read"], driver_fps)
            raise InputUnreadable(f"driver {driver} gave no frames to render")
        if duration_s is not None and counts["used"] < count and not is_image_path(driver):  # the driver ended first
            # (a still has its own warning: one frame)
            log.warning("--duration %g s runs past the end of the driver: the clip is %.1f s", duration_s,
                        counts["used"] / driver_fps)
    finished = time.perf_counter()
    seconds = finished - started
    info = recorder.output_info()
    summary = RenderSummary(out=out, frames=info.frames, faces_found=counts["faces"], seconds=seconds,
                            render_seconds=finished - loop_started, fps=info.fps or fps,
                            size=info.size or recorder.frame_size, engine=engine_name,
                            driver_frames=counts["used"],
                            driver_expected=None if expected is None else max(0, expected - first),
                            driver_is_still=is_image_path(driver) and not is_track_path(driver), output=info)
    log.info("rendered %d driver frames (%d with a face) in %.1f s with %s", summary.driver_frames,
             summary.faces_found, seconds, engine_name)
    return summary
