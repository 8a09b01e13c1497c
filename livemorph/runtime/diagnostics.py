"""Health checks behind `livemorph doctor`: each returns ``Check`` results, never prints.

Every check is bounded in time (camera probes run on daemon threads with a deadline, so a
driver that hangs on open cannot hang the doctor) and never raises for a problem it is meant
to report: a problem becomes a ``Check(ok=False, detail, fix)``.
"""
from __future__ import annotations

import glob
import logging
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import LivemorphError

log = logging.getLogger(__name__)

CAMERA_INDICES = (0, 1, 2, 3)
CAMERA_PROBE_SECONDS = 3.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    critical: bool = False  # a failed critical check makes `doctor` exit non-zero

    def line(self) -> str:
        if self.ok:
            return f"{self.name:<12} ok: {self.detail}"
        return f"{self.name:<12} problem: {self.detail}" + (f"; fix: {self.fix}" if self.fix else "")


# ---- cameras ---------------------------------------------------------------------------------
def _open_and_read(device: int | str) -> tuple[int, int] | None:
    """(width, height) of a frame read from ``device``, or None."""
    from ..capture.webcam import open_cv_capture

    capture = open_cv_capture(device)
    try:
        if not capture.isOpened():
            return None
        ok, frame = capture.read()
        return (frame.shape[1], frame.shape[0]) if ok and frame is not None else None
    finally:
        capture.release()


def _v4l2_name(device: str) -> str:
    name_file = Path("/sys/class/video4linux") / Path(device).name / "name"
    try:
        return name_file.read_text().strip()
    except OSError:
        return ""


def probe_cameras(devices: list[int | str], opener: Callable[[int | str], tuple[int, int] | None] = _open_and_read,
                  timeout: float = CAMERA_PROBE_SECONDS) -> dict[int | str, tuple[int, int] | str | None]:
    """Probe all ``devices`` in parallel: (w, h) when a frame was read, None when not, 'timeout' when stuck."""
    results: dict[int | str, tuple[int, int] | str | None] = {d: "timeout" for d in devices}

    def probe(device):
        import cv2

        try:
            results[device] = opener(device)
        except (cv2.error, OSError, RuntimeError) as exc:  # a broken driver is reported, not fatal
            log.debug("probing camera %s failed: %s", device, exc)
            results[device] = None

    threads = [threading.Thread(target=probe, args=(d,), daemon=True, name=f"livemorph-probe-{d}") for d in devices]
    from ..capture.webcam import quiet_opencv

    # OpenCV's log level is global: quieted per probe, one probe's restore let the others' warnings
    # through (`doctor` printed four "[ WARN ] ... can't open camera by index" lines).
    with quiet_opencv():
        for thread in threads:
            thread.start()
        end = time.monotonic() + timeout  # probes run in parallel: the whole probe takes one timeout at most
        for thread in threads:
            thread.join(max(0.0, end - time.monotonic()))
    return dict(results)


def check_cameras(opener=_open_and_read, device_paths: list[str] | None = None,
                  indices=CAMERA_INDICES, timeout: float = CAMERA_PROBE_SECONDS) -> Check:
    paths = sorted(glob.glob("/dev/video*")) if device_paths is None else device_paths
    # On Linux the paths are the cameras; elsewhere only indices exist.
    devices: list[int | str] = list(paths) if paths else list(indices)
    found = probe_cameras(devices, opener, timeout)
    working = [f"{d}{f' ({_v4l2_name(d)})' if isinstance(d, str) and _v4l2_name(d) else ''} {r[0]}x{r[1]}"
               for d, r in found.items() if isinstance(r, tuple)]
    stuck = [str(d) for d, r in found.items() if r == "timeout"]
    if working:
        extra = f"; no answer from {', '.join(stuck)}" if stuck else ""
        return Check("camera", True, ", ".join(working) + extra)
    if stuck:
        return Check("camera", False, f"{', '.join(stuck)} did not answer within {timeout:g} s (busy or hung driver)",
                     "close other apps using the camera, or replug it")
    tried = ", ".join(map(str, devices))
    fix = ("plug in a webcam; on Linux check you are in the 'video' group (ls -l /dev/video*)"
           if sys.platform.startswith("linux") else "plug in a webcam and allow camera access for this terminal")
    return Check("camera", False, f"no camera delivers frames (tried {tried})",
                 fix + "; a video file also works: livemorph run --source clip.mp4")


# ---- torch device ----------------------------------------------------------------------------
def check_torch_device() -> Check:
    from ..devices import describe_device

    detail = describe_device()
    if detail.startswith("cpu"):
        return Check("device", True, detail + " - no GPU: the warp engine runs live, GANimation is slow on CPU")
    return Check("device", True, detail)


# ---- virtual camera --------------------------------------------------------------------------
def check_virtual_cameras(width: int = 640, height: int = 480, fps: float = 30.0) -> list[Check]:
    """Try to open each pyvirtualcam backend once (and close it straight away)."""
    import pyvirtualcam
    from pyvirtualcam.camera import BACKENDS

    from ..outputs.vcam import VCAM_SETUP_HINT

    if not BACKENDS:
        return [Check("vcam", False, "pyvirtualcam has no backend for this OS", VCAM_SETUP_HINT)]
    usable, problems = [], []
    for name in list(BACKENDS):
        try:
            with pyvirtualcam.Camera(width, height, fps, backend=name) as camera:
                usable.append(f"{name} ({camera.device})")
        except (RuntimeError, OSError, ValueError) as exc:
            first = " ".join(str(exc).split()) or type(exc).__name__
            problems.append(f"{first.removeprefix(repr(name) + ' backend: ')} [{name}]")
    if usable:
        return [Check("vcam", True, "usable: " + ", ".join(usable))]
    return [Check("vcam", False, "no virtual camera: " + "; ".join(problems), VCAM_SETUP_HINT)]


# ---- models ----------------------------------------------------------------------------------
def check_landmarker_model(config) -> Check:
    from ..face.model_files import resolve_landmarker_model

    try:
        path = resolve_landmarker_model(config.tracking, allow_download=False)
    except LivemorphError as exc:
        # The error's own advice (after ';') knows the route taken ($LIVEMORPH_MODELS, model_path, cache).
        problem, _, fix = str(exc).partition(";")
        return Check("face model", False, problem, fix.strip() or _model_fix(config), critical=True)
    verified = "sha256 verified" if config.tracking.model_sha256 else "no sha256 configured to verify against"
    return Check("face model", True, f"{path} ({verified})")


def _model_fix(config) -> str:
    from ..face.model_files import LANDMARKER_FILENAME, user_cache_dir

    if config.tracking.model_path:
        return (f"point tracking.model_path at a good {LANDMARKER_FILENAME} (from {config.tracking.model_url}), "
                "or set it to null to use the cache")
    return (f"delete any damaged copy and run `livemorph run` once online (downloads it), or download "
            f"{config.tracking.model_url} to {user_cache_dir() / LANDMARKER_FILENAME}")


def check_checkpoints(config) -> list[Check]:
    from ..engines.ganimation import model_registry

    checks = []
    try:
        results = model_registry.verify_models()
    except LivemorphError as exc:
        return [Check("checkpoints", False, str(exc), "fix or delete the user model registry file")]
    for entry, ok, status in results:
        # The problem names the entry and what is wrong with it; the fix, the commands that mend it.
        problem = status.split("; run ")[0]
        checks.append(Check("checkpoint", ok, f"{entry.name}: {status}" if ok else f"{entry.name} ({entry.path}): {problem}",
                            "" if ok else f"`livemorph models add FILE --name {entry.name} --replace` with the right "
                                          f"file, or `livemorph models remove {entry.name}`"))
    if not results:
        checks.append(Check("checkpoints", True, "none registered (the warp engine needs none; "
                                                 "`livemorph models list` shows published GANimation ones)"))
    if config.ganimation.checkpoint:
        try:
            path = model_registry.resolve_checkpoint(config.ganimation.checkpoint)
            checks.append(Check("ganimation", True, f"configured checkpoint {path}"))
        except LivemorphError as exc:
            checks.append(Check("ganimation", False, f"configured checkpoint: {exc}",
                                "fix ganimation.checkpoint or `livemorph models add FILE`"))
    return checks


def run_all(config, *, camera_timeout: float = CAMERA_PROBE_SECONDS) -> list[Check]:
    """Every check, in the order `livemorph doctor` prints them."""
    checks = [check_cameras(timeout=camera_timeout), check_torch_device()]
    checks += check_virtual_cameras(config.vcam.width, config.vcam.height, config.vcam.fps)
    checks.append(check_landmarker_model(config))
    checks += check_checkpoints(config)
    return checks

