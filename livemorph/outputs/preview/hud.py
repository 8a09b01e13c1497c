"""The preview's picture: layout, mirror, HUD text, AU bars, REC dot and help, as an RGB array.

``compose_preview`` has no window side effects, so tests and screenshots use it directly.
"""
from __future__ import annotations

import time

import cv2
import numpy as np

from ..compose import darken, draw_au_bars, resize_to_height, side_by_side

FONT = cv2.FONT_HERSHEY_SIMPLEX
FONT_SCALE = 0.45
LINE_H = 18  # px per HUD text line
TEXT = (255, 255, 255)
DIM = (170, 170, 170)
WARN = (255, 200, 60)
REC = (230, 30, 30)


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


def put_text(canvas, line, x, y, colour) -> None:
    cv2.putText(canvas, line, (x, y), FONT, FONT_SCALE, colour, 1, cv2.LINE_AA)


def draw_hud(canvas: np.ndarray, frame, stats: dict, controls, *, engine: str, recording: bool) -> None:
    """Draw the HUD in place: text panel top-left, AU bars bottom-left, REC dot top-right."""
    lines = hud_lines(frame, stats, controls, engine=engine)
    width = max(cv2.getTextSize(t, FONT, FONT_SCALE, 1)[0][0] for t, _ in lines) + 12
    darken(canvas, 0, 0, width, LINE_H * len(lines) + 8)
    for i, (text, colour) in enumerate(lines):
        put_text(canvas, text, 6, LINE_H * (i + 1), colour)
    draw_au_bars(canvas, getattr(frame.reading, "aus", None))
    if recording:
        draw_recording_dot(canvas)


def draw_recording_dot(canvas: np.ndarray) -> None:
    w = canvas.shape[1]
    cv2.circle(canvas, (w - 52, 16), 7, REC, -1, cv2.LINE_AA)
    put_text(canvas, "REC", w - 40, 21, REC)


def draw_help(canvas: np.ndarray) -> None:
    """The hotkey table (``livemorph.outputs.preview.hotkeys.HOTKEYS``) in two aligned columns, centred."""
    from .hotkeys import HOTKEYS

    rows = [(" / ".join(h.keys), h.description) for h in HOTKEYS]
    key_w = max(cv2.getTextSize(k, FONT, FONT_SCALE, 1)[0][0] for k, _ in rows) + 12
    desc_w = max(cv2.getTextSize(d, FONT, FONT_SCALE, 1)[0][0] for _, d in rows)
    h, w = canvas.shape[:2]
    text_w, text_h = key_w + desc_w + 20, LINE_H * (len(rows) + 1) + 12
    x0, y0 = max(0, (w - text_w) // 2), max(0, (h - text_h) // 2)
    darken(canvas, x0, y0, x0 + text_w, y0 + text_h)
    darken(canvas, x0, y0, x0 + text_w, y0 + text_h)  # twice: help must be readable over any face
    put_text(canvas, "hotkeys", x0 + 10, y0 + LINE_H, WARN)
    for i, (keys, description) in enumerate(rows, start=2):
        put_text(canvas, keys, x0 + 10, y0 + LINE_H * i, WARN)
        put_text(canvas, description, x0 + 10 + key_w, y0 + LINE_H * i, TEXT)
