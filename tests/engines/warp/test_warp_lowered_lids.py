"""Lids the driver lowers halfway (a look down, a sleepy look) come down on the portrait too, and
a lid on its way down is the portrait's own lid: its dark lashed margin kept, no catch-light on it.

woman_expressions looks down at frames 84-96 with her lids at about half their resting gap, and
MediaPipe's eyeBlink reads only 0.29-0.32 there (a blink's shut eyes read 0.65-0.8). An AU45 that
ignored eyeBlink below 0.25 drew the portrait's eyes wide open. How far the lids came down is
measured on both faces alike, by MediaPipe's lid landmarks: the gap between the lids over the eye
width (``eye_apertures``), against the same face at rest.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_and_mesh, shared_face, shared_path
from face_regions import EYE_CONTOURS, eye_apertures, iris_discs
from livemorph.runtime.render import _driver_readings

DRIVER = "assets/driving/woman_expressions.mp4"
HALF_LOWERED = (84, 88, 92, 96)
# She looks down further, no frown, her lids lowered by about two thirds (AU45 +1.5..+1.6 as `render`
# reads her, with her whole video's rest; +1.2..+1.4 live).
MOSTLY_LOWERED = (103, 105, 107)


@pytest.fixture(scope="module")
def driver(config):
    """{frame: (image, reading)} of her rest (frame 0) and her half-lowered lids, read as `render`
    reads a driver: the whole driver's rest (her first 97 frames alone rest half lowered)."""
    frames = {}
    with _driver_readings(shared_path(DRIVER), config, None) as (_, readings):
        for index, (image, reading) in enumerate(readings):
            if index == 0 or index in HALF_LOWERED + MOSTLY_LOWERED:
                frames[index] = (image, reading)
            if index == max(MOSTLY_LOWERED):
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


@pytest.mark.parametrize("name", ["lisa3_head_turned.jpg", "london_042_grayscale.png", "london_092_beard.jpg",
                                  "grace_hopper_glasses.jpg"])
def test_lids_the_driver_lowers_two_thirds_leave_the_eye_open_under_them(name, driver, image_tracker, puppets):
    # Lowered by about two thirds (her look down, frames 103-107, AU45 +1.5..+1.6 here) her lids stay
    # 0.36 of their rest apart and her eyes read as open. The painted lid reached 0.06 eye widths
    # below its margin, its lashes fanned down over the rest, its soft edge hung across it and the
    # iris stayed where it was under it: the portraits' eyes were drawn shut ("reads as blinking or
    # wincing rather than looking down", fresh review). Lids open, the portrait's share over the
    # driver's, before -> now (``lids.BELOW_FROM``, ``eye_gaze.IRIS_UNDER_LOWERED_LID``): lisa3
    # 0.52 -> 0.87, London 042 0.41 -> 0.72, London 092 0.79 -> 1.05, Grace Hopper 0.80 -> 0.99.
    # Not here, still short of 0.6: the Mona Lisa 0.06 -> 0.25, the astronaut 0.12 -> 0.57, Trump
    # 0.49 -> 0.57 (eyes 19-45 px wide, or resting narrow: the gap left is a few pixels).
    portrait, puppet = puppets(name)

    def gap(image: np.ndarray) -> float:
        return float(np.mean(eye_apertures(image_tracker.detect_largest(image).landmarks)))

    ours = np.mean([gap(puppet.step(driver[index][1])) for index in MOSTLY_LOWERED]) / gap(portrait.image)
    theirs = np.mean([gap(driver[index][0]) for index in MOSTLY_LOWERED]) / gap(driver[0][0])
    print(f"{name}: lids open {ours:.2f} of their rest, the driver's {theirs:.2f}")
    assert 0.2 < theirs < 0.5  # she does lower them by about two thirds here
    assert ours < 0.8, f"{name}: the lids did not come down ({ours:.2f} of their rest apart)"
    assert ours > 0.6 * theirs, f"{name}: lids drawn shut, {ours:.2f} of their rest apart where the driver's are {theirs:.2f}"


def _margin_darkness(image: np.ndarray, xy: np.ndarray) -> float:
    """The 10th percentile grey, both eyes, of a band along the upper lid's margin through ``xy``
    (0.06 eye widths above it to 0.08 below it), over the middle half of the eye: its lashes."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    values = []
    for upper, _, (outer, inner) in EYE_CONTOURS:
        lid = xy[[outer, *upper, inner]]
        lid = lid[np.argsort(lid[:, 0])]
        width = float(np.linalg.norm(xy[outer] - xy[inner]))
        span = lid[-1, 0] - lid[0, 0]
        for x in range(int(lid[0, 0] + 0.25 * span), int(lid[-1, 0] - 0.25 * span) + 1):
            y = float(np.interp(x, lid[:, 0], lid[:, 1]))
            values.extend(gray[int(y - 0.06 * width):int(y + 0.08 * width) + 1, x])
    return float(np.percentile(values, 10))


@pytest.mark.parametrize("name", ["london_092_beard.jpg", "obama_official_2012.jpg", "astronaut_small_face.png"])
def test_a_half_lowered_lid_keeps_its_lashed_margin(name, config, engine, image_tracker):
    # A shut lid is painted (``lids``), fading in as the lids close. At lids 60 % down (AU45 +1.2)
    # the paint lay over the lowered lid's own margin at 60 % strength and its lash line at 45 %: a
    # pale veil the iris showed through, the lashes washed out ("see-through lids", London 092, fresh
    # review). The margin's darkest grey over the portrait's own, before: London 092 +19, Obama +29,
    # the astronaut +25; with the lash line fading in ahead of the lid (``lids.LASH_START``) +8, +13, +11.
    portrait = shared_face(name, config, image_tracker)
    own = _margin_darkness(portrait.image, portrait.track.landmarks[:, :2])
    out, moved = render_and_mesh(engine, portrait, AU45=1.2)
    lowered = _margin_darkness(out, moved)
    print(f"{name}: the upper lid's margin, darkest grey {own:.0f} open, {lowered:.0f} 60 % down")
    assert lowered < own + 15.0, f"{name}: a half-lowered lid's margin is veiled ({lowered:.0f} against {own:.0f})"


def _small_bright(gray: np.ndarray, width: float) -> np.ndarray:
    """What stands out brighter than its surroundings within 0.15 eye widths (a white top-hat)."""
    size = max(3, int(0.15 * width) | 1)
    return cv2.morphologyEx(gray, cv2.MORPH_TOPHAT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))


@pytest.mark.parametrize("name", ["astronaut_small_face.png", "obama_official_2012.jpg"])
def test_a_closing_lid_carries_no_catchlight(name, config, engine, image_tracker):
    # The landmarks' upper-lid margin runs through the top of a catch-light sitting right under it,
    # so the lid coming down carried its top as a white speck on the lid (a blind reviewer saw "a
    # left-over catchlight" above the lash line). The brightest small feature on the lid, from a
    # pixel under its margin up 0.15 eye widths over the iris, against the catch-light's own in the
    # portrait's iris, lids 45 % down (AU45 +0.9), before: the astronaut 0.38, Obama 0.24; with
    # bright specks on a closing lid brought down to its skin (``lids._no_catchlight_on_the_lid``)
    # 0.06, 0.13.
    portrait = shared_face(name, config, image_tracker)
    rest = portrait.track.landmarks[:, :2]
    out, moved = render_and_mesh(engine, portrait, AU45=0.9)
    before, after = (cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) for image in (portrait.image, out))
    rows, cols = np.mgrid[:before.shape[0], :before.shape[1]]
    shares = []
    for (upper, _, (outer, inner)), (centre, radius) in zip(EYE_CONTOURS, iris_discs(rest)):
        width = float(np.linalg.norm(rest[outer] - rest[inner]))
        catchlight = float(_small_bright(before, width)[np.hypot(cols - centre[0], rows - centre[1]) <= radius].max())
        lid = moved[[outer, *upper, inner]]
        lid = lid[np.argsort(lid[:, 0])]
        margin = np.interp(cols, lid[:, 0], lid[:, 1])
        on_lid = (np.abs(cols - centre[0]) <= radius) & (rows <= margin + 1.0) & (rows >= margin - 0.15 * width)
        shares.append(float(_small_bright(after, width)[on_lid].max()) / catchlight)
    print(f"{name}: the brightest speck on the closing lids, {shares[0]:.2f} and {shares[1]:.2f} of the catch-light")
    assert max(shares) < 0.2, f"{name}: a catch-light rides on the closing lid ({max(shares):.2f} of its brightness)"
