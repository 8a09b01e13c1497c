"""A portrait lying on its side or upside down (a scan, or a photo stored turned without an EXIF tag
to right it): its face must be fitted the right way up, and its mouth must open where it is.

Shown a face upside down, MediaPipe finds none (lisa3) or fits an upright face to it upside down
(Obama: the mesh's mouth on his forehead). On the crop around a face lying on its side, the Mona
Lisa's fit came out upside down too, and the warp engine opened her mouth on her forehead
(session 66's sweep of unusual pictures). Where each point must land is worked out here from the
upright picture's own fit, its coordinates turned as ``np.rot90`` turns the picture (written here,
not livemorph's code).
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import resting_plus, shared_face
from livemorph.portrait import prepare_portrait_face

PORTRAITS = ("mona_lisa.jpg", "obama_official_2012.jpg", "lisa3_head_turned.jpg")
TURNS = (1, 2, 3)  # np.rot90's quarter turns, counter-clockwise
# Points that tell which way a face lies: outer eye corners, nose tip, mouth corners, lips' middle, chin.
KEY_POINTS = (33, 263, 1, 61, 291, 13, 14, 152)
EYE_CORNERS = (33, 263)
# How far (eye spans, mean over KEY_POINTS) a turned picture's fit may lie from the upright one's
# turned along: 0.00-0.02 for these nine; fitted upside down (before) 1.0-1.6.
FIT_AGREES = 0.2


def _turned_points(xy: np.ndarray, turns: int, height: int, width: int) -> np.ndarray:
    """Coordinates ``xy`` of a ``height`` x ``width`` picture (continuous, as MediaPipe's: 0 to the
    width across), in that picture turned ``turns`` quarter turns by ``np.rot90``: each turn takes
    (x, y) to (y, width - x)."""
    xy = np.asarray(xy, np.float64)
    for _ in range(turns):
        xy = np.stack([xy[:, 1], width - xy[:, 0]], axis=1)
        height, width = width, height
    return xy


@pytest.fixture(scope="module")
def upright(config, image_tracker):
    return {name: shared_face(name, config, image_tracker) for name in PORTRAITS}


def _turned_portrait(portrait, turns, config, tracker):
    turned = np.ascontiguousarray(np.rot90(portrait.image, turns))
    return prepare_portrait_face(turned, config, source=f"turned {turns}", tracker=tracker)


@pytest.mark.parametrize("name", PORTRAITS)
@pytest.mark.parametrize("turns", TURNS)
def test_a_turned_portraits_face_is_fitted_the_right_way_up(name, turns, upright, config, image_tracker):
    portrait = upright[name]
    expected = _turned_points(portrait.track.landmarks[:, :2], turns, *portrait.image.shape[:2])
    found = _turned_portrait(portrait, turns, config, image_tracker).track.landmarks[:, :2]
    eye_span = float(np.linalg.norm(np.subtract(*expected[list(EYE_CORNERS)])))
    off = float(np.linalg.norm(found[list(KEY_POINTS)] - expected[list(KEY_POINTS)], axis=1).mean()) / eye_span
    assert off < FIT_AGREES, f"{name} turned {turns}: its fit lies {off:.2f} eye spans from the upright one's"


@pytest.mark.parametrize("turns", TURNS)
def test_a_jaw_drop_opens_a_turned_mona_lisas_mouth_not_her_forehead(turns, upright, config, image_tracker, engine):
    portrait = upright["mona_lisa.jpg"]
    height, width = portrait.image.shape[:2]
    landmarks = portrait.track.landmarks[:, :2]
    mouth, forehead = (_turned_points(landmarks[list(points)].mean(axis=0, keepdims=True), turns, height, width)[0]
                       for points in ((13, 14), (151, 9)))
    turned = _turned_portrait(portrait, turns, config, image_tracker)
    prepared = engine.prepare(turned)
    out = engine.render(prepared, resting_plus(prepared, AU26=3.0, AU25=2.0))
    changed = np.abs(out.astype(np.float32) - turned.image).mean(axis=2)
    reach = int(0.1 * np.linalg.norm(np.subtract(*landmarks[list(EYE_CORNERS)])))

    def around(point):
        x, y = (int(round(c)) for c in point)
        return float(changed[y - reach:y + reach + 1, x - reach:x + reach + 1].mean())

    # Now 26-27 grey levels around her mouth and 0 on her forehead. Fitted upside down (before): her
    # mouth stayed shut (0) and an opening was drawn on her forehead.
    assert around(mouth) > 15.0, f"turned {turns}: her mouth barely changed ({around(mouth):.1f} grey levels)"
    assert around(forehead) < 3.0, f"turned {turns}: her forehead changed {around(forehead):.1f} grey levels"
