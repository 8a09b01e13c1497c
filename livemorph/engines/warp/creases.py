"""Synthesized smile folds for the warp engine: the nasolabial fold deepens as a smile grows.

A warp moves the portrait's skin but cannot darken a fold it never had; in a real smile the
cheek bunches against the fold from the nose wing to beside the mouth corner and its shadow
deepens. We darken a soft band along that line (on the displaced mesh, so it follows the
smile), up to ``FOLD_DEPTH`` of the pixel's brightness at full strength. Forehead wrinkles
and driver-transferred ratio images are not drawn (see docs/warp.md, "Creases").
"""
from __future__ import annotations

import cv2
import numpy as np

# MediaPipe points along each nasolabial fold, nose wing to beside the mouth corner.
FOLDS = ((203, 206, 186, 57), (423, 426, 410, 287))
FOLD_DEPTH = 0.22  # darkening at the fold's centre line at full strength
FOLD_WIDTH = 0.035  # band width, fraction of the face width


def deepen_smile_folds(frame: np.ndarray, moved_xy: np.ndarray, strength: float, face_width: float) -> None:
    """In place: darken the nasolabial folds by ``strength`` (0..1) of the full depth."""
    if strength <= 0.0:
        return
    width = max(FOLD_WIDTH * face_width, 1.5)
    h, w = frame.shape[:2]
    for fold in FOLDS:
        line = np.asarray(moved_xy, np.float64)[list(fold), :2]
        # The fold as a polyline through its points, blurred into a soft band.
        pad = int(np.ceil(3 * width))
        x0 = max(int(np.floor(line[:, 0].min())) - pad, 0)
        y0 = max(int(np.floor(line[:, 1].min())) - pad, 0)
        x1 = min(int(np.ceil(line[:, 0].max())) + pad, w)
        y1 = min(int(np.ceil(line[:, 1].max())) + pad, h)
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        mask = np.zeros((y1 - y0, x1 - x0), np.float32)
        pts = np.round((line - (x0, y0)) * 16).astype(np.int32)
        cv2.polylines(mask, [pts], False, 1.0, thickness=max(1, int(round(0.5 * width))),
                      lineType=cv2.LINE_AA, shift=4)
        mask = cv2.GaussianBlur(mask, (0, 0), 0.5 * width)
        # Fade in from the nose wing and out toward the mouth corner's end, so the fold has no
        # hard ends.
        ys = np.arange(y0, y1, dtype=np.float32)[:, None]
        top, bottom = float(line[0, 1]), float(line[-1, 1])
        span = max(bottom - top, 1.0)
        t = np.clip((ys - top) / span, 0.0, 1.0)
        mask *= np.sin(np.pi * np.clip(0.1 + 0.85 * t, 0.0, 1.0))
        peak = float(mask.max())
        if peak <= 0.0:
            continue
        shade = 1.0 - FOLD_DEPTH * float(strength) * (mask / peak)
        patch = frame[y0:y1, x0:x1].astype(np.float32) * shade[..., None]
        frame[y0:y1, x0:x1] = np.clip(patch + 0.5, 0, 255).astype(np.uint8)
