"""A driver's wide-open mouth, painted frame after frame, changes as the driver's does: no teeth
flash in for one frame.

woman_expressions.mp4 opens into a round "O" over frames 296-304; from frame 300 her upper teeth
show faintly under her upper lip. Judged by its lighter tenth, frame 300's mouth read as teeth
clenched in shade for that one frame, and the synthesized interior's grey teeth were laid into
the portrait's opening between two frames without them: a flash of teeth at 30 fps.

The expectation comes from the driver: her mouth at frame 300 lies between frames 299 and 301
(its difference from their mean is 0.4 of their difference from each other). The portrait's
opening, painted from each frame's mouth with the AUs held, may not jump further than that
from its neighbours' mean (1.0 of their difference; the flash: 3.8).
"""
from __future__ import annotations

import numpy as np
import pytest

from livemorph.face.mouth_hint import lip_lines, mouth_hint

from conftest import driver_frames, resting_plus, shared_face
from face_regions import INNER_LIPS, polygon

DRIVER, FRAMES = "woman_expressions.mp4", (299, 300, 301)
JAW_DROP = {"AU26": 2.8, "AU25": 3.0}


def _jump(images, mask) -> float:
    """How far the middle of three images lies from the mean of the other two, over how far
    those two lie apart (mean absolute RGB difference inside ``mask``)."""
    before, middle, after = (np.asarray(image, np.float32)[mask] for image in images)
    return float(np.abs(middle - 0.5 * (before + after)).mean() / max(np.abs(after - before).mean(), 1e-3))


@pytest.fixture(scope="module")
def driver(image_tracker):
    return driver_frames(image_tracker, DRIVER, FRAMES)


def test_the_drivers_own_mouth_changes_steadily(driver):
    image, track = driver[FRAMES[1]]
    opening = polygon(image.shape[:2], track.landmarks[:, :2][list(INNER_LIPS)])
    assert _jump([driver[i][0] for i in FRAMES], opening) < 0.6


@pytest.mark.parametrize("name", ["london_092_beard.jpg", "mona_lisa.jpg"])
def test_a_wide_open_mouth_with_faint_teeth_shows_no_flash_of_teeth(name, driver, engine, config, image_tracker):
    prepared = engine.prepare(shared_face(name, config, image_tracker))
    aus = resting_plus(prepared, **JAW_DROP)
    outputs = []
    for index in FRAMES:
        image, track = driver[index]
        hint = mouth_hint(image, lip_lines(track))
        assert hint is not None, index
        outputs.append(engine.render(prepared, aus, mouth_hint=hint))
    moved = engine.displaced_vertices(prepared, aus)[:, :2]
    opening = polygon(outputs[0].shape[:2], moved[list(INNER_LIPS)])
    jump = _jump(outputs, opening)
    assert jump < 1.0, f"the opening painted from frame {FRAMES[1]} lies {jump:.1f} of its neighbours' difference from their mean"
