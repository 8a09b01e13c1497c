"""Lips that part a little show a gap between them (default config).

A closed-lip portrait whose lips part by a few pixels (AU25 alone, as talking parts them) shows a
dark slit between the lips, darker than the seam of its closed lips: not the seam stretched into a
pale band, nor the opening's paint faded in over it (a ghosted, "melted" lip line).

Judged on the rendered pixels where MediaPipe, run afresh on the output, finds the mouth: the
lightness (L*) of each row across the middle of the mouth, from the upper lip's top to the lower
lip's bottom; the darkest row against the median row (the lips).
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_change, shared_face

CLOSED_LIPS = ["london_092_beard.jpg", "mona_lisa.jpg", "grace_hopper_glasses.jpg"]


def _seam_darkness(image: np.ndarray, tracker) -> float:
    """The darkest row's L* over the median row's, across the middle 40 % of the mouth's width."""
    faces = tracker.detect_all(image)
    assert faces, "the tracker lost the face"
    xy = faces[0].landmarks[:, :2]
    left, right = xy[61, 0], xy[291, 0]
    x0, x1 = int(left + 0.3 * (right - left)), int(np.ceil(left + 0.7 * (right - left)))
    y0, y1 = int(xy[0, 1]), int(np.ceil(xy[17, 1]))
    lightness = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)[y0:y1, x0:x1, 0].astype(np.float32)
    rows = lightness.mean(axis=1)
    return float(rows.min() / np.median(rows))


@pytest.mark.parametrize("name", CLOSED_LIPS)
def test_lips_parting_a_little_show_a_dark_slit(name, config, engine, image_tracker):
    portrait = shared_face(name, config, image_tracker)
    closed = _seam_darkness(portrait.image, image_tracker)
    parted = _seam_darkness(render_change(engine, portrait, AU25=0.5), image_tracker)
    assert parted < closed - 0.05, f"darkest row {closed:.2f} of the lips' lightness closed, {parted:.2f} parted"
