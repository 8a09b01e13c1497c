"""The preview picture (no window): layout, mirror, HUD bars and text, help overlay."""
from __future__ import annotations

import numpy as np

from livemorph.aus import AU, AU_MAX, NUM_AUS
from livemorph.runtime.live import LiveControls
from livemorph.runtime.live_outputs import LiveFrame
from livemorph.outputs.compose import AU_BAR_W, AU_ROW_H, BAR, au_bar_area
from livemorph.outputs.preview.hud import compose_preview


class Reading:
    def __init__(self, aus):
        self.aus = np.asarray(aus, np.float32)
        self.state = "tracking"


def gradient(h, w):
    yy, xx = np.mgrid[0:h, 0:w]
    return np.stack([xx * 255 // w, yy * 255 // h, np.full_like(xx, 128)], axis=-1).astype(np.uint8)


def frame(portrait, user=None, aus=None):
    return LiveFrame(portrait=portrait, user=portrait if user is None else user,
                     reading=Reading(np.zeros(NUM_AUS) if aus is None else aus), index=0, source_time_s=0.0,
                     captured_at=0.0, target="p", strength=1.0)


def compose(f, **controls):
    c = LiveControls(strength=1.0, **controls)
    return compose_preview(f, {"fps": 25.0}, c, engine="warp", recording=False, max_height=10_000)


def test_hud_off_shows_the_portrait_untouched_and_does_not_modify_it():
    portrait = gradient(300, 200)
    before = portrait.copy()
    shown = compose(frame(portrait), hud=False)
    assert np.array_equal(shown, portrait)
    compose(frame(portrait), hud=True)
    assert np.array_equal(portrait, before)  # drawing never touches the engine's frame


def test_au_bars_are_proportional_to_the_aus():
    portrait = np.full((400, 300, 3), 200, np.uint8)
    aus = np.zeros(NUM_AUS)
    aus[AU.AU12], aus[AU.AU26] = AU_MAX, AU_MAX / 2
    shown = compose(frame(portrait, aus=aus), hud=True)
    x0, y0, x1, y1 = au_bar_area(shown.shape)
    is_bar = np.all(shown[y0:y1, x0:x1] == np.asarray(BAR), axis=2)
    per_row = [is_bar[4 + i * AU_ROW_H: 4 + (i + 1) * AU_ROW_H].sum(axis=1).max() for i in range(NUM_AUS)]
    assert abs(per_row[AU.AU12] - AU_BAR_W) <= 1
    assert abs(per_row[AU.AU26] - AU_BAR_W / 2) <= 1
    assert sum(per_row) - per_row[AU.AU12] - per_row[AU.AU26] == 0


def test_side_by_side_puts_you_left_mirrored_and_portrait_right():
    portrait = gradient(200, 160)
    user = gradient(100, 120)  # scaled to the portrait's height: 240 wide
    shown = compose(frame(portrait, user=user), hud=False, side_by_side=True, mirror=True)
    assert shown.shape == (200, 240 + 160, 3)
    assert np.array_equal(shown[:, 240:], portrait)
    left = shown[:, :240].astype(int)
    # mirrored: red (x gradient) falls from left to right instead of rising
    assert left[:, :20, 0].mean() > left[:, -20:, 0].mean() + 100
    unmirrored = compose(frame(portrait, user=user), hud=False, side_by_side=True, mirror=False)
    assert unmirrored[:, :20, 0].mean() < unmirrored[:, 220:240, 0].mean() - 100


def test_max_height_scales_the_picture_down():
    shown = compose_preview(frame(gradient(1280, 720)), {}, LiveControls(strength=1.0, hud=False), engine="warp",
                            recording=False, max_height=640)
    assert shown.shape == (640, 360, 3)


def test_help_overlay_darkens_the_centre_and_writes_text():
    portrait = np.full((600, 500, 3), 180, np.uint8)
    plain = compose(frame(portrait), hud=False).astype(int)
    helped = compose(frame(portrait), hud=False, help=True).astype(int)
    centre = (slice(250, 350), slice(100, 400))
    assert helped[centre].min() < 100 and plain[centre].min() == 180
    assert (helped[centre].min(axis=2) > 200).sum() > 50  # white description text
