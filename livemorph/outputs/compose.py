"""Composition: the one place that lays frames out and draws the AU panel.

Used by the offline render, the live recorders, the virtual camera and the preview: side by side
and row/column pairs, letterbox, even-size padding, and the 17 AU bars (the preview's HUD and the
"driver" of an AU-track render). Layout functions take and return RGB uint8 HxWx3 arrays and never
modify their input; ``draw_*`` functions draw in place on a canvas the caller owns.
"""
from __future__ import annotations

import cv2
import numpy as np

from ..aus import AU_MAX, AU_NAMES
from ..frames import check_rgb_uint8


def _resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Area averaging when shrinking, bilinear when enlarging; the image itself when the size is unchanged."""
    h, w = image.shape[:2]
    if (w, h) == (width, height):
        return image
    interpolation = cv2.INTER_AREA if width * height < w * h else cv2.INTER_LINEAR
    return cv2.resize(image, (width, height), interpolation=interpolation)


def resize_to_height(image: np.ndarray, height: int) -> np.ndarray:
    """Scale ``image`` to ``height`` keeping its aspect ratio (width rounded, at least 1)."""
    h, w = image.shape[:2]
    return _resize(image, w if h == height else max(1, round(w * height / h)), height)


def side_by_side(driver: np.ndarray, output: np.ndarray) -> np.ndarray:
    """The driver frame scaled to the output's height, on the left; the output untouched on the right."""
    check_rgb_uint8(driver, what="driver frame")
    check_rgb_uint8(output, what="output frame")
    left = resize_to_height(driver, output.shape[0])
    return np.concatenate([left, output], axis=1)


def resize_to_width(image: np.ndarray, width: int) -> np.ndarray:
    """Scale ``image`` to ``width`` keeping its aspect ratio (height rounded, at least 1)."""
    h, w = image.shape[:2]
    return _resize(image, width, h if w == width else max(1, round(h * width / w)))


PAIR_LAYOUTS = ("auto", "row", "column")
MESSENGER_BOX = (3, 4)  # width:height of the box a phone's chat shows a clip in (portrait-shaped)


def pair_arrangement(driver_shape: tuple[int, ...], output_shape: tuple[int, ...], layout: str = "auto") -> str:
    """'row' (driver left, same height) or 'column' (driver on top, same width).

    ``auto`` picks the arrangement that shows the portrait larger once the pair is shrunk to
    fit a 3:4 messenger box (``MESSENGER_BOX``): a 4:3 webcam beside the Mona Lisa makes a
    2427x1280 strip whose face is ~25 px at GIF width, so it becomes a column; a tall phone
    video beside a tall portrait stays a row.
    """
    if layout not in PAIR_LAYOUTS:
        raise ValueError(f"pair layout must be one of {', '.join(PAIR_LAYOUTS)}, got {layout!r}")
    if layout != "auto":
        return layout
    dh, dw = driver_shape[:2]
    oh, ow = output_shape[:2]
    box_w, box_h = MESSENGER_BOX
    # the portrait keeps its own pixels in both, so the larger fit scale shows it larger
    row_scale = min(box_w / (ow + dw * oh / dh), box_h / oh)
    column_scale = min(box_w / ow, box_h / (oh + dh * ow / dw))
    return "row" if row_scale > column_scale else "column"


def pair(driver: np.ndarray, output: np.ndarray, layout: str = "auto") -> np.ndarray:
    """The driver and the output together; the output is never scaled (see ``pair_arrangement``)."""
    if pair_arrangement(driver.shape, output.shape, layout) == "row":
        return side_by_side(driver, output)
    check_rgb_uint8(driver, what="driver frame")
    check_rgb_uint8(output, what="output frame")
    return np.concatenate([resize_to_width(driver, output.shape[1]), output], axis=0)


def letterbox(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Fit ``image`` inside width x height keeping its aspect ratio; black bars fill the rest."""
    check_rgb_uint8(image, what="frame")
    h, w = image.shape[:2]
    if (w, h) == (width, height):
        return image
    scale = min(width / w, height / h)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    resized = _resize(image, new_w, new_h)
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    top, left = (height - new_h) // 2, (width - new_w) // 2
    canvas[top:top + new_h, left:left + new_w] = resized
    return canvas


def pad_to_even(image: np.ndarray) -> np.ndarray:
    """Repeat the last row/column where a side is odd (yuv420p needs even sizes); no pixel is lost."""
    h, w = image.shape[:2]
    pad_h, pad_w = h % 2, w % 2
    if not (pad_h or pad_w):
        return image
    return np.pad(image, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")


# ---- the AU panel ------------------------------------------------------------------------
AU_ROW_H = 13  # px per AU bar
AU_BAR_W = 110
BAR = (80, 200, 255)  # RGB: light blue AU bars
BAR_BG = (60, 60, 60)
PANEL_ALPHA = 0.55  # panels darken what is behind them to this fraction


def darken(canvas: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> None:
    """Darken a rectangle of ``canvas`` in place (clipped to it), so text over a face stays readable."""
    h, w = canvas.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 > x0 and y1 > y0:
        region = canvas[y0:y1, x0:x1]
        region[:] = (region.astype(np.float32) * PANEL_ALPHA).astype(np.uint8)


def au_bar_area(canvas_shape) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the AU bar panel (bottom-left)."""
    h = canvas_shape[0]
    height = AU_ROW_H * len(AU_NAMES) + 8
    return 0, max(0, h - height), 44 + AU_BAR_W + 8, h


def draw_au_bars(canvas: np.ndarray, aus) -> None:
    """17 bars, one per AU on the 0-5 scale, labelled with their names."""
    x0, y0, x1, y1 = au_bar_area(canvas.shape)
    darken(canvas, x0, y0, x1, y1)
    values = np.zeros(len(AU_NAMES)) if aus is None else np.clip(np.asarray(aus, np.float32), 0, AU_MAX)
    for i, (name, value) in enumerate(zip(AU_NAMES, values)):
        top = y0 + 4 + i * AU_ROW_H
        cv2.putText(canvas, name, (4, top + AU_ROW_H - 3), cv2.FONT_HERSHEY_SIMPLEX, 0.35, (255, 255, 255), 1, cv2.LINE_AA)
        bx = 44
        cv2.rectangle(canvas, (bx, top + 2), (bx + AU_BAR_W, top + AU_ROW_H - 3), BAR_BG, -1)
        filled = int(round(AU_BAR_W * float(value) / AU_MAX))
        if filled > 0:
            cv2.rectangle(canvas, (bx, top + 2), (bx + filled, top + AU_ROW_H - 3), BAR, -1)


def au_panel(aus: np.ndarray, height: int) -> np.ndarray:
    """The AUs as 17 labelled bars on black, scaled to ``height``: the "driver" of an AU track render."""
    panel_h = AU_ROW_H * len(AU_NAMES) + 8
    panel_w = au_bar_area((panel_h, 0))[2]
    canvas = np.zeros((panel_h, panel_w, 3), np.uint8)
    draw_au_bars(canvas, aus)
    return resize_to_height(canvas, height)
