"""Driver + portrait layouts: the portrait stays readable when a messenger shrinks the clip."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from conftest import shared_path
from livemorph.outputs.compose import pair, pair_arrangement
from livemorph.runtime.live_outputs import LiveFrame, user_and_portrait
from livemorph.outputs.registry import open_recorder


def test_auto_arrangement_shows_the_portrait_larger_in_a_messenger_box():
    # Fitted into a 3:4 box of width 1, by hand:
    # webcam 640x480 + Mona Lisa 720x1280: row 2427x1280 -> scale 1/2427; column 720x1820 -> 4/3/1820 = 1/1365
    assert pair_arrangement((480, 640), (1280, 720)) == "column"
    # 16:9 driver + near-square portrait: row 1882x676 -> 1/1882; column 680x1058 -> 1/794
    assert pair_arrangement((360, 640), (676, 680)) == "column"
    # tall phone video 1080x1920 + Mona Lisa: row 1440x1280 -> 1/1440; column 720x2560 -> 1/1920
    assert pair_arrangement((1920, 1080), (1280, 720)) == "row"
    assert pair_arrangement((360, 640), (676, 680), "row") == "row"
    with pytest.raises(ValueError):
        pair_arrangement((1, 1), (1, 1), "diagonal")


def test_column_puts_the_driver_on_top_at_the_portraits_width_and_keeps_the_portrait():
    driver = np.zeros((360, 640, 3), np.uint8)
    driver[:, :320] = 255
    portrait = np.full((676, 680, 3), 7, np.uint8)
    joined = pair(driver, portrait)
    assert joined.shape == (round(360 * 680 / 640) + 676, 680, 3)
    np.testing.assert_array_equal(joined[-676:], portrait)
    assert joined[:382, :330].min() == 255 and joined[:382, 350:].max() == 0


def face_height(image: np.ndarray) -> float:
    from livemorph.config.settings import load_config
    from livemorph.face.tracking import FaceTracker

    with FaceTracker.from_config(load_config().tracking, mode="image") as tracker:
        faces = tracker.detect_all(np.ascontiguousarray(image))
    assert faces, "no face found in the GIF frame"
    x0, y0, x1, y1 = max(faces, key=lambda f: f.box[3] - f.box[1]).box
    return y1 - y0


def test_side_by_side_gif_of_a_webcam_and_the_mona_lisa_keeps_her_face_readable(tmp_path, config):
    mona = np.asarray(Image.open(shared_path("assets/portraits/mona_lisa.jpg")).convert("RGB"))  # 720x1280
    webcam = np.full((480, 640, 3), 90, np.uint8)  # a 4:3 camera frame (no face needed here)
    frame = LiveFrame(portrait=mona, user=webcam, reading=None, index=0, source_time_s=0.0, captured_at=0.0,
                      target="mona", strength=1.0)
    out = tmp_path / "sbs.gif"
    with open_recorder(out, 15, config.render) as rec:
        for _ in range(3):
            rec.write(user_and_portrait(frame, config.render.pair_layout))
    gif = np.asarray(Image.open(out).convert("RGB"))
    # By hand: a row would be 640x480 at 1280 high (1707 wide) + 720 = 2427x1280, shrunk to the
    # 480 px GIF width: 480x253, her face ~25 px. The column is 720x(540 + 1280), shrunk: 480x1213.
    assert gif.shape[:2] == (1213, 480)
    assert face_height(gif) > 4 * 25  # readable at a messenger's size
