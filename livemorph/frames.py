"""Frames and still images.

Inside the package every image is RGB uint8 HxWx3. Convert to BGR only at an OpenCV
boundary (``to_bgr`` / ``from_bgr``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import InputNotFound, InputUnreadable

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".gif")


@dataclass(frozen=True)
class Frame:
    """One RGB uint8 frame with its position in the stream."""

    image: np.ndarray
    index: int
    timestamp_ms: float

    def __post_init__(self):
        check_rgb_uint8(self.image, what="Frame.image")


def check_rgb_uint8(image: np.ndarray, what: str = "image") -> None:
    """Raise ValueError unless ``image`` is an HxWx3 uint8 array."""
    if not isinstance(image, np.ndarray):
        raise ValueError(f"{what} must be a numpy array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise ValueError(f"{what} must be uint8, got {image.dtype}")
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"{what} must be HxWx3 RGB, got shape {image.shape}")


def to_bgr(rgb: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rgb[..., ::-1])


def from_bgr(bgr: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(bgr[..., ::-1])


def load_image(path: str | Path, *, max_side: int | None = None) -> np.ndarray:
    """Read a still image as RGB uint8, honouring EXIF orientation.

    Grayscale is expanded to three channels; an alpha channel is composited over white
    (a cut-out portrait then looks like a studio photo rather than a black void). With
    ``max_side`` a larger image is scaled down (aspect kept) so its long side is at most that;
    JPEGs are then decoded at reduced size, so memory stays bounded.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    if not path.exists():
        raise InputNotFound(f"image not found: {path}")
    if path.is_file() and path.stat().st_size == 0:
        raise InputUnreadable(f"cannot read image {path}: the file is empty")
    try:
        with Image.open(path) as im:
            if max_side and max(im.size) > max_side:
                im.draft("RGB", (max_side, max_side))  # JPEG: decode at 1/2, 1/4 or 1/8 scale (no-op otherwise)
            im = ImageOps.exif_transpose(im)
            if max_side and max(im.size) > max_side:
                im = im.convert("RGBA" if "A" in im.getbands() or "transparency" in im.info else "RGB")
                im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
                im = im.convert("RGBA")
                background = Image.new("RGBA", im.size, (255, 255, 255, 255))
                im = Image.alpha_composite(background, im)
            return np.asarray(im.convert("RGB"), dtype=np.uint8).copy()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InputUnreadable(f"cannot read image {path}: {exc}") from exc


def is_image_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def is_video_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() in VIDEO_SUFFIXES
