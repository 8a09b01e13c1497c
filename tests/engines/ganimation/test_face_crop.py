"""The GANimation crop: framing like the published training crops, squareness, padding."""
from __future__ import annotations

import math
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from conftest import shared_path
from livemorph.engines.ganimation.face_crop import crop_box, extract_crop

SAMPLE_DIR = "assets/au_labels/ganimation_sample"


def _iou(a, b):
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    area = lambda r: (r[2] - r[0]) * (r[3] - r[1])  # noqa: E731
    return inter / (area(a) + area(b) - inter)


def test_box_on_a_ganimation_training_crop_recovers_that_crop(config):
    """Each sample IS a GANimation crop; padded with its edges, our box must land back on it."""
    from livemorph.frames import load_image
    from livemorph.face.tracking import FaceTracker

    folder = shared_path(SAMPLE_DIR)
    pad = 96
    ious = []
    with FaceTracker.from_config(config.tracking, mode="image", allow_download=False) as tracker:
        for path in sorted(folder.glob("*.jpg")):
            crop = load_image(path)
            assert crop.shape == (128, 128, 3)
            padded = cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
            faces = tracker.detect_all(padded)
            assert faces, f"no face found on {path.name}"
            x0, y0, x1, y1 = crop_box(faces[0], padded.shape)
            box = (x0 - pad, y0 - pad, x1 - pad, y1 - pad)
            assert x1 - x0 == y1 - y0
            assert 0.85 * 128 <= x1 - x0 <= 1.15 * 128, (path.name, box)
            ious.append(_iou(box, (0, 0, 128, 128)))
    assert len(ious) == 4
    assert min(ious) >= 0.75, ious
    assert np.mean(ious) >= 0.82, ious


def _synthetic_face(cx=300.0, cy=260.0, eye_gap=60.0, roll_deg=0.0):
    """Landmarks of a frontal face: only the points the crop reads are placed, the rest at the centre."""
    lm = np.zeros((478, 3), np.float32)
    lm[:, 0], lm[:, 1] = cx, cy
    pts = {
        33: (-eye_gap / 2 - 12, -40), 133: (-eye_gap / 2 + 12, -40),
        362: (eye_gap / 2 - 12, -40), 263: (eye_gap / 2 + 12, -40),
        61: (-25, 30), 291: (25, 30),
        152: (0, 80),
        234: (-75, -10), 454: (75, -10),
    }
    for i in (70, 63, 105, 66, 107, 336, 296, 334, 293, 300):
        pts[i] = ((-1 if i < 200 else 1) * 30, -60)
    a = math.radians(roll_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    for i, (dx, dy) in pts.items():
        lm[i, :2] = np.array([cx, cy]) + rot @ np.array([dx, dy])
    return SimpleNamespace(landmarks=lm)


def test_box_is_square_and_scale_grows_it_about_its_centre():
    face = _synthetic_face()
    x0, y0, x1, y1 = crop_box(face, (600, 600, 3))
    assert x1 - x0 == y1 - y0 > 100
    bx0, by0, bx1, by1 = crop_box(face, (600, 600, 3), scale=1.5)
    assert abs((bx1 - bx0) - 1.5 * (x1 - x0)) <= 1
    assert abs((bx0 + bx1) - (x0 + x1)) <= 2 and abs((by0 + by1) - (y0 + y1)) <= 2
    # brows in the top quarter, chin in the bottom tenth: the training framing
    brow_y, chin_y = 260 - 60, 260 + 80
    assert 0.0 < (brow_y - y0) / (y1 - y0) < 0.25
    assert 0.9 < (chin_y - y0) / (y1 - y0) < 1.08


def test_box_follows_translation_and_barely_changes_with_roll():
    base = crop_box(_synthetic_face(), (600, 600, 3))
    moved = crop_box(_synthetic_face(cx=330, cy=300), (600, 600, 3))
    assert np.allclose(np.subtract(moved, base), [30, 40, 30, 40], atol=1)
    rolled = crop_box(_synthetic_face(roll_deg=20), (600, 600, 3))
    assert abs((rolled[2] - rolled[0]) / (base[2] - base[0]) - 1) < 0.05


def test_extract_crop_inside_the_image_is_the_region():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (90, 120, 3), dtype=np.uint8)
    crop = extract_crop(image, (20, 10, 70, 60), 50)  # same size: no resampling
    assert np.array_equal(crop, image[10:60, 20:70])
    small = extract_crop(image, (20, 10, 70, 60), 25)
    assert small.shape == (25, 25, 3) and small.dtype == np.uint8
    # downscale by 2 with area averaging == mean of 2x2 blocks
    blocks = image[10:60, 20:70].astype(np.float64).reshape(25, 2, 25, 2, 3).mean(axis=(1, 3))
    assert np.abs(small.astype(np.float64) - blocks).max() <= 1.0


def test_extract_crop_pads_with_edge_pixels_where_the_box_leaves_the_image():
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    crop = extract_crop(image, (-10, -5, 30, 35), 40)
    assert crop.shape == (40, 40, 3)
    assert np.array_equal(crop[5:, 10:], image[0:35, 0:30])
    assert np.array_equal(crop[:5, 10:], np.broadcast_to(image[0:1, 0:30], (5, 30, 3)))
    assert np.array_equal(crop[5:, :10], np.broadcast_to(image[0:35, 0:1], (35, 10, 3)))
    assert np.all(crop[:5, :10] == image[0, 0])


def test_extract_crop_rejects_a_box_entirely_outside():
    with pytest.raises(ValueError):
        extract_crop(np.zeros((10, 10, 3), np.uint8), (20, 20, 30, 30), 8)
