"""The driver's mouth interior cut out of real driver frames (``face.mouth_hint``), and carried
beside the AUs by the AU stream."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from livemorph.face.mouth_hint import lip_lines, mouth_hint

from conftest import driver_frame, shared_path

LAUGH = ("pexels_woman_laughing.mp4", 298)  # a toothy laugh: upper teeth bright under the upper lip
JAW_DROP = ("woman_expressions.mp4", 304)  # a wide "O", teeth hidden, a dark mouth
CLOSED = ("woman_expressions.mp4", 200)  # lips together


@pytest.fixture(scope="module")
def laugh():
    return driver_frame(*LAUGH)


def grey(rgb: np.ndarray) -> np.ndarray:
    return np.asarray(rgb, np.float32).mean(axis=-1)


def test_a_toothy_laugh_gives_the_drivers_teeth_in_the_upper_rows(laugh, image_tracker):
    hint = mouth_hint(laugh, lip_lines(image_tracker.detect_largest(laugh)))
    assert hint is not None
    rows, cols = hint.patch.shape[:2]
    middle = grey(hint.patch[:, cols // 4: 3 * cols // 4])
    upper_third = middle[: rows // 3]
    # The driver's upper teeth: far brighter than her lips and than the lower part of the mouth.
    assert np.percentile(upper_third, 75) > float(grey(hint.lip_rgb)) + 30
    assert upper_third.mean() > middle[2 * rows // 3:].mean() + 30
    assert 0.15 < hint.opening < 0.4


def test_a_jaw_drop_opens_and_closed_lips_give_no_hint(image_tracker):
    open_mouth = driver_frame(*JAW_DROP)
    hint = mouth_hint(open_mouth, lip_lines(image_tracker.detect_largest(open_mouth)))
    assert hint is not None and hint.opening > 0.3
    assert grey(hint.patch).mean() < grey(hint.lip_rgb) - 20  # a dark mouth between lighter lips
    closed = driver_frame(*CLOSED)
    track = image_tracker.detect_largest(closed)
    assert track.present
    assert mouth_hint(closed, lip_lines(track)) is None
    assert mouth_hint(closed, None) is None  # no face


def test_a_rolled_head_gives_the_same_upright_mouth(laugh, image_tracker):
    lips = lip_lines(image_tracker.detect_largest(laugh))
    upright = mouth_hint(laugh, lips)
    h, w = laugh.shape[:2]
    centre = tuple(float(c) for c in lips[:2].reshape(-1, 2).mean(axis=0))
    rolled_image = cv2.warpAffine(laugh, cv2.getRotationMatrix2D(centre, 25, 1.0), (w, h), flags=cv2.INTER_LINEAR)
    rolled = mouth_hint(rolled_image, lip_lines(image_tracker.detect_largest(rolled_image)))
    assert rolled is not None
    same = np.abs(grey(rolled.patch) - grey(upright.patch)).mean()
    upside_down = np.abs(grey(rolled.patch) - grey(upright.patch[::-1])).mean()
    assert same < 20 and same < 0.5 * upside_down, (same, upside_down)


def test_a_mouth_leaving_the_image_gives_no_hint(laugh, image_tracker):
    lips = lip_lines(image_tracker.detect_largest(laugh))
    bottom = int(lips[1][:, 1].max())
    cut = laugh[: bottom - 5]
    assert mouth_hint(cut, lips) is None


def test_the_au_stream_carries_the_open_mouth_beside_the_aus(config):
    from itertools import islice

    from livemorph.face.au_stream import video_readings

    driver = shared_path("assets/driving/woman_expressions.mp4")
    readings = [reading for _, reading in islice(video_readings(driver, config, mouth_hints=True), 21)]
    with_hint = [r for r in readings if r.mouth_hint is not None]
    assert len(with_hint) >= 5  # she talks with her mouth open in the first second
    assert all(r.state == "tracking" for r in with_hint)
    assert all(r.mouth_hint.opening >= 0.04 for r in with_hint)
    # Not asked for (AU analysis, ``livemorph aus --smooth``): no hint is cut out, whatever the engine's setting.
    off = [reading for _, reading in islice(video_readings(driver, config), 21)]
    assert all(r.mouth_hint is None for r in off)
