"""Lids the driver lowers halfway (a look down, a sleepy look) come down on the portrait too.

woman_expressions looks down at frames 84-96 with her lids at about half their resting gap, and
MediaPipe's eyeBlink reads only 0.29-0.32 there (a blink's shut eyes read 0.65-0.8). An AU45 that
ignored eyeBlink below 0.25 drew the portrait's eyes wide open. How far the lids came down is
measured on both faces alike, by MediaPipe's lid landmarks: the gap between the lids over the eye
width (``eye_apertures``), against the same face at rest.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import shared_path
from face_regions import eye_apertures
from livemorph.runtime.render import _driver_readings

DRIVER = "assets/driving/woman_expressions.mp4"
HALF_LOWERED = (84, 88, 92, 96)


@pytest.fixture(scope="module")
def driver(config):
    """{frame: (image, reading)} of her rest (frame 0) and her half-lowered lids, read as `render`
    reads a driver: the whole driver's rest (her first 97 frames alone rest half lowered)."""
    frames = {}
    with _driver_readings(shared_path(DRIVER), config, None) as (_, readings):
        for index, (image, reading) in enumerate(readings):
            if index == 0 or index in HALF_LOWERED:
                frames[index] = (image, reading)
            if index == max(HALF_LOWERED):
                break
    return frames


@pytest.mark.parametrize("name", ["mona_lisa.jpg", "london_092_beard.jpg"])
def test_lids_the_driver_lowers_halfway_come_down_on_the_portrait(name, driver, image_tracker, puppets):
    portrait, puppet = puppets(name)
    drawn = {index: puppet.step(reading) for index, (_, reading) in driver.items()}

    def lowered(images: dict, rest: np.ndarray) -> float:
        """The mean share of the resting gap the lids have closed over the half-lowered frames."""
        rest_gap = np.mean(eye_apertures(image_tracker.detect_largest(rest).landmarks))
        return float(np.mean([1.0 - np.mean(eye_apertures(image_tracker.detect_largest(images[i]).landmarks)) / rest_gap
                              for i in HALF_LOWERED]))

    drivers = lowered({index: image for index, (image, _) in driver.items()}, driver[0][0])
    portraits = lowered(drawn, portrait.image)
    assert 0.3 < drivers < 0.7, drivers  # she does lower them halfway here
    # measured: the driver 0.43; Mona Lisa 0.30, London 092 0.20 (AU45 with its old 0.25 offset: 0.05, 0.07).
    # With the eye squashed under the lid, rather than the lid sliding over it, 0.46 and 0.22: MediaPipe
    # places its lid points by the iris as much as by the lid, and reads a round iris as a more open eye.
    assert 0.4 * drivers < portraits < 0.9, (drivers, portraits)
