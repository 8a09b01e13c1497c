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

from conftest import feat_test_image, render_and_mesh, shared_face
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


def _thin_dark_lines(image: np.ndarray, moved: np.ndarray) -> float:
    """How dark the thinnest dark lines in the mouth's cavity run (99th percentile of a 3 px grey
    closing's rise, L*): inside the opening, 3 px clear of its edge, where it is dark (L* < 30)."""
    lightness = cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)[..., 0]
    opening = cv2.erode(fill(image.shape[:2], moved[list(INNER_LIPS)]), np.ones((7, 7), np.uint8)) > 0
    cavity = opening & (cv2.GaussianBlur(lightness, (0, 0), 3.0) < 30.0)
    assert cavity.sum() > 500, "the jaw drop opened no dark cavity to measure"
    lines = cv2.morphologyEx(lightness, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)) - lightness
    return float(np.percentile(lines[cavity], 99))


def test_a_tilted_mouths_paint_carries_no_detail_from_under_it(engine, config, image_tracker):
    """Image_with_alpha's head is tilted 25 degrees; its jaw drop is painted in a levelled patch and
    turned back. Adding only what the paint changed there left the frame's finest detail, lost in
    the turn and back, on top of the paint: the stretched teeth's and beard's edges ran through the
    dark cavity as thin dark streaks ("as if the beard were smeared into it"). The expectation is
    the same photo turned level, whose mouth is painted in place: its cavity's thin dark lines
    reach 3.1 L*; the tilted one's reached 5.6, and now 2.6."""
    from livemorph.frames import load_image
    from livemorph.portrait import prepare_portrait_face

    image = load_image(feat_test_image("Image_with_alpha.png"))
    tilted = prepare_portrait_face(image, config, source="Image_with_alpha.png", tracker=image_tracker)
    xy = tilted.track.landmarks[:, :2]
    tilt = float(np.degrees(np.arctan2(xy[291, 1] - xy[61, 1], xy[291, 0] - xy[61, 0])))
    assert abs(tilt) > 15.0, f"the photo's mouth is tilted only {tilt:.0f} degrees"
    h, w = image.shape[:2]
    level_image = cv2.warpAffine(image, cv2.getRotationMatrix2D((w / 2, h / 2), tilt, 1.0), (w, h),
                                 flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)
    level = prepare_portrait_face(level_image, config, source="Image_with_alpha.png levelled", tracker=image_tracker)
    lines = {name: _thin_dark_lines(*render_and_mesh(engine, face, **dict(AU26=2.8, AU25=3.0)))
             for name, face in (("tilted", tilted), ("level", level))}
    assert lines["tilted"] < 1.3 * lines["level"], f"thin dark lines in the cavity (L*): {lines}"
