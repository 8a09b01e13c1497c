"""The live preview window (OpenCV HighGUI) and its HUD.

``compose_preview`` builds the picture (layout, mirror, HUD, help) as an RGB array and has
no window side effects, so it is usable in tests and screenshots; ``PreviewWindow`` shows it
and reads keys. RGB becomes BGR only in ``PreviewWindow.show``: the OpenCV boundary.
"""
from __future__ import annotations

import logging
import time

import cv2
import numpy as np

from ...aus import AU_MAX, AU_NAMES
from ...errors import DisplayUnavailable
from ...frames import to_bgr
from ..compose import resize_to_height, side_by_side

log = logging.getLogger(__name__)

FONT = cv2.FONT_HERSHEY_SIMPLEX
FONT_SCALE = 0.45
LINE_H = 18  # px per HUD text line
AU_ROW_H = 13  # px per AU bar
AU_BAR_W = 110
TEXT = (255, 255, 255)
DIM = (170, 170, 170)
WARN = (255, 200, 60)
BAR = (80, 200, 255)  # RGB: light blue AU bars
BAR_BG = (60, 60, 60)
REC = (230, 30, 30)
PANEL_ALPHA = 0.55  # HUD panels darken what is behind them to this fraction


def compose_preview(frame, stats: dict | None, controls, *, engine: str, recording: bool,
                    max_height: int) -> np.ndarray:
    """The picture the window shows for one ``LiveFrame`` (RGB uint8)."""
    portrait = frame.portrait
    if controls.side_by_side:
        user = frame.user[:, ::-1] if controls.mirror else frame.user
        canvas = side_by_side(np.ascontiguousarray(user), portrait)
    else:
        canvas = portrait
    if canvas.shape[0] > max_height:
        canvas = resize_to_height(canvas, max_height)
    canvas = np.ascontiguousarray(canvas).copy()  # never draw on the engine's frame
    if controls.hud:
        draw_hud(canvas, frame, stats or {}, controls, engine=engine, recording=recording)
    elif recording:
        draw_recording_dot(canvas)
    if controls.help:
        draw_help(canvas)
    return canvas


def _fmt_ms(summary: dict | None) -> str:
    if not summary or summary.get("median") is None:
        return "-"
    return f"{summary['median']:.0f}"


def hud_lines(frame, stats: dict, controls, *, engine: str) -> list[tuple[str, tuple[int, int, int]]]:
    """The HUD's text lines with their colours (top-left panel)."""
    reading = frame.reading
    fps = stats.get("fps")
    latency = stats.get("latency_ms") or {}
    stages = stats.get("stages_ms") or {}
    lines = [(f"{engine} | {frame.target} | strength {controls.strength:.1f}", TEXT)]
    lat = (f"latency {latency['median']:.0f}/{latency['p95']:.0f} ms (med/p95)"
           if latency.get("median") is not None else "latency -")
    lines.append((f"{fps:.1f} fps | {lat}" if fps else f"- fps | {lat}", TEXT))
    stage_text = "  ".join(f"{name.removeprefix('out:')} {_fmt_ms(s)}" for name, s in stages.items())
    lines.append((f"ms: {stage_text}", DIM))
    lines.append((f"dropped {stats.get('dropped_total', 0)}", DIM))
    state = getattr(reading, "state", "?")
    neutral = getattr(reading, "neutral_state", "") or "-"
    face_colour = TEXT if state == "tracking" else WARN
    lines.append((f"face: {state} | neutral: {neutral}", face_colour))
    if controls.paused:
        lines.append(("PAUSED (space)", WARN))
    if controls.message and time.monotonic() < controls.message_until:
        lines.append((controls.message, WARN))
    lines.append(("h: help", DIM))
    return lines


def _panel(canvas: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> None:
    h, w = canvas.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 > x0 and y1 > y0:
        region = canvas[y0:y1, x0:x1]
        region[:] = (region.astype(np.float32) * PANEL_ALPHA).astype(np.uint8)


def _text(canvas, text, x, y, colour) -> None:
    cv2.putText(canvas, text, (x, y), FONT, FONT_SCALE, colour, 1, cv2.LINE_AA)


def draw_hud(canvas: np.ndarray, frame, stats: dict, controls, *, engine: str, recording: bool) -> None:
    """Draw the HUD in place: text panel top-left, AU bars bottom-left, REC dot top-right."""
    lines = hud_lines(frame, stats, controls, engine=engine)
    width = max(cv2.getTextSize(t, FONT, FONT_SCALE, 1)[0][0] for t, _ in lines) + 12
    _panel(canvas, 0, 0, width, LINE_H * len(lines) + 8)
    for i, (text, colour) in enumerate(lines):
        _text(canvas, text, 6, LINE_H * (i + 1), colour)
    draw_au_bars(canvas, getattr(frame.reading, "aus", None))
    if recording:
        draw_recording_dot(canvas)


def au_bar_area(canvas_shape) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the AU bar panel (bottom-left)."""
    h = canvas_shape[0]
    height = AU_ROW_H * len(AU_NAMES) + 8
    return 0, max(0, h - height), 44 + AU_BAR_W + 8, h


def draw_au_bars(canvas: np.ndarray, aus) -> None:
    """17 bars, one per AU on the 0-5 scale, labelled with their names."""
    x0, y0, x1, y1 = au_bar_area(canvas.shape)
    _panel(canvas, x0, y0, x1, y1)
    values = np.zeros(len(AU_NAMES)) if aus is None else np.clip(np.asarray(aus, np.float32), 0, AU_MAX)
    for i, (name, value) in enumerate(zip(AU_NAMES, values)):
        top = y0 + 4 + i * AU_ROW_H
        cv2.putText(canvas, name, (4, top + AU_ROW_H - 3), FONT, 0.35, TEXT, 1, cv2.LINE_AA)
        bx = 44
        cv2.rectangle(canvas, (bx, top + 2), (bx + AU_BAR_W, top + AU_ROW_H - 3), BAR_BG, -1)
        filled = int(round(AU_BAR_W * float(value) / AU_MAX))
        if filled > 0:
            cv2.rectangle(canvas, (bx, top + 2), (bx + filled, top + AU_ROW_H - 3), BAR, -1)


def draw_recording_dot(canvas: np.ndarray) -> None:
    w = canvas.shape[1]
    cv2.circle(canvas, (w - 52, 16), 7, REC, -1, cv2.LINE_AA)
    _text(canvas, "REC", w - 40, 21, REC)


def draw_help(canvas: np.ndarray) -> None:
    """The hotkey table (``livemorph.outputs.preview.hotkeys.HOTKEYS``) in two aligned columns, centred."""
    from .hotkeys import HOTKEYS

    rows = [(" / ".join(h.keys), h.description) for h in HOTKEYS]
    key_w = max(cv2.getTextSize(k, FONT, FONT_SCALE, 1)[0][0] for k, _ in rows) + 12
    desc_w = max(cv2.getTextSize(d, FONT, FONT_SCALE, 1)[0][0] for _, d in rows)
    h, w = canvas.shape[:2]
    text_w, text_h = key_w + desc_w + 20, LINE_H * (len(rows) + 1) + 12
    x0, y0 = max(0, (w - text_w) // 2), max(0, (h - text_h) // 2)
    _panel(canvas, x0, y0, x0 + text_w, y0 + text_h)
    _panel(canvas, x0, y0, x0 + text_w, y0 + text_h)  # twice: help must be readable over any face
    _text(canvas, "hotkeys", x0 + 10, y0 + LINE_H, WARN)
    for i, (keys, description) in enumerate(rows, start=2):
        _text(canvas, keys, x0 + 10, y0 + LINE_H * i, WARN)
        _text(canvas, description, x0 + 10 + key_w, y0 + LINE_H * i, TEXT)


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
        _text(canvas, message, 12, 64, TEXT)
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
