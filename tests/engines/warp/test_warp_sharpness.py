"""A moving face keeps the portrait's fine texture (``engines/warp/raster.py``, ``SAMPLING``).

A reviewer saw the jaw drop's chin "melt": stubble, wrinkles and the Mona Lisa's craquelure
smoothed away. Most of it was the resampling, not the stretch: bilinear resampling averages
neighbouring pixels by the map's sub-pixel offset, so every pixel the warp moves by a fraction of
a pixel is blurred, even where the skin barely stretches.

Judged on the rendered portrait against the source: the robust spread of the fine detail
(luminance minus its Gaussian blur, sigma 1 px) on each cheek (MediaPipe's cheek contour, where
the rendered mesh put it) over the same on the source's cheek. A smile of AU12 +1.5 moves the cheeks
by a few pixels and stretches them little, so the skin's own texture is the reference.
Per cheek (right, left), bilinear: the Mona Lisa 0.71 / 0.67, Obama 0.67 / 0.69, Grace Hopper
0.81 / 0.82; bicubic: 0.90 / 0.88, 0.90 / 0.90, 0.98 / 1.00.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from livemorph.engines.warp import raster
from conftest import render_and_mesh, shared_face
from face_regions import fine_detail, polygon, robust_spread

DETAIL_SIGMA = 1.0
# MediaPipe's cheek contours, below the eye to beside the nose and mouth (right, left).
CHEEKS = ((116, 117, 118, 100, 126, 142, 203, 206, 216, 192, 213, 147, 123),
          (345, 346, 347, 329, 355, 371, 423, 426, 436, 416, 433, 376, 352))
# Below this share of the skin's fine texture, a moved cheek reads as smoothed.
KEEPS_ITS_TEXTURE = 0.85
PORTRAITS = ("mona_lisa.jpg", "obama_official_2012.jpg", "grace_hopper_glasses.jpg")


def _texture_kept(portrait, shown: np.ndarray, moved: np.ndarray) -> list[float]:
    before, after = fine_detail(portrait.image, DETAIL_SIGMA), fine_detail(shown, DETAIL_SIGMA)
    shape = portrait.image.shape[:2]
    return [robust_spread(after[polygon(shape, moved[list(cheek)])])
            / robust_spread(before[polygon(shape, portrait.track.landmarks[list(cheek), :2])])
            for cheek in CHEEKS]


@pytest.mark.parametrize("name", PORTRAITS)
def test_a_smiling_cheek_keeps_the_portraits_fine_texture(name, config, engine, image_tracker):
    portrait = shared_face(name, config, image_tracker)
    shown, moved = render_and_mesh(engine, portrait, AU12=1.5)
    for share in _texture_kept(portrait, shown, moved):
        assert share >= KEEPS_ITS_TEXTURE, f"the smiling cheek keeps {share:.2f} of the skin's fine texture"


@pytest.mark.parametrize("name", PORTRAITS)
def test_the_measure_sees_bilinear_blur(name, config, engine, image_tracker, monkeypatch):
    """The same smile resampled bilinearly measures below the bound: a pass is not a measure that
    cannot fail."""
    monkeypatch.setattr(raster, "SAMPLING", cv2.INTER_LINEAR)
    portrait = shared_face(name, config, image_tracker)
    shown, moved = render_and_mesh(engine, portrait, AU12=1.5)
    assert min(_texture_kept(portrait, shown, moved)) < KEEPS_ITS_TEXTURE
