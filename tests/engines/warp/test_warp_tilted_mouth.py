"""A tilted head's open mouth is painted along its own line, not the image's rows.

The expectation comes from the same portrait upright: the portrait turned 20 degrees in the image
(as a tilted head is) and its jaw drop turned back must show the same mouth interior as the
upright portrait's jaw drop. Painted in image columns, the tilted opening's rounded ends, teeth
and tongue lay along the image's rows: its interior differed from the upright one's by a mean
12.6 (the Mona Lisa) and 13.3 (london_092) grey levels; painted level, by 5.6 and 8.4 (the rest
is MediaPipe placing the turned face's lips slightly differently, and resampling).
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_and_mesh, shared_face
from face_regions import INNER_LIPS, fill

TILT_DEG = 20.0  # lisa3's mouth is tilted 20 degrees
JAW_DROP = dict(AU26=4.6, AU25=1.5)


@pytest.mark.parametrize("name", ["mona_lisa.jpg", "london_092_beard.jpg"])
def test_a_tilted_jaw_drop_turned_back_matches_the_upright_one(engine, config, image_tracker, name):
    from livemorph.portrait import prepare_portrait_face

    upright = shared_face(name, config, image_tracker)
    out_upright, moved = render_and_mesh(engine, upright, **JAW_DROP)
    h, w = upright.image.shape[:2]
    centre = tuple(float(v) for v in upright.track.landmarks[[78, 308], :2].mean(axis=0))
    turn = cv2.getRotationMatrix2D(centre, -TILT_DEG, 1.0)
    tilted_image = cv2.warpAffine(upright.image, turn, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)
    tilted = prepare_portrait_face(tilted_image, config, source=f"{name} tilted", tracker=image_tracker)
    out_tilted, _ = render_and_mesh(engine, tilted, **JAW_DROP)
    turned_back = cv2.warpAffine(out_tilted, cv2.invertAffineTransform(turn), (w, h), flags=cv2.INTER_CUBIC)

    opening = fill((h, w), moved[list(INNER_LIPS)]) > 0
    difference = np.abs(out_upright.astype(float) - turned_back.astype(float)).mean(axis=2)[opening]
    assert opening.sum() > 500, "the jaw drop opened no mouth to compare"
    assert difference.mean() < 10.0, f"the tilted mouth's interior differs from the upright one's by {difference.mean():.1f}"
