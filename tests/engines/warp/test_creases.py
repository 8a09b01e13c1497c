"""Synthesized creases: where they darken, and that frown and forehead lines spare hair."""
from __future__ import annotations

import numpy as np

from livemorph.engines.warp.creases import BROW_ROW, FOREHEAD_TOP, GLABELLA, INNER_BROWS, NOSE_BRIDGE, paint_creases

SKIN = (200, 160, 130)
HAIR = (60, 40, 30)
FACE_WIDTH = 200.0


def _landmarks() -> np.ndarray:
    """The few points the creases use, on a frontal face 200 px wide centred at x = 150."""
    xy = np.zeros((478, 2), np.float64)
    xy[GLABELLA], xy[NOSE_BRIDGE], xy[FOREHEAD_TOP] = (150, 100), (150, 125), (150, 20)
    (r_up, r_low), (l_up, l_low) = INNER_BROWS
    xy[r_up], xy[r_low], xy[l_up], xy[l_low] = (130, 100), (130, 110), (170, 100), (170, 110)
    for k, point in enumerate(BROW_ROW):
        if point not in (r_up, l_up):
            xy[point] = (70 + 18 * k, 100)
    return xy


def test_a_frown_draws_two_furrows_between_the_inner_brows_and_nothing_elsewhere():
    frame = np.full((200, 300, 3), SKIN, np.uint8)
    paint_creases(frame, _landmarks(), FACE_WIDTH, smile=0.0, frown=1.0, raise_=0.0)
    grey = frame.mean(axis=2)
    # The furrows run in the skin between the inner brow ends (x = 130 and 170), nearer them than the
    # midline, over the brows' height; the midline itself and the cheeks stay skin.
    row, skin = grey[100], np.mean(SKIN)
    assert row[132:146].min() < skin - 10 and row[154:168].min() < skin - 10
    assert abs(row[150] - skin) < 6
    assert (grey[150:] == np.mean(SKIN)).all() and (grey[:, :100] == np.mean(SKIN)).all()


def test_forehead_lines_darken_skin_but_not_hair_over_the_forehead():
    frame = np.full((200, 300, 3), SKIN, np.uint8)
    frame[:, 150:] = HAIR  # bangs over the right half of the image
    frame[95:105, 140:160] = SKIN  # the skin between the brows, where the skin colour is read
    before = frame.copy()
    paint_creases(frame, _landmarks(), FACE_WIDTH, smile=0.0, frown=0.0, raise_=1.0)
    changed = np.abs(frame.astype(int) - before.astype(int)).max(axis=2)
    assert changed[30:95, 60:140].max() >= 15  # lines across the skin of the forehead
    assert changed[30:95, 170:240].max() <= 2  # the hair over it is left alone
