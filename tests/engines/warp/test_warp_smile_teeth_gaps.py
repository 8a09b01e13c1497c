"""A smile's teeth on portraits that show none of their own: separate teeth, not one flat strip.

What tells real teeth from a pasted-in denture strip at a glance is the line between two of them:
darker than the teeth, even at a small size. Measured here as a user sees it: along the upper
row (a band of rows just under the upper inner lip, over the middle 60 % of the mouth) the grey
profile dips at each gap; the three deepest dips of the front teeth (each against the lighter side
of it, within a tooth's width), their mean over the row's light. The reference is a real laugh measured the same
way on its own frame (pexels_woman_laughing.mp4 at its laugh's peak, the contact sheet's smile),
scaled down with area averaging to the portrait's mouth width: the same teeth at the same size.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from livemorph.face.mouth_hint import lip_lines, mouth_hint

from conftest import driver_frame, resting_plus, shared_face
from face_regions import LOWER_INNER, UPPER_INNER

LAUGH_FRAME = ("pexels_woman_laughing.mp4", 458)
PARTED_SMILE = {"AU12": 3.0, "AU06": 1.5, "AU25": 2.0}
ROW_BAND = (0.15, 0.45)  # share of the opening's height under the upper inner lip: the upper teeth
FRONT = (0.2, 0.8)  # share of the mouth width: the front teeth
TOOTH = 0.12  # a front tooth's width, share of the mouth width


def _mouth_width(xy: np.ndarray) -> float:
    return float(np.linalg.norm(xy[UPPER_INNER[-1]] - xy[UPPER_INNER[0]]))


def _row_profile(image: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Mean grey over ``ROW_BAND`` of the opening, per column across ``FRONT``."""
    grey = image.astype(np.float32).mean(axis=2)
    upper, lower = xy[list(UPPER_INNER)], xy[list(LOWER_INNER)]
    upper, lower = upper[np.argsort(upper[:, 0])], lower[np.argsort(lower[:, 0])]
    x0, x1 = float(upper[0, 0]), float(upper[-1, 0])
    xs = np.arange(int(np.ceil(x0 + FRONT[0] * (x1 - x0))), int(np.floor(x0 + FRONT[1] * (x1 - x0))) + 1)
    top, bottom = np.interp(xs, upper[:, 0], upper[:, 1]), np.interp(xs, lower[:, 0], lower[:, 1])
    rows = np.arange(grey.shape[0])
    return np.array([np.interp(np.arange(t + ROW_BAND[0] * (b - t), t + ROW_BAND[1] * (b - t) + 1e-3, 0.5),
                               rows, grey[:, x]).mean() for x, t, b in zip(xs, top, bottom)])


def gap_contrast(image: np.ndarray, xy: np.ndarray) -> float:
    """The three deepest dips of the upper row's profile, their mean over the row's light (its 90th
    percentile). (The third deepest alone moved with a pixel's shift of one gap: a smile bent up at
    the corners took Grace Hopper's from 0.127 to 0.113 while her deepest two grew, 0.159 and 0.141
    to 0.163 and 0.152; the mean stayed at 0.86 of the laugh's.)"""
    profile = _row_profile(image, xy)
    reach = max(int(round(TOOTH * _mouth_width(xy))), 2)
    dips = []
    for i in range(1, len(profile) - 1):
        if profile[i] <= profile[i - 1] and profile[i] <= profile[i + 1]:
            lighter = min(profile[max(0, i - reach):i].max(), profile[i + 1:i + 1 + reach].max())
            dips.append(lighter - profile[i])
    dips = sorted(dips, reverse=True)
    return float(np.mean(dips[:3]) / np.percentile(profile, 90)) if len(dips) >= 3 else 0.0


@pytest.fixture(scope="module")
def laugh(image_tracker):
    """The driver's laugh frame, its landmarks and its mouth hint (as ``run`` cuts it)."""
    frame = driver_frame(*LAUGH_FRAME)
    track = image_tracker.detect_largest(frame)
    hint = mouth_hint(frame, lip_lines(track))
    assert hint is not None
    return frame, np.asarray(track.landmarks, np.float64)[:, :2], hint


def _real_teeth_at(laugh, width: float) -> float:
    """The laugh's own gap contrast with its mouth ``width`` px wide."""
    frame, xy, _ = laugh
    scale = width / _mouth_width(xy)
    small = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return gap_contrast(small, xy * scale)


def _smile(name, config, engine, image_tracker, hint=None):
    portrait = shared_face(name, config, image_tracker)
    prepared = engine.prepare(portrait)
    aus = resting_plus(prepared, **PARTED_SMILE)
    return engine.render(prepared, aus, mouth_hint=hint), engine.displaced_vertices(prepared, aus)[:, :2]


def test_the_laughs_own_teeth_show_their_gaps(laugh):
    # The reference itself: the laugh's front teeth part in lines 0.18 of their light darker at its
    # own size, 0.15 with its mouth 64 px wide (the contact sheet's), 0.12 at 48.
    assert _real_teeth_at(laugh, _mouth_width(laugh[1])) >= 0.12
    assert _real_teeth_at(laugh, 48.0) >= 0.08


@pytest.mark.parametrize("name", ["grace_hopper_glasses.jpg", "london_092_beard.jpg", "london_042_grayscale.png"])
def test_a_drivers_laugh_keeps_its_teeth_gaps(name, config, engine, image_tracker, laugh):
    # Its lightness run through a soft knee under the portrait's teeth, the laugh's gaps (0.75 of its
    # teeth's grey) came out at 0.87 on Grace Hopper: "one flat grey band with no gaps between teeth,
    # like a pasted-in denture strip" (review 19). Against the laugh's own at the same size: 0.60
    # (Grace Hopper), 0.76 (london_092), 1.10 (london_042), by the third deepest dip alone; now 0.86,
    # 0.96, 1.11 (the teeth blurred 5 px across into a strip: 0.33, 0.77, 0.84).
    out, moved = _smile(name, config, engine, image_tracker, hint=laugh[2])
    painted, real = gap_contrast(out, moved), _real_teeth_at(laugh, _mouth_width(moved))
    assert painted >= 0.8 * real, f"gaps {painted:.3f} of the teeth's light, the laugh's own {real:.3f}"


@pytest.mark.parametrize("name", ["grace_hopper_glasses.jpg", "london_092_beard.jpg", "london_042_grayscale.png",
                                  "lisa3_head_turned.jpg"])
def test_painted_smile_teeth_show_their_gaps(name, config, engine, image_tracker, laugh):
    # Without a driver's mouth (an AU track) the teeth are painted. Lines a 0.06 shade, 0.3 of it on
    # small teeth, 0.7 px wide drew 0.30 of the laugh's own at the same size on Grace Hopper, 0.25 on
    # lisa3 (0.67 london_092, 0.86 london_042), by the third deepest dip alone; now 0.98, 0.81 (1.20,
    # 1.40). Her picture's blur (1.2 px) softens them as it would her own teeth.
    out, moved = _smile(name, config, engine, image_tracker)
    painted, real = gap_contrast(out, moved), _real_teeth_at(laugh, _mouth_width(moved))
    assert painted >= 0.5 * real, f"gaps {painted:.3f} of the teeth's light, the laugh's own {real:.3f}"
