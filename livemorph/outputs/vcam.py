"""The virtual camera output (pyvirtualcam) and what to tell a user who has none."""
from __future__ import annotations

import logging

import numpy as np

from ..errors import ConfigError, VirtualCameraUnavailable
from ..frames import check_rgb_uint8
from .compose import letterbox
from .sink import Sink

# pyvirtualcam's backends on every OS (it registers those of this OS; tests and plugins add more).
EVERY_OS_BACKENDS = ("v4l2loopback", "obs", "unitycapture")

log = logging.getLogger(__name__)


def vcam_setup_steps(platform: str | None = None) -> list[str]:
    """What to do, one step a line, in order, for this OS (``sys.platform`` by default)."""
    import sys

    platform = platform or sys.platform
    if platform.startswith("linux"):
        return [
            "1. install the loopback driver: sudo apt-get install v4l2loopback-dkms (Fedora: sudo dnf install v4l2loopback)",
            "2. load it: sudo modprobe v4l2loopback devices=1 exclusive_caps=1 card_label=livemorph "
            "(exclusive_caps=1 is what makes Chrome list the camera)",
            "3. run livemorph again with --vcam and pick the camera called \"livemorph\" in the meeting app",
        ]
    steps = [
        "1. install OBS Studio 28 or newer: https://obsproject.com",
        "2. in OBS press Start Virtual Camera once, then stop it and close OBS",
    ]
    if platform == "darwin":
        steps.append("3. allow the OBS camera extension in System Settings > General > Login Items & Extensions")
    steps.append(f"{len(steps) + 1}. run livemorph again with --vcam and pick \"OBS Virtual Camera\" in the meeting app")
    return steps


# One line for `livemorph doctor`, whose checks are one line each (every OS, in order).
VCAM_SETUP_HINT = (
    "Linux: sudo apt-get install v4l2loopback-dkms, then "
    "sudo modprobe v4l2loopback devices=1 exclusive_caps=1 card_label=livemorph "
    "(exclusive_caps=1 is what makes Chrome list the device); "
    "Windows/macOS: install OBS Studio and start its virtual camera once"
)


class VirtualCameraSetupNeeded(VirtualCameraUnavailable):
    """No virtual camera: the problem on the first line, then one line per setup step."""

    def __init__(self, problem: str, steps: list[str] | None = None):
        super().__init__(problem)
        self.problem = str(self.args[0])
        self.steps = list(vcam_setup_steps() if steps is None else steps)

    def __str__(self) -> str:
        return "\n".join([f"{self.problem}; to set one up:", *(f"  {step}" for step in self.steps)])


class VirtualCamSink(Sink):
    """Frames to a pyvirtualcam device, letterboxed to the camera size, optionally paced.

    ``backend='auto'`` tries every registered pyvirtualcam backend. With ``pace=True`` each
    write sleeps until the next frame slot (``sleep_until_next_frame``), so call it from its
    own output thread in a live loop.
    """

    def __init__(self, *, width: int, height: int, fps: float, backend: str = "auto",
                 device: str | None = None, pace: bool = True):
        super().__init__()
        self.width, self.height, self.fps = int(width), int(height), float(fps)
        self.backend = backend
        self.device_requested = device
        self.pace = pace
        self.device: str | None = None
        self.backend_used: str | None = None
        self._camera = None

    @classmethod
    def from_config(cls, vcam) -> "VirtualCamSink":
        return cls(width=vcam.width, height=vcam.height, fps=vcam.fps, backend=vcam.backend,
                   device=vcam.device, pace=vcam.pace)

    def _open(self) -> None:
        import pyvirtualcam
        from pyvirtualcam.camera import BACKENDS

        backend = None if self.backend in (None, "", "auto") else self.backend
        if backend is not None and backend not in BACKENDS:
            if backend not in EVERY_OS_BACKENDS:  # a typo, not a missing driver: no setup steps fix it
                raise ConfigError(f"vcam.backend {backend!r} is unknown; valid: auto, "
                                  f"{', '.join(sorted(set(EVERY_OS_BACKENDS) | set(BACKENDS)))}")
            known = ", ".join(sorted(BACKENDS)) or "none on this OS"
            raise VirtualCameraSetupNeeded(f"virtual camera backend {backend!r} is not available here (available: "
                                           f"{known}); drop --vcam-backend {backend} to use this OS's")
        try:
            self._camera = pyvirtualcam.Camera(self.width, self.height, self.fps,
                                               fmt=pyvirtualcam.PixelFormat.RGB,
                                               backend=backend, device=self.device_requested)
        except RuntimeError as exc:
            reasons = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            raise VirtualCameraSetupNeeded(
                f"no virtual camera could be opened ({reasons or 'no backend for this OS'})") from exc
        self.device = self._camera.device
        self.backend_used = getattr(self._camera, "backend", backend)
        log.info("virtual camera %s (%s) %dx%d @ %.3g fps", self.device, self.backend_used,
                 self.width, self.height, self.fps)

    def write(self, image: np.ndarray) -> None:
        check_rgb_uint8(image, what="VirtualCamSink frame")
        # Any input size is fine here: frames are letterboxed to the camera size.
        self._size = None
        super().write(image)

    def _write(self, image: np.ndarray) -> None:
        self._camera.send(np.ascontiguousarray(letterbox(image, self.width, self.height)))
        if self.pace:
            self._camera.sleep_until_next_frame()

    def _finish(self) -> None:
        self._release()

    def _discard(self) -> None:
        self._release()

    def _release(self) -> None:
        if self._camera is not None:
            self._camera.close()
            self._camera = None
