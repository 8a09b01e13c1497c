"""A shut eye keeps the light of the place it is in (``engines/warp/lid_tone.py``, ``lids.py``).

A reviewer saw lisa3's closed lid (a dim phone photo, deep eye sockets) as "a large, smooth
grey-mauve bulging oval that looks bruised or swollen": lighter than the shadowed socket skin
it replaced. Judged on the rendered portrait against the source: the mean luminance of the
closed lid (from 0.2 eye widths above the open eye's upper lid margin down to halfway to its
lower lid, where the shut lid lies) against the median luminance of the source's socket skin
around the open eye (0.06-0.2 eye widths above its upper and below its lower lid margin, past
the lashes). Regions come from the portrait's MediaPipe landmarks, not from the lid painter.

Before the lid took the portrait's light at its place, the closed lids were 8.5 and 6.5 grey
levels above that skin on lisa3 and 7.9 and 10.4 on london_042 (the warp pulls the lit
brow-bone skin down into the socket, and the lid took its tone from it); now 0.7 and 0.9, -0.1
and 0.3.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_change, shared_face

# MediaPipe eye contours, outer -> inner corner (upper lid, lower lid), and corners, per eye.
EYES = (((246, 161, 160, 159, 158, 157, 173), (7, 163, 144, 145, 153, 154, 155), (33, 133)),
        ((466, 388, 387, 386, 385, 384, 398), (249, 390, 373, 374, 380, 381, 382), (263, 362)))
FEW_GREY_LEVELS = 4.0


def _polygon(shape, points) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(np.asarray(points) * 16).astype(np.int32)], 1, cv2.LINE_8, 4)
    return mask > 0


def _lid_above_socket(source: np.ndarray, shut: np.ndarray, landmarks) -> list[float]:
    """Per eye: the shut lid's mean luminance minus the source's socket skin's median."""
    before = cv2.cvtColor(source, cv2.COLOR_RGB2GRAY).astype(np.float32)
    after = cv2.cvtColor(shut, cv2.COLOR_RGB2GRAY).astype(np.float32)
    lm = np.asarray(landmarks, np.float64)[:, :2]
    excess = []
    for upper, lower, (outer, inner) in EYES:
        up, low = lm[list(upper)], lm[list(lower)]
        width = float(np.linalg.norm(lm[outer] - lm[inner]))
        axis = (lm[inner] - lm[outer]) / width
        down = np.array([-axis[1], axis[0]])
        if float((low - up).mean(axis=0) @ down) < 0:
            down = -down
        lid = _polygon(before.shape, np.vstack([up - 0.2 * width * down, (0.5 * (up + low))[::-1]]))
        socket = (_polygon(before.shape, np.vstack([up - 0.06 * width * down, (up - 0.2 * width * down)[::-1]]))
                  | _polygon(before.shape, np.vstack([low + 0.06 * width * down, (low + 0.2 * width * down)[::-1]])))
        excess.append(float(after[lid].mean() - np.median(before[socket])))
    return excess


@pytest.mark.parametrize("name", ["lisa3_head_turned.jpg", "london_042_grayscale.png"])
def test_a_shut_lid_is_no_lighter_than_the_socket_it_lies_in(name, config, engine, image_tracker):
    portrait = shared_face(name, config, image_tracker)
    shut = render_change(engine, portrait, AU45=3.0)
    for excess in _lid_above_socket(portrait.image, shut, portrait.track.landmarks):
        assert excess <= FEW_GREY_LEVELS, f"the shut lid is {excess:.1f} grey levels lighter than its socket's skin"
