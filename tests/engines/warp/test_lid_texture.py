"""A shut lid has the skin's texture, not a pad's (``engines/warp/lids.py``, ``lid_grain.py``).

A reviewer saw lisa3's closed lids (a dim, grainy phone photo) as "flat, lighter, grain-free
oval pads: stickers". Judged on the rendered portrait against the source: the fine detail
(luminance minus its Gaussian blur, sigma 1.5 px; robust spread) of the shut lid (from 0.2 eye
widths above the open eye's upper lid margin down to halfway to its lower lid, where the shut
lid lies) against that of the source's skin around the open eye (0.06-0.3 eye widths above its
upper and below its lower lid margin, past the lashes). Regions come from the portrait's
MediaPipe landmarks, not from the lid painter.

Before the grain covered all the painted lid (it faded out toward the paint's edges faster
than the paint did), the shut lids had 0.67 and 0.65 of the source skin's fine detail; now
0.89 and 0.90.
"""
from __future__ import annotations

import cv2
import numpy as np

from conftest import render_change, shared_face

# MediaPipe eye contours, outer -> inner corner (upper lid, lower lid), and corners, per eye.
EYES = (((246, 161, 160, 159, 158, 157, 173), (7, 163, 144, 145, 153, 154, 155), (33, 133)),
        ((466, 388, 387, 386, 385, 384, 398), (249, 390, 373, 374, 380, 381, 382), (263, 362)))
# Grainy skin around the eye, painted a pad: at most this share of its fine detail is a pad.
SKIN_LIKE = 0.8


def _polygon(shape, points) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(np.asarray(points) * 16).astype(np.int32)], 1, cv2.LINE_8, 4)
    return mask > 0


def _fine_detail(image: np.ndarray) -> np.ndarray:
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return gray - cv2.GaussianBlur(gray, (0, 0), 1.5)


def _spread(values: np.ndarray) -> float:
    return float(1.4826 * np.median(np.abs(values - np.median(values))))


def _lid_detail_share(source: np.ndarray, shut: np.ndarray, landmarks) -> list[float]:
    """Per eye: the shut lid's fine detail as a share of the source's skin around the open eye."""
    before, after = _fine_detail(source), _fine_detail(shut)
    lm = np.asarray(landmarks, np.float64)[:, :2]
    shares = []
    for upper, lower, (outer, inner) in EYES:
        up, low = lm[list(upper)], lm[list(lower)]
        width = float(np.linalg.norm(lm[outer] - lm[inner]))
        axis = (lm[inner] - lm[outer]) / width
        down = np.array([-axis[1], axis[0]])
        if float((low - up).mean(axis=0) @ down) < 0:
            down = -down
        lid = _polygon(before.shape, np.vstack([up - 0.2 * width * down, (0.5 * (up + low))[::-1]]))
        skin = (_polygon(before.shape, np.vstack([up - 0.06 * width * down, (up - 0.3 * width * down)[::-1]]))
                | _polygon(before.shape, np.vstack([low + 0.06 * width * down, (low + 0.3 * width * down)[::-1]])))
        shares.append(_spread(after[lid]) / _spread(before[skin]))
    return shares


def test_a_shut_lid_on_grainy_skin_is_as_grainy_as_the_skin(config, engine, image_tracker):
    portrait = shared_face("lisa3_head_turned.jpg", config, image_tracker)
    shut = render_change(engine, portrait, AU45=3.0)
    for share in _lid_detail_share(portrait.image, shut, portrait.track.landmarks):
        assert share >= SKIN_LIKE, f"the shut lid has {share:.2f} of the skin's fine detail: a smooth pad"
