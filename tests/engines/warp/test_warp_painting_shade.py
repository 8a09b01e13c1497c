"""A varnished painting's mouth, parted a little, is in the painting's own shade (default config).

The Mona Lisa's painted teeth are ivory (Lab b* +41); darkened in a thin opening they went an
olive-green band no part of the painting has. Judged on the opening's pixels (the inner-lip
polygon the engine moved the lips to): each pixel's Lab hue against the hue of the source face's
own pixels of the same lightness (the painting's palette, read here from the source image). The
lips part over clenched teeth: woman_expressions' grimace, its mouth passed as the hint ``run``
passes (the driver's grey-white teeth, matched to the portrait's ivory, were where the olive came
from: the synthesized interior alone stays within 5 deg).
"""
from __future__ import annotations

import cv2
import numpy as np

from livemorph.face.mouth_hint import lip_lines, mouth_hint

from conftest import driver_frame, resting_plus, shared_face
from face_regions import FACE_OVAL, INNER_LIPS, fill

GRIMACE_FRAME = ("woman_expressions.mp4", 11)
# The grimace's change as livemorph reads it against the driver's rest (contact sheet, wink column).
GRIMACE = {"AU25": 0.7, "AU10": 1.15, "AU20": 1.36, "AU12": 1.3, "AU06": 0.74}
MOST_GREENER_DEG = 7.0  # the opening's greenest tenth at most this much greener than the paint at its lightness


def _lab(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.asarray(image, np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def _palette_hue(source_lab: np.ndarray, face: np.ndarray, lightness: np.ndarray) -> np.ndarray:
    """The hue (degrees) of the source face's pixels within 3 L* of each of ``lightness``."""
    pixels = source_lab[face]
    hue = np.degrees(np.arctan2(pixels[:, 2], pixels[:, 1]))
    return np.array([np.median(hue[np.abs(pixels[:, 0] - level) < 3.0]) for level in lightness])


def test_a_thin_opening_in_a_painting_is_no_greener_than_the_paint(config, engine, image_tracker):
    portrait = shared_face("mona_lisa.jpg", config, image_tracker)
    prepared = engine.prepare(portrait)
    frame = driver_frame(*GRIMACE_FRAME)
    hint = mouth_hint(frame, lip_lines(image_tracker.detect_largest(frame)))
    assert hint is not None, "the driver's grimace shows no mouth"
    aus = resting_plus(prepared, **GRIMACE)
    out = engine.render(prepared, aus, mouth_hint=hint)
    moved = engine.displaced_vertices(prepared, aus)
    opening = fill(out.shape[:2], moved[list(INNER_LIPS)]).astype(bool)
    assert opening.sum() > 50, "the lips did not part"
    lab = _lab(out)[opening]
    lab = lab[np.hypot(lab[:, 1], lab[:, 2]) > 8.0]  # hue only where there is colour
    source = _lab(portrait.image)
    face = fill(source.shape[:2], portrait.track.landmarks[:, :2][list(FACE_OVAL)]).astype(bool)
    greener = np.degrees(np.arctan2(lab[:, 2], lab[:, 1])) - _palette_hue(source, face, lab[:, 0])
    assert np.percentile(greener, 90) <= MOST_GREENER_DEG, (
        f"the opening's greenest tenth is {np.percentile(greener, 90):+.1f} deg from the painting's hue at "
        f"its lightness (median {np.median(greener):+.1f})")
