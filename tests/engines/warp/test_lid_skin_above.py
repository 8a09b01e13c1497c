"""A shut lid is as light as the skin above it (``engines/warp/lid_tone.py``).

A reviewer saw the astronaut's shut lids (a small face: eyes ~19 px wide) as "brown-ringed
ovals": darker than the bright skin between the crease and the brow. The lid painter took the
light above the eye from the crease's line, which on so small a face lies within the 2 px it
left out round the open eye's lashes, and left out the bright skin below the brow with the
soft edge round MediaPipe's brow outline, which on so small a face reaches down over it.

Judged on the rendered portrait against the source, from the portrait's MediaPipe landmarks (not
the painter's geometry), across the middle third of each eye: the shut lid's median luminance
where it lies (from the open eye's upper lid margin down to a third of the way to its lower
lid, above the lashes' shadow) over the source's median luminance of the skin above the crease
(from 0.2 to 0.6 of the way from the brow's lower contour down to the upper lid margin).

The Mona Lisa's right lid (left in the picture) was "a pale mound": lighter than the skin above
it. That light came from the open eye's lit upper lid alone: her bare brow bone's skin, in
the soft edge round MediaPipe's brow outline, was left out as hair (there, only what is far
darker than the skin around the eye is hair now).

At AU45 +4, per eye: before, astronaut 0.94 and 0.96, Mona Lisa 1.15 and 0.85; now 0.98 and
0.99, 1.07 and 0.90. On the open astronaut the measure reads 0.28 and 0.26 (the control below).
"""
from __future__ import annotations

import cv2
import numpy as np

from conftest import render_change, shared_face
from face_regions import polygon

# Per eye, eye_fields.EYES order (MediaPipe): corners (outer, inner), the upper and lower lid
# margins' inner points and the brow's lower contour.
EYES = (((33, 133), (161, 160, 159, 158, 157), (163, 144, 145, 153, 154), (46, 53, 52, 65, 55)),
        ((263, 362), (388, 387, 386, 385, 384), (390, 373, 374, 380, 381), (276, 283, 282, 295, 285)))
# Darker than this share of the skin above it, a shut lid reads as a dark-rimmed patch; lighter
# than NO_LIGHTER, as a pale mound.
NO_DARKER, NO_LIGHTER = 0.96, 1.1


def _middle_third(points: np.ndarray, outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """``points`` resampled at 9 places across the middle third of the eye (by their projection)."""
    axis = inner - outer
    t = (points - outer) @ axis / float(axis @ axis)
    order = np.argsort(t)
    at = np.linspace(1 / 3, 2 / 3, 9)
    return np.stack([np.interp(at, t[order], points[order, k]) for k in (0, 1)], axis=1)


def _lid_over_skin_above(source: np.ndarray, shown: np.ndarray, landmarks) -> list[float]:
    before = cv2.cvtColor(source, cv2.COLOR_RGB2GRAY).astype(np.float32)
    after = cv2.cvtColor(shown, cv2.COLOR_RGB2GRAY).astype(np.float32)
    lm = np.asarray(landmarks, np.float64)[:, :2]
    shares = []
    for (outer, inner), upper, lower, brow in EYES:
        up, low, bw = (_middle_third(lm[list(ids)], lm[outer], lm[inner]) for ids in (upper, lower, brow))
        lid = polygon(before.shape, np.vstack([up, (up + (low - up) / 3.0)[::-1]]))
        skin = polygon(before.shape, np.vstack([bw + 0.2 * (up - bw), (bw + 0.6 * (up - bw))[::-1]]))
        shares.append(float(np.median(after[lid]) / np.median(before[skin])))
    return shares


def test_a_small_faces_shut_lid_is_no_darker_than_the_skin_above_it(config, engine, image_tracker):
    portrait = shared_face("astronaut_small_face.png", config, image_tracker)
    shut = render_change(engine, portrait, AU45=4.0)
    for share in _lid_over_skin_above(portrait.image, shut, portrait.track.landmarks):
        assert share >= NO_DARKER, f"the shut lid is {share:.2f} of the skin above it: a dark-rimmed patch"


def test_a_shut_lid_is_no_lighter_than_the_skin_above_it(config, engine, image_tracker):
    portrait = shared_face("mona_lisa.jpg", config, image_tracker)
    shut = render_change(engine, portrait, AU45=4.0)
    for share in _lid_over_skin_above(portrait.image, shut, portrait.track.landmarks):
        assert share <= NO_LIGHTER, f"the shut lid is {share:.2f} of the skin above it: a pale mound"


def test_the_measure_sees_the_open_eye(config, image_tracker):
    """On the open astronaut the same regions hold her iris and lashes: the measure falls far
    below the bound (a pass above is not a measure that cannot fail)."""
    portrait = shared_face("astronaut_small_face.png", config, image_tracker)
    assert max(_lid_over_skin_above(portrait.image, portrait.image, portrait.track.landmarks)) < NO_DARKER
