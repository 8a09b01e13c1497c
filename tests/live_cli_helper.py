"""Run `livemorph` in a subprocess with test doubles registered first.

    python tests/live_cli_helper.py run --target ... --vcam --vcam-backend lm-test ...

Environment:
- LIVEMORPH_TEST_VCAM_LOG: JSON file the recording pyvirtualcam backend writes when closed
  (size, pixel format, fps asked, send times) plus ``<log>.last.npy`` (the last frame sent).
- LIVEMORPH_TEST_VCAM_DELAY: seconds each send takes (a slow virtual camera).
- LIVEMORPH_TEST_ENGINE: register tests/fake_engines.TintEngine under this name.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pyvirtualcam
from pyvirtualcam.util import decode_fourcc

VCAM_BACKEND = "lm-test"
HELPER = Path(__file__).resolve()


def engine_args() -> list[str]:
    """Global flags: the real warp engine when present; else the tint engine the helper registers."""
    import importlib.util

    if importlib.util.find_spec("livemorph.engines.warp") is not None:
        return ["--set", "engine.name=warp"]
    return ["--set", "engine.name=test-tint"]


class RecordingVcamBackend:
    """A pyvirtualcam backend that keeps what it is sent (see pyvirtualcam.camera.Backend)."""

    def __init__(self, *, width: int, height: int, fps: float, fourcc: int, device, **kw):
        self.width, self.height, self.fps = width, height, fps
        self.fourcc = decode_fourcc(fourcc)
        self._device = device or "lm-test-cam"
        self.delay = float(os.environ.get("LIVEMORPH_TEST_VCAM_DELAY", "0") or 0)
        self.times: list[float] = []
        self.sizes: set[int] = set()
        self.dtypes: set[str] = set()
        self.last: np.ndarray | None = None

    def send(self, frame: np.ndarray) -> None:
        self.times.append(time.monotonic())
        self.sizes.add(int(frame.size))
        self.dtypes.add(str(frame.dtype))
        self.last = frame.copy()
        if self.delay:
            time.sleep(self.delay)

    def close(self) -> None:
        log_path = os.environ.get("LIVEMORPH_TEST_VCAM_LOG")
        if not log_path:
            return
        if self.last is not None:
            np.save(log_path + ".last.npy", self.last.reshape(self.height, self.width, -1))
        data = {"width": self.width, "height": self.height, "fps": self.fps, "fourcc": self.fourcc,
                "times": self.times, "sizes": sorted(self.sizes), "dtypes": sorted(self.dtypes)}
        tmp = Path(log_path + ".partial")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, log_path)

    def device(self) -> str:
        return self._device

    def native_fourcc(self):
        return None


def main(argv: list[str]) -> int:
    pyvirtualcam.register_backend(VCAM_BACKEND, RecordingVcamBackend)
    engine = os.environ.get("LIVEMORPH_TEST_ENGINE")
    if engine:
        sys.path.insert(0, str(Path(__file__).parent))
        from fake_engines import register

        register(engine)
    from livemorph.cli.app import main as livemorph_main

    return livemorph_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
