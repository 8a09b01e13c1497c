"""A shut eye shows no line above its closed lid (``engines/warp/lid_tone.py``, ``lids.py``).

Two reviewers saw the open eye's old lid crease float as a dark line above the closed lid, the
edge of a flat patch, on london_092 and london_042. Judged on the rendered portrait: across
the middle of the eye (its 30-70 %, rows along the corners' axis, CIE L*), between the lash
line and the brow, the deepest narrow dark line: how far a row's L* falls below the mean of the
rows 0.05 eye widths above and below it. Regions come from the portrait's MediaPipe landmarks,
not from the lid painter's geometry. A line 3.5 L* deep over a few pixels is plainly visible
(a just-noticeable difference is ~1-2).

Before the lid took its tone from the skin around it and covered the displaced crease, the
line was 5.5 and 8.0 L* deep on london_092 (right, left eye) and 6.9 and 10.2 on london_042;
now 0.8-2.3.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_change, shared_face

# MediaPipe landmarks per eye: upper lid, lower lid (outer -> inner), corners (outer, inner),
# the brow's lower edge.
EYES = (((246, 161, 160, 159, 158, 157, 173), (7, 163, 144, 145, 153, 154, 155), (33, 133), (46, 53, 52, 65, 55)),
        ((466, 388, 387, 386, 385, 384, 398), (249, 390, 373, 374, 380, 381, 382), (263, 362), (276, 283, 282, 295, 285)))
VISIBLE_LINE = 3.5  # L*


def _deepest_line(image: np.ndarray, landmarks) -> list[float]:
    """Per eye: the deepest narrow dark line (L*) across the middle of the eye, from 0.15 eye
    widths above the lower lid (past the lash line of a shut eye) to 0.08 below the brow."""
    lab = cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    lm = np.asarray(landmarks, np.float64)[:, :2]
    depths = []
    for upper, lower, (outer, inner), brow in EYES:
        width = float(np.linalg.norm(lm[inner] - lm[outer]))
        axis = (lm[inner] - lm[outer]) / width
        up = np.array([axis[1], -axis[0]])
        if float((lm[list(upper)].mean(axis=0) - lm[list(lower)].mean(axis=0)) @ up) < 0:
            up = -up
        start = float((lm[list(lower[2:5])] - lm[outer]).mean(axis=0) @ up) + 0.15 * width
        stop = float((lm[list(brow[1:4])] - lm[outer]).mean(axis=0) @ up) - 0.08 * width
        along = np.linspace(0.3, 0.7, 24) * width
        rows = np.arange(start, stop, 0.5)
        x = lm[outer][0] + along[None, :] * axis[0] + rows[:, None] * up[0]
        y = lm[outer][1] + along[None, :] * axis[1] + rows[:, None] * up[1]
        profile = cv2.remap(lab[..., 0], x.astype(np.float32), y.astype(np.float32), cv2.INTER_LINEAR).mean(axis=1)
        step = max(int(round(0.05 * width / 0.5)), 2)
        centre = profile[step:-step]
        depths.append(float((0.5 * (profile[:-2 * step] + profile[2 * step:]) - centre).max()))
    return depths


@pytest.mark.parametrize("name", ["london_092_beard.jpg", "london_042_grayscale.png"])
def test_no_crease_line_floats_above_a_shut_eye(name, config, engine, image_tracker):
    portrait = shared_face(name, config, image_tracker)
    shut = render_change(engine, portrait, AU45=config.warp.blink_closed_at + 2.0)
    for depth in _deepest_line(shut, portrait.track.landmarks):
        assert depth < VISIBLE_LINE, f"a line {depth:.1f} L* deep crosses the shut eye above its lid"


def test_the_measure_sees_the_open_eyes_crease(config, engine, image_tracker):
    """The same measure on the open eye finds its real crease (and the iris's top edge), so a
    pass on the shut eye is not a measure that cannot fail."""
    portrait = shared_face("london_042_grayscale.png", config, image_tracker)
    assert max(_deepest_line(portrait.image, portrait.track.landmarks)) > VISIBLE_LINE


def test_a_lid_light_pinker_than_the_skin_is_turned_back_and_no_other():
    """``lid_tone.no_pinker`` on colours whose hue is known (CIE L*a*b* built by hand): a mauve
    (pinker than a warm skin) comes back at the skin's hue, its lightness and chroma kept; yellower
    colours are left alone; a grey skin (no hue) turns nothing."""
    from livemorph.engines.warp.lid_tone import no_pinker

    def rgb(lab):
        return cv2.cvtColor(np.array([[lab]], np.float32), cv2.COLOR_LAB2RGB) * 255.0

    def lab(colour):
        return cv2.cvtColor(np.clip(colour, 0, 255).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)[0, 0]

    skin_hue = np.array([np.cos(np.radians(55.0)), np.sin(np.radians(55.0))], np.float32)  # a warm skin's
    mauve = lab(no_pinker(rgb([50.0, 12.0, 6.0]), skin_hue))  # hue 27 degrees, chroma 13.4
    assert mauve[0] == pytest.approx(50.0, abs=0.3)
    assert np.hypot(mauve[1], mauve[2]) == pytest.approx(np.hypot(12.0, 6.0), abs=0.3)
    assert np.degrees(np.arctan2(mauve[2], mauve[1])) == pytest.approx(55.0, abs=1.0)
    for kept in ([60.0, 5.0, 20.0], [50.0, 7.3, 11.2]):  # hue 76, hue 57: yellower than the skin
        assert np.abs(no_pinker(rgb(kept), skin_hue) - rgb(kept)).max() < 1e-3
    assert np.abs(no_pinker(rgb([50.0, 12.0, 6.0]), np.zeros(2, np.float32)) - rgb([50.0, 12.0, 6.0])).max() < 1e-3


def test_a_lid_light_darker_than_the_skin_above_takes_its_colour_and_no_other():
    """``lid_tone.as_light_as_above`` on colours built by hand in CIE L*a*b*: Grace Hopper's dark red
    lid light (L* 51, chroma 39) under a paler skin (L* 64, a* 25, b* 24) becomes that skin's colour,
    not a brighter red (raised with its own a*, b* it was a bright orange); a light under a darker
    skin above (the Mona Lisa's brow shading) and where the weight is 0 are left as they are; the
    lift stops at ABOVE_LIFT L*."""
    from livemorph.engines.warp.lid_tone import ABOVE_LIFT, LidTone, as_light_as_above

    def rgb(lab):
        return cv2.cvtColor(np.array([[lab]], np.float32), cv2.COLOR_LAB2RGB) * 255.0

    def lab(colour):
        return cv2.cvtColor(np.clip(colour, 0, 255).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)[0, 0]

    def tone(skin):
        return LidTone(lid_rgb=np.zeros(3, np.float32), lash_hue=np.ones(3, np.float32),
                       skin_hue=np.zeros(2, np.float32), skin_lab=np.array(skin, np.float32))

    full, none = np.ones((1, 1), np.float32), np.zeros((1, 1), np.float32)
    kept = 0.5  # grey levels: what a round trip through cv2's L*a*b* moves a colour
    red = rgb([51.0, 28.0, 28.0])
    raised = lab(as_light_as_above(red, tone([64.0, 25.0, 24.0]), full))
    assert raised == pytest.approx([64.0, 25.0, 24.0], abs=0.5)
    assert np.abs(as_light_as_above(red, tone([64.0, 25.0, 24.0]), none) - red).max() < kept
    golden = rgb([55.0, 6.5, 34.6])
    assert np.abs(as_light_as_above(golden, tone([40.6, 8.5, 25.7]), full) - golden).max() < kept
    dim = lab(as_light_as_above(rgb([15.0, 6.0, 3.0]), tone([60.0, 6.0, 3.0]), full))
    assert dim[0] == pytest.approx(15.0 + ABOVE_LIFT, abs=0.5)
    # No lighter than the ceiling (the skin around the lid, lids.py): a light under a paler skin above
    # but beside a darker one goes up to that one's L* only; a ceiling at or under the light keeps it.
    capped = lab(as_light_as_above(red, tone([64.0, 25.0, 24.0]), full, np.full((1, 1), 56.0, np.float32)))
    assert capped[0] == pytest.approx(56.0, abs=0.5)
    assert np.abs(as_light_as_above(red, tone([64.0, 25.0, 24.0]), full, np.full((1, 1), 45.0, np.float32))
                  - red).max() < kept


def test_the_socket_light_is_read_at_a_box_past_its_map_as_its_nearest_edge(config, engine, image_tracker):
    """``SocketLight.at`` (a slice of the portrait's map, not a per-pixel remap) over a box that
    reaches past the map on every side repeats its edge rows and columns (np.pad's 'edge' mode:
    an independent source); what it hands out of a prepared portrait's map cannot be written into."""
    from livemorph.engines.warp.lid_tone import SocketLight

    rgb = np.arange(4 * 5 * 3, dtype=np.float32).reshape(4, 5, 3)
    light = SocketLight(corner=(10, 20), rgb=rgb, above_over_light=2 * rgb)
    np.testing.assert_array_equal(light.at((11, 21, 14, 23)), rgb[1:3, 1:4])
    past = light.above_over_light_at((8, 19, 17, 26))  # 2 columns left, 1 row above, 2 right, 2 below
    np.testing.assert_array_equal(past, np.pad(2 * rgb, ((1, 2), (2, 2), (0, 0)), mode="edge"))
    prepared = engine.prepare(shared_face("london_042_grayscale.png", config, image_tracker))
    for eye in prepared.lids.eyes:
        x0, y0 = eye.light.corner
        for view in (eye.light.at((x0, y0, x0 + 3, y0 + 3)), eye.light.above_over_light_at((x0, y0, x0 + 3, y0 + 3))):
            with pytest.raises(ValueError):
                view[0, 0, 0] = 0.0
