"""The live preview window (OpenCV HighGUI): shows ``hud.compose_preview``'s picture and reads keys.

RGB becomes BGR only in ``PreviewWindow.show``: the OpenCV boundary.
"""
from __future__ import annotations

import cv2
import numpy as np

from ...errors import DisplayUnavailable
from ...frames import to_bgr
from .hud import TEXT, compose_preview, put_text


def check_display() -> None:
    """Fail with one line before Qt aborts the whole process for want of a display."""
    import os
    import sys

    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise DisplayUnavailable("no display for the preview window ($DISPLAY is not set); "
                                 "run with --no-window, or under a desktop session / Xvfb")


class PreviewWindow:
    """An OpenCV window showing composed frames; keys come back as full ``waitKeyEx`` codes."""

    def __init__(self, window_config, *, engine: str):
        check_display()
        self.title = window_config.title
        self.max_height = window_config.max_height
        self.engine = engine
        self._open = False

    def open(self, message: str = "starting...") -> None:
        """Show the window now, with ``message`` until the first frame arrives.

        Call this BEFORE anything opens a video with PyAV: PyAV's wheel bundles its own libxcb,
        and once that is loaded, Qt's X11 plugin (loaded at the first window) binds to it and
        hangs forever in xcb_wait_for_reply. Opening the window first makes Qt load its own.
        """
        self._ensure_open()
        canvas = np.zeros((120, 480, 3), np.uint8)
        put_text(canvas, message, 12, 64, TEXT)
        cv2.imshow(self.title, to_bgr(canvas))
        cv2.waitKey(1)

    def _ensure_open(self) -> None:
        if self._open:
            return
        try:
            # GUI_NORMAL: no Qt toolbar/status bar, the window is exactly the picture.
            cv2.namedWindow(self.title, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
        except cv2.error as exc:
            raise DisplayUnavailable(
                f"cannot open the preview window ({str(exc).strip().splitlines()[-1]}); "
                "run with --no-window on a machine without a display"
            ) from exc
        self._open = True

    def show(self, frame, stats: dict | None, controls, recording: bool) -> int:
        canvas = compose_preview(frame, stats, controls, engine=self.engine, recording=recording,
                                 max_height=self.max_height)
        self._ensure_open()
        cv2.imshow(self.title, to_bgr(canvas))
        return cv2.waitKeyEx(1)  # full codes: arrows must not alias letters (hotkeys.action_for_key)

    def poll(self) -> int:
        return cv2.waitKeyEx(1) if self._open else -1

    def closed_by_user(self) -> bool:
        """True once the user closed the window with its close button."""
        if not self._open:
            return False
        try:
            return cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1
        except cv2.error:
            return True

    def close(self) -> None:
        if self._open:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)  # let HighGUI process the destroy event
            self._open = False


def create_live(request) -> PreviewWindow | None:
    """The ``window`` live output kind (``livemorph run`` without ``--no-window``), shown at once."""
    if not request.window:
        return None
    window = PreviewWindow(request.config.window, engine=request.config.engine.name)
    window.open("livemorph: preparing the portrait...")  # first: see PreviewWindow.open
    return window
