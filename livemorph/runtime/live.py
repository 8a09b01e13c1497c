"""The live loop: capture -> track + AUs -> engine -> outputs, each stage on its own thread.

The stages run on ``stages.StagePipeline`` (the offline render's runner too) with latest-wins
hand-offs, so the loop runs at the rate of its slowest stage, not the sum of all, and a frame
never waits behind stale ones.
Two refinements keep latency near the sum of the stage times:

- the tracking stage does not analyse a frame the engine could not take yet (it would only be
  overwritten): it waits until the engine has taken the previous reading, then starts on the
  NEWEST captured frame just early enough to be done when the engine frees up;
- outputs (window, virtual camera, recorder, AU track) each have their own thread and slot,
  so a slow one drops its own frames and never holds up the others.

Shutdown (quit key, ``--max-frames``, Ctrl+C / SIGTERM, an error in any stage) always runs the
same path: stop the stages, let every output drain and close (recorders rename their
temporary file into place), then re-raise the first error or the interrupt.
"""
from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

import numpy as np

from ..config.settings import MAX_DRIVING_STRENGTH
from ..frames import Frame
from ..handoff import Handoff
from .live_outputs import AUTrackOutput, LiveFrame, OutputWorker
from .live_stats import LiveStats
from .stages import StagePipeline
from ..termination import SIGNALS, Terminated

log = logging.getLogger(__name__)

STOP_POLL_S = 0.1  # how often idle threads look at the stop flag


class Puppet(Protocol):
    """One prepared target portrait (``render.PortraitPuppet``): AU reading in, animated portrait out."""

    name: str

    def step(self, reading: Any, strength: float | None = None) -> np.ndarray: ...


@dataclass
class LiveControls:
    """What the hotkeys change; written by the window thread, read by the stages."""

    strength: float
    target: int = 0
    paused: bool = False
    hud: bool = True
    side_by_side: bool = False
    mirror: bool = True
    help: bool = False
    message: str = ""  # a short notice shown on the HUD (e.g. "still preparing obama")
    message_until: float = 0.0
    recalibrate_requested: bool = False  # done on the tracking thread, which owns the stabilizer

    def notify(self, text: str, seconds: float = 2.5) -> None:
        log.info("%s", text)
        self.message, self.message_until = text, time.monotonic() + seconds


class TargetSet:
    """The ``--target`` portraits. The first is prepared before the loop starts (its errors
    stop the run at once); the others in a background thread, so switching never stalls."""

    def __init__(self, names: Sequence[str], prepare: Callable[[str], Puppet]):
        if not names:
            raise ValueError("TargetSet needs at least one target")
        self.names = list(names)
        self._prepare = prepare
        self._puppets: list[Puppet | None] = [None] * len(names)
        self._errors: list[str | None] = [None] * len(names)
        self._puppets[0] = prepare(self.names[0])
        self._thread = None
        self._closing = False
        if len(names) > 1:
            self._thread = threading.Thread(target=self._prepare_rest, name="livemorph-targets", daemon=True)
            self._thread.start()

    def _prepare_rest(self) -> None:
        from ..errors import LivemorphError

        for i in range(1, len(self.names)):
            if self._closing:
                return
            try:
                self._puppets[i] = self._prepare(self.names[i])
            except LivemorphError as exc:
                # The run goes on with the targets that work; switching to this one says why.
                self._errors[i] = str(exc)
                log.error("target %s cannot be used: %s", self.names[i], exc)
            except Exception as exc:  # noqa: BLE001 - a bug, but it must not leave "preparing" forever
                self._errors[i] = f"failed ({type(exc).__name__}: {exc})"
                log.exception("target %s could not be prepared", self.names[i])

    def close(self, timeout_s: float = 30.0) -> None:
        """Let the background preparation end before the run does: its thread still inside MediaPipe
        as Python exits aborted the process ("terminate called without an active exception", exit
        134, after the recordings were finished). Targets not begun are skipped; the one being
        prepared (a second or two) is waited for."""
        self._closing = True
        if self._thread is not None:
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                log.warning("a --target was still being prepared after %.0f s; exiting without it", timeout_s)

    def __len__(self) -> int:
        return len(self.names)

    def get(self, index: int) -> Puppet | None:
        return self._puppets[index % len(self.names)]

    def status(self, index: int) -> str:
        """'ready', 'preparing' or the error message."""
        i = index % len(self.names)
        if self._puppets[i] is not None:
            return "ready"
        return self._errors[i] or "preparing"


@dataclass
class _Analysed:
    frame: Frame
    captured_at: float
    reading: Any


@dataclass
class LiveLoop:
    """Wires the stages together; ``run()`` blocks until the loop ends (see module docstring).

    ``source`` is a ``livemorph.capture.sources`` source: ``read_latest(timeout)`` gives the newest
    frame captured on its own thread (None if none came), ``ended`` says a finite source ran out,
    ``clock_origin`` (optional) dates its timestamps for the latency figures.
    ``au_stream.process(frame)`` returns an AUReading; ``window`` (optional, main thread) has
    ``show(frame, stats, controls, recording) -> key``, ``poll()``, ``closed_by_user()``, ``close()``.
    ``outputs`` get every rendered ``LiveFrame``; ``reading_outputs`` get ``(index, time_s, reading)``
    for every analysed frame (``live_registry`` feeds).
    An output that fails (disk full, virtual camera gone) stops the run with its error, after
    the other outputs are finished.
    """

    source: Any
    au_stream: Any
    targets: TargetSet
    controls: LiveControls
    outputs: list[OutputWorker] = field(default_factory=list)  # fed every rendered LiveFrame
    reading_outputs: list[OutputWorker] = field(default_factory=list)  # fed every analysed reading
    window: Any = None
    max_frames: int | None = None
    stats: LiveStats = field(default_factory=LiveStats)
    on_key: Callable[[int], None] | None = None  # hotkey handler (set by run_live)
    is_recording: Callable[[], bool] = lambda: False
    join_timeout_s: float = 5.0  # at shutdown, how long to wait for each stage thread

    def __post_init__(self):
        # The tracking and engine threads, latest-wins between them; outputs report to its fail().
        self._stages = StagePipeline("livemorph", latest_wins=True, on_drop=self.stats.dropped)
        self._stop = self._stages.stop
        self._interrupted = False
        self._stopped_by = signal.SIGINT
        self._outputs_lock = threading.Lock()
        self._window_in = Handoff(1, on_drop=lambda n: self.stats.dropped("out:window", n))
        self._render_started = 0.0  # time.monotonic() when the engine took its current reading
        self.frames_out = 0
        self._retired: list[OutputWorker] = []  # outputs stopped while running, still finishing
        self.left_behind: list[str] = []  # stage threads still running after shutdown (stuck in a native call)

    # -- control ---------------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def add_output(self, output: OutputWorker) -> None:
        """Start an output while running (the record hotkey)."""
        output._on_error = self._stages.fail
        output.start()
        with self._outputs_lock:
            self.outputs.append(output)

    def remove_output(self, output: OutputWorker) -> None:
        """Stop an output while running; it drains and closes on its own thread."""
        with self._outputs_lock:
            if output in self.outputs:
                self.outputs.remove(output)
        output.finish()
        self._retired.append(output)

    # -- run -------------------------------------------------------------------------------
    def run(self) -> None:
        for output in self.outputs + self.reading_outputs:
            output._on_error = self._stages.fail
            output.start()
        restore = self._install_signal_handlers()
        try:
            self._stages.start_stages(self._track, self._render, self._deliver)
            if self.window is not None:
                self._window_loop()
            else:
                while not self._stop.wait(STOP_POLL_S):
                    pass
        except BaseException as exc:  # noqa: BLE001 - re-raised after the outputs are finalised
            self._stages.fail(exc)
        finally:
            self._stop.set()
            try:
                self._shutdown()
            finally:
                restore()
        self._stages.raise_first()
        if self._interrupted:
            if self._stopped_by != signal.SIGINT:  # exit 128 + the signal, as `render` (termination)
                raise Terminated(self._stopped_by, "recordings were finished")
            raise KeyboardInterrupt

    def _install_signal_handlers(self) -> Callable[[], None]:
        """Ctrl+C, SIGTERM (a service manager, ``timeout``) and SIGHUP (a closed terminal) stop the
        loop cleanly; a second Ctrl+C interrupts the shutdown. A repeated SIGTERM or SIGHUP is let
        go (a closed terminal sends SIGHUP twice; raised inside the shutdown, it left outputs
        untold to finish)."""
        if threading.current_thread() is not threading.main_thread():
            return lambda: None

        def handler(signum, _frame):
            if self._interrupted:
                if signum == signal.SIGINT:
                    raise KeyboardInterrupt
                return
            self._interrupted, self._stopped_by = True, signum
            log.warning("%s: stopping (finishing recordings)", signal.Signals(signum).name)
            self._stop.set()

        stopping = (signal.SIGINT,) + SIGNALS  # termination.SIGNALS: SIGTERM, and SIGHUP where there is one
        previous = {sig: signal.signal(sig, handler) for sig in stopping}

        def restore():
            ending = self._interrupted and self._stopped_by != signal.SIGINT
            for sig, old in previous.items():
                # Ending on SIGTERM/SIGHUP, a late repeat (a closed terminal sends SIGHUP twice) would
                # kill the process at Python's default before it gives its exit code.
                signal.signal(sig, signal.SIG_IGN if ending and sig != signal.SIGINT else old)

        return restore

    def _shutdown(self) -> None:
        self._stages.tracked.close()
        try:
            for name in self._stages.join(self.join_timeout_s):
                log.warning("%s did not stop within %g s; leaving it behind (the tracker and source stay open)",
                            name, self.join_timeout_s)
        finally:
            self.left_behind = [thread.name for thread in self._stages.threads if thread.is_alive()]
            # Even if a second Ctrl+C lands here: outputs are told to finish, and their threads
            # are not daemons, so recordings are completed before the process exits.
            with self._outputs_lock:
                outputs = list(self.outputs) + list(self._retired) + list(self.reading_outputs)
            for output in outputs:
                output.finish()
            if self.window is not None:
                self.window.close()
        for output in outputs:
            output.join()  # recorders finish their files; no timeout: a file must not be cut

    # -- stages ----------------------------------------------------------------------------
    def _captured_at(self, frame: Frame) -> float:
        """time.monotonic() when the frame was captured (sources with a clock say so)."""
        origin = getattr(self.source, "clock_origin", None)
        now = time.monotonic()
        if origin is None:
            return now  # no capture clock: count from when we got it
        return min(now, origin + frame.timestamp_ms / 1000.0)

    def _track(self, emit: Callable[[_Analysed], None]) -> None:
        # The source captures on its own thread into a newest-wins slot: that slot is the
        # capture -> tracking hand-off, and its ``dropped`` count is this stage's drops.
        reading_index = 0
        while not self._stop.is_set():
            self._wait_for_engine()
            if self.controls.recalibrate_requested:
                self.controls.recalibrate_requested = False
                self.au_stream.recalibrate()
            frame = self.source.read_latest(timeout=STOP_POLL_S)
            self.stats.set_dropped("capture", int(getattr(self.source, "dropped", 0)))
            if frame is None:
                if getattr(self.source, "ended", False):
                    log.info("source ended")
                    return  # frames in flight still come out, then the loop stops
                continue
            captured_at = self._captured_at(frame)
            self.stats.count("captured")
            start = time.perf_counter()
            reading = self.au_stream.process(frame)
            self.stats.stage("tracking", (time.perf_counter() - start) * 1000.0)
            self.stats.count("faces", int(bool(reading.success)))
            for output in self.reading_outputs:
                output.submit((reading_index, frame.timestamp_ms / 1000.0, reading))
            reading_index += 1
            emit(_Analysed(frame, captured_at, reading))

    def _wait_for_engine(self) -> None:
        """Do not analyse a frame the engine cannot take yet; start just in time for it."""
        while not self._stop.is_set() and not self._stages.tracked.wait_empty(STOP_POLL_S):
            pass
        engine_ms = self.stats.median("engine")
        tracking_ms = self.stats.median("tracking")
        if engine_ms is None or tracking_ms is None or self.controls.paused:
            return
        ready_at = self._render_started + engine_ms / 1000.0 - tracking_ms / 1000.0
        delay = ready_at - time.monotonic()
        if delay > 0:
            self._stop.wait(min(delay, 0.5))

    def _render(self, item: _Analysed, emit: Callable[[LiveFrame], None]) -> None:
        if self.controls.paused:
            return
        puppet = self._current_puppet()
        self._render_started = start = time.monotonic()
        strength = self.controls.strength
        portrait = puppet.step(item.reading, strength)
        done = time.monotonic()
        self.stats.stage("engine", (done - start) * 1000.0)
        emit(LiveFrame(portrait=portrait, user=item.frame.image, reading=item.reading, index=self.frames_out,
                       source_time_s=item.frame.timestamp_ms / 1000.0, captured_at=item.captured_at,
                       target=puppet.name, strength=strength))
        self.stats.frame_out(item.captured_at, done)
        self.frames_out += 1
        if self.max_frames is not None and self.frames_out >= self.max_frames:
            log.info("--max-frames %d reached", self.max_frames)
            self._stop.set()

    def _deliver(self, frame: LiveFrame) -> None:
        """On the engine thread: every output has its own thread and latest-wins hand-off."""
        with self._outputs_lock:
            outputs = list(self.outputs)
        for output in outputs:
            output.submit(frame)
        if self.window is not None:
            self._window_in.put(frame)

    def _current_puppet(self) -> Puppet:
        puppet = self.targets.get(self.controls.target)
        if puppet is None:  # switched to one still preparing (or broken): fall back to the first
            puppet = self.targets.get(0)
        return puppet

    # -- window (main thread: HighGUI wants it) ----------------------------------------------
    def _window_loop(self) -> None:
        last: LiveFrame | None = None
        redraw = False
        while not self._stop.is_set():
            item = self._window_in.get(timeout=0.01)
            if item is not None:
                last, redraw = item, True
            if last is not None and redraw:
                start = time.perf_counter()
                key = self.window.show(last, self.stats.snapshot(), self.controls, self.is_recording())
                if item is not None:
                    self.stats.stage("out:window", (time.perf_counter() - start) * 1000.0)
                    self.stats.count("out:window")
            else:
                key = self.window.poll()
            redraw = False
            if key is not None and key >= 0 and self.on_key is not None:
                self.on_key(key)
                redraw = True  # show the effect (HUD, help, mirror) without waiting for a frame
            if self.window.closed_by_user():
                self._stop.set()


# ------------------------------------------------------------------------------------------
# Building a session from the config: targets, engine, outputs, hotkeys.
def prepare_target(path: str, engine, config):
    """The ``render.PortraitPuppet`` for one ``--target`` (one engine instance serves every target)."""
    from ..portrait import fit_for_live, load_portrait
    from .render import puppet_for

    return puppet_for(engine, fit_for_live(load_portrait(path, config), config), config, name=Path(path).stem)


def make_key_handler(loop: LiveLoop, controls: LiveControls, recording: Any, step: float):
    """The hotkey actions; ``recording`` is the ``takes`` output (``recording.Recording``), None without one."""
    from ..outputs.preview.hotkeys import action_for_key

    def on_key(code: int) -> None:
        action = action_for_key(code)
        if action is None:
            return
        if action == "quit":
            loop.stop()
        elif action == "recalibrate":
            controls.recalibrate_requested = True
            controls.notify("neutral: hold your resting face for a moment")
        elif action in ("next_target", "previous_target"):
            if len(loop.targets) > 1:
                wanted = (controls.target + (1 if action == "next_target" else -1)) % len(loop.targets)
                status = loop.targets.status(wanted)
                if status == "ready":
                    controls.target = wanted
                    controls.notify(f"target: {loop.targets.names[wanted]}")
                else:
                    controls.target = wanted  # shown as soon as it is ready; the current one until then
                    controls.notify(f"{loop.targets.names[wanted]}: {status}")
        elif action == "strength_up":
            controls.strength = round(min(MAX_DRIVING_STRENGTH, controls.strength + step), 3)
            controls.notify(f"strength {controls.strength:.1f}")
        elif action == "strength_down":
            controls.strength = round(max(0.0, controls.strength - step), 3)
            controls.notify(f"strength {controls.strength:.1f}")
        elif action == "toggle_record":
            if recording is not None:
                recording.toggle(controls)
            else:
                controls.notify("no recorder registered")
        elif action == "toggle_hud":
            controls.hud = not controls.hud
        elif action == "toggle_layout":
            controls.side_by_side = not controls.side_by_side
        elif action == "toggle_mirror":
            controls.mirror = not controls.mirror
        elif action == "toggle_pause":
            controls.paused = not controls.paused
        elif action == "toggle_help":
            controls.help = not controls.help

    return on_key


def run_live(config, *, targets: Sequence[str], engine_name: str | None = None, window: bool = True,
             record: str | None = None, record_aus: str | None = None, max_frames: int | None = None,
             stats_json: str | None = None, stats: LiveStats | None = None) -> dict:
    """``livemorph run``: everything from the config (CLI flags are already folded into it).

    The outputs (window, virtual camera, AU track, recordings) come from the live output
    registry (``live_registry``). Returns the final stats snapshot (also written to
    ``stats_json`` when given). ``stats`` lets a caller watch the run from another thread
    (benchmarks/bench_soak.py).
    """
    from dataclasses import replace

    from ..capture.sources import source_from_config
    from ..engines import engine_from_config, paints_mouth_hints
    from ..face.au_stream import AUStream
    from .live_registry import LiveOutputs, LiveRequest

    # A ~ the shell left (--out=~/x.mp4) is the home folder, as in --source, not a folder named "~".
    record, record_aus, stats_json = (None if path is None else str(Path(path).expanduser())
                                      for path in (record, record_aus, stats_json))
    targets = [str(Path(target).expanduser()) for target in targets]
    if stats_json:
        _check_json_writable(Path(stats_json))  # before the run: a run's figures must not be lost at its end
    _check_run_paths(targets, record, record_aus, config.live.source)
    stats = stats if stats is not None else LiveStats()
    request = LiveRequest(config, stats, window=window, record=record, record_aus=record_aus)
    opened = LiveOutputs()
    started = False
    recording = None
    target_set = None
    try:
        opened.open(request, "first")  # the window, before anything opens a video (see PreviewWindow.open)
        source = source_from_config(config.live, turns=_video_way_up(config))  # validates the spec now, opens later
        name, engine = engine_from_config(config, engine_name)
        target_set = TargetSet(list(targets), lambda path: prepare_target(path, engine, config))
        controls = LiveControls(strength=config.driving.strength, hud=config.window.hud,
                                side_by_side=config.window.layout == "side_by_side",
                                mirror=config.window.mirror)
        if opened.window is not None:
            opened.window.engine = name
        with ExitStack() as resources:
            resources.enter_context(source)
            au_stream = resources.enter_context(AUStream.from_config(config, mouth_hints=paints_mouth_hints(engine)))
            opened.open(replace(request, source_fps=source.fps), "ready")
            recording = opened.takes
            loop = LiveLoop(source=source, au_stream=au_stream, targets=target_set, controls=controls,
                            outputs=opened.frames, reading_outputs=opened.readings, window=opened.window,
                            max_frames=max_frames, stats=stats,
                            is_recording=lambda: recording is not None and recording.active)
            loop.on_key = make_key_handler(loop, controls, recording, config.window.strength_step)
            if recording is not None:
                recording.attach(loop)  # with --record, the first take starts now
            started = True
            try:
                loop.run()
            finally:
                if loop.left_behind:
                    resources.pop_all()  # never close the tracker or the source under a stage still using them
    except BaseException:
        if not started:  # the loop never ran: its outputs and window will not close themselves
            opened.abort()
        raise
    finally:
        if target_set is not None:
            target_set.close()
        snapshot = stats.snapshot()
        if started:  # what each closed file really holds
            snapshot["recordings"] = (list(recording.saved) if recording is not None else []) + [
                f"{output.writer.path}: {output.writer.rows} rows of AUs"
                for output in opened.readings if isinstance(output, AUTrackOutput)]
            stopping = sys.exc_info()[1]
            if stopping is not None:  # Ctrl+C or a signal: the CLI still lists what was saved
                stopping.recordings = snapshot["recordings"]
        if stats_json and started:
            _write_json_atomic(Path(stats_json), snapshot)
    return snapshot


def _video_way_up(config) -> int:
    """The quarter turns a video file given as ``live.source`` needs to stand its faces upright (0
    for a camera or an image: a camera is taken as it is mounted)."""
    from ..capture.sources import parse_source_spec
    from ..face.upright import video_way_up

    kind, target = parse_source_spec(config.live.source)
    return video_way_up(target, config.tracking) if kind == "video" else 0


def _check_run_paths(targets: Sequence[str], record: str | None, record_aus: str | None, source) -> None:
    """Before the run, what would otherwise fail in it: a missing ``--target`` (all but the first
    are prepared in the background, where a typo went by as a log line), an unwritable ``--record``
    or ``--record-aus`` (found at the first frame, as "stopped early"), a video take named .csv or
    an AU take named otherwise (one name for both lost the video), and a recording named as an
    input (it went to the next free name, NAME-2, beside the input: ``aus --out`` refuses it so too)."""
    from ..capture.sources import parse_source_spec
    from ..errors import ConfigError, InputNotFound
    from ..outputs.registry import check_writable, same_file

    for target in targets:
        if not Path(target).exists():
            raise InputNotFound(f"image not found: {target}")
    if record and Path(record).suffix.lower() == ".csv":
        raise ConfigError(f"--record {record} is a .csv: --record takes a video (.mp4 or .gif); "
                          f"your AUs are recorded with --record-aus {record}")
    if record_aus and Path(record_aus).suffix.lower() != ".csv":
        video = record_aus if Path(record_aus).suffix.lower() in (".mp4", ".gif") else f"{record_aus}.mp4"
        raise ConfigError(f"--record-aus {record_aus} must be a .csv (an AU track); a video of the output "
                          f"is --record {video}")
    inputs = [(Path(target), "target") for target in targets]
    kind, source_path = parse_source_spec(source)  # ~ expanded, as the source is opened
    if kind != "webcam":
        inputs.append((Path(source_path), "--source"))
    for path, flag in ((record, "--record"), (record_aus, "--record-aus")):
        if path:
            for given, what in inputs:
                if same_file(Path(path), given):
                    raise ConfigError(f"{flag} {path} is your {what}; livemorph never writes over its inputs: "
                                      f"choose another name")
            check_writable(path, flag)


def _check_json_writable(path: Path) -> None:
    """OutputNotWritable now, rather than after the run, if ``path`` cannot be written (missing
    folders are made at the end, as for --record)."""
    from ..errors import ConfigError, OutputNotWritable
    from ..outputs.registry import check_writable

    if path.is_dir():
        raise OutputNotWritable(f"--stats-json {path} is a folder; give a file name ending in .json")
    if path.suffix.lower() != ".json":  # named like the source or a recording, it wrote JSON over it
        raise ConfigError(f"--stats-json {path} must be a .json file (the run's figures); e.g. "
                          f"--stats-json {path.with_suffix('.json').name}")
    check_writable(path, "--stats-json")


def _write_json_atomic(path: Path, data: dict) -> None:
    import json

    from ..atomic import atomic_write
    from ..errors import OutputNotWritable

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path) as tmp:
            tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    except OSError as exc:
        raise OutputNotWritable(f"cannot write --stats-json {path}: {exc.strerror or exc}") from exc


def summary_line(snapshot: dict) -> str:
    """One line for the end of a run: frames, fps, latency, drops."""
    latency = snapshot.get("latency_ms") or {}
    lat = (f"latency median {latency['median']:.0f} ms, p95 {latency['p95']:.0f} ms"
           if latency.get("median") is not None else "latency -")
    fps = snapshot.get("sustained_fps") or 0.0
    return f"{snapshot.get('frames_out', 0)} frames, {fps:.1f} fps, {lat}, dropped {snapshot.get('dropped_total', 0)}"
