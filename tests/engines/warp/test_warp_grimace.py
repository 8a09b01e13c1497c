"""A grimace over clenched teeth: the upper lip goes up as far as the driver's, and teeth show
(default config).

The driver is woman_expressions.mp4: at rest (frames 56-96) her lips are barely parted; at frame
11 she bares clenched teeth, her upper lip raised (livemorph reads AU10 +1.15, AU12 +0.86, AU20
+1.36, AU25 +0.7 against her rest). Her teeth there are in shade, no lighter than her lips.

The portrait is driven as `render` and `run` drive it (``puppet_for``: response curves included)
by that change of a user's AUs.
- The philtrum (MediaPipe's nose base to upper-lip top, along the face's down axis, in eye spans:
  outer eye corners) shortens on the portrait at least ``PHILTRUM_SHARE`` of what it does on the
  driver, both measured here with MediaPipe (the portrait against its own neutral render). The
  raise drawn for a laugh's AU10 (whose lip the smile lifts) shortened it 0.24 (london_092) and
  0.48 (Grace Hopper) of the driver's.
- With her mouth passed as the hint ``run`` passes, the opening's lighter part (90th percentile
  L*, inside the inner lips the engine moved) is lighter than the portrait's own lips by
  ``TEETH_OVER_LIPS`` L*: teeth, not her dim mouth matched to a lip-toned band (it was 2.7 L*
  darker to 0.8 lighter; now 3.5-16.5 lighter).
"""
from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from livemorph.face.mouth_hint import lip_lines, mouth_hint

from conftest import driver_frames, user_change
from face_regions import INNER_LIPS, OUTER_LIPS, face_down, fill

DRIVER = "woman_expressions.mp4"
REST_FRAMES, GRIMACE_FRAME = range(56, 97, 8), 11
GRIMACE = {"AU10": 1.15, "AU12": 0.86, "AU20": 1.36, "AU25": 0.7}
CLOSED_LIPS = ["london_092_beard.jpg", "grace_hopper_glasses.jpg", "london_042_grayscale.png"]
# (london_042's short philtrum reaches ``mouth_motion.keep_the_philtrum``'s limit first: its mouth
# goes down whole beyond it, as a driver's does, and MediaPipe reads -0.022 either way.)
RAISED_LIPS = CLOSED_LIPS[:2]
PHILTRUM_SHARE = 0.6
TEETH_OVER_LIPS = 2.5
NOSE_BASE, UPPER_LIP_TOP = 2, 0


def _philtrum(track) -> float:
    xy = track.landmarks[:, :2]
    down, span = face_down(xy)
    return float((xy[UPPER_LIP_TOP] - xy[NOSE_BASE]) @ down) / span


@pytest.fixture(scope="module")
def driver(image_tracker):
    frames = driver_frames(image_tracker, DRIVER, list(REST_FRAMES) + [GRIMACE_FRAME])
    rest = float(np.median([_philtrum(frames[i][1]) for i in REST_FRAMES]))
    image, track = frames[GRIMACE_FRAME]
    return _philtrum(track) - rest, mouth_hint(image, lip_lines(track))


def _grimace(puppet, hint=None):
    """The portrait's neutral render, and its grimace (``hint``: the driver's mouth beside the AUs)."""
    return puppet.step(user_change()), puppet.step(replace(user_change(**GRIMACE), mouth_hint=hint))


@pytest.mark.parametrize("name", RAISED_LIPS)
def test_a_grimace_raises_the_upper_lip_as_far_as_the_drivers(name, puppets, image_tracker, driver):
    shortened, _ = driver
    assert shortened < -0.03, f"the driver's philtrum changed {shortened:+.3f} eye spans: not a grimace"
    _, puppet = puppets(name)
    rest, grimace = (image_tracker.detect_all(image) for image in _grimace(puppet))
    assert rest and grimace, "the tracker lost the face"
    drawn = _philtrum(grimace[0]) - _philtrum(rest[0])
    assert drawn < PHILTRUM_SHARE * shortened, (
        f"philtrum {drawn:+.3f} eye spans against the driver's {shortened:+.3f}")


@pytest.mark.parametrize("name", CLOSED_LIPS)
def test_a_grimace_over_teeth_in_shade_shows_teeth(name, puppets, image_tracker, driver):
    _, hint = driver
    assert hint is not None, "the driver's grimace shows no mouth"
    portrait, puppet = puppets(name)
    _, out = _grimace(puppet, hint)
    moved = puppet.engine.displaced_vertices(puppet.prepared, puppet.aus_for(user_change(**GRIMACE)))
    opening = fill(out.shape[:2], moved[list(INNER_LIPS)]).astype(bool)
    assert opening.sum() > 50, "the lips did not part"
    lightness = cv2.cvtColor(out, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32) * (100.0 / 255.0)
    xy = portrait.track.landmarks[:, :2]
    shape = portrait.image.shape[:2]
    lips = fill(shape, xy[list(OUTER_LIPS)]).astype(bool) & ~fill(shape, xy[list(INNER_LIPS)]).astype(bool)
    source = cv2.cvtColor(portrait.image, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32) * (100.0 / 255.0)
    teeth, lip = float(np.percentile(lightness[opening], 90)), float(np.median(source[lips]))
    assert teeth > lip + TEETH_OVER_LIPS, f"the opening's lighter tenth L* {teeth:.1f}, the lips' {lip:.1f}"
