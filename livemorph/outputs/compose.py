"""Frame layout helpers shared by recorders, the virtual camera and the preview.

All functions take and return RGB uint8 HxWx3 arrays and never modify their input.
"""
from __future__ import annotations

import cv2
import numpy as np

from ..frames import check_rgb_uint8


def resize_to_height(image: np.ndarray, height: int) -> np.ndarray:
    """Scale ``image`` to ``height`` keeping its aspect ratio (width rounded, at least 1)."""
    h, w = image.shape[:2]
    if h == height:
        return image
    width = max(1, round(w * height / h))
    interpolation = cv2.INTER_AREA if height < h else cv2.INTER_LINEAR
    return cv2.resize(image, (width, height), interpolation=interpolation)


def side_by_side(driver: np.ndarray, output: np.ndarray) -> np.ndarray:
    """The driver frame scaled to the output's height, on the left; the output untouched on the right."""
    check_rgb_uint8(driver, what="driver frame")
    check_rgb_uint8(output, what="output frame")
    left = resize_to_height(driver, output.shape[0])
    return np.concatenate([left, output], axis=1)


def resize_to_width(image: np.ndarray, width: int) -> np.ndarray:
    """Scale ``image`` to ``width`` keeping its aspect ratio (height rounded, at least 1)."""
    h, w = image.shape[:2]
    if w == width:
        return image
    height = max(1, round(h * width / w))
    interpolation = cv2.INTER_AREA if width < w else cv2.INTER_LINEAR
    return cv2.resize(image, (width, height), interpolation=interpolation)


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
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(image, (new_w, new_h), interpolation=interpolation)
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
