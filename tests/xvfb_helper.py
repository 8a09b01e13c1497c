"""Start a private Xvfb display and take screenshots of it (tests and benchmarks/screenshot_preview.py).

Debian/Ubuntu: ``apt-get install -y xvfb`` (Pillow's ImageGrab reads the screen over XCB; no
other X tool is needed).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from typing import Iterator

import numpy as np


def xvfb_available() -> bool:
    return shutil.which("Xvfb") is not None


@contextmanager
def xvfb_display(width: int = 1280, height: int = 800) -> Iterator[str]:
    """A fresh Xvfb server on a free display number (Xvfb picks it: -displayfd); yields ':N'."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()  # written once the server accepts connections
        if not number:
            raise RuntimeError(f"Xvfb did not start (exit code {proc.poll()})")
        yield f":{number}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def stop_process(proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """Ctrl+C a program that is still running (it finalises its outputs), kill it if it hangs."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)
    try:
        proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()


def screenshot(display: str) -> np.ndarray:
    """The whole screen of ``display`` as RGB uint8."""
    from PIL import ImageGrab

    return np.asarray(ImageGrab.grab(xdisplay=display).convert("RGB")).copy()


def wait_for_window(display: str, *, min_width: int, min_height: int, timeout: float = 60.0,
                    alive=lambda: True) -> tuple[int, int, int, int]:
    """Poll until a non-black rectangle at least this big shows up; returns (x0, y0, x1, y1)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("the program showing the window exited")
        shot = screenshot(display)
        ys, xs = np.nonzero(shot.max(axis=2) > 0)
        if len(xs):
            box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
            if box[2] - box[0] >= min_width and box[3] - box[1] >= min_height:
                return box
        time.sleep(0.25)
    box_text = f"; the screen's non-black box was {box}" if len(xs) else "; the screen stayed black"
    raise TimeoutError(f"no window of at least {min_width}x{min_height} appeared on {display}{box_text}")
