"""A shut lid has no edge where it meets the skin beside it (``engines/warp/lids.py``).

A real shut lid is continuous with the skin around it: at its outer end it runs into the socket's
shade with no step. Measured on the shared driver woman_blinks.mp4 (11 full blinks, both eyes; the
place from MediaPipe's landmarks on the open frame just before each blink, ``_outer_end_fall``): the
sharpest fall in luminance outward across the shut lid's outer end, over 0.05 eye widths, is 0.009 to
0.090 (median 0.02) of the median luminance of the bare skin above the lid.

Lit up to the light of the skin above it to its ends, london_042's shut lids were light ovals in a
darker socket, an edge at the outer corner (0.18-0.20, before this test; 0.04-0.06 before the lids
were lit at all).
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_change, shared_face
from face_regions import EYE_CONTOURS, lid_and_skin_above

# The steepest real shut lid's outer end (0.09 of the skin above's luminance over 0.05 eye widths),
# widened by a third for another face and another light.
NO_EDGE = 0.12
HEIGHT = 0.1  # eye widths above the line through the corners: where a shut lid ends at the corner
APART = 0.05  # eye widths: how sharp a fall is an edge
STEP = 0.025  # eye widths between samples along the line


def _outer_end_fall(image: np.ndarray, landmarks) -> list[float]:
    """Per eye: along a line HEIGHT eye widths above its corners, from 0.3 eye widths inside its outer
    corner to 0.4 outside it, the most the luminance (smoothed over 0.03 eye widths: skin's pores
    are not an edge) falls over APART eye widths outward."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    lm = np.asarray(landmarks, np.float64)[:, :2]
    falls = []
    for upper, lower, (outer, inner) in EYE_CONTOURS:
        width = float(np.linalg.norm(lm[inner] - lm[outer]))
        axis = (lm[inner] - lm[outer]) / width
        up = np.array([axis[1], -axis[0]])
        if float((lm[list(lower)] - lm[list(upper)]).mean(axis=0) @ up) > 0:
            up = -up
        smooth = cv2.GaussianBlur(gray, (0, 0), max(0.03 * width, 0.8))
        along = np.arange(0.3, -0.4 - 1e-6, -STEP)
        points = (lm[outer] + along[:, None] * width * axis + HEIGHT * width * up).astype(np.float32)
        profile = cv2.remap(smooth, points[None, :, 0], points[None, :, 1], cv2.INTER_LINEAR)[0]
        k = int(round(APART / STEP))
        falls.append(float((profile[:-k] - profile[k:]).max()))
    return falls


@pytest.mark.parametrize("closure", [3.0, 4.0])
def test_a_shut_lid_runs_into_the_skin_beside_its_outer_end(closure, config, engine, image_tracker):
    portrait = shared_face("london_042_grayscale.png", config, image_tracker)
    shut = render_change(engine, portrait, AU45=closure)
    source = cv2.cvtColor(portrait.image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    skin_above = [float(np.median(source[above])) for _, above in lid_and_skin_above(source.shape, portrait.track.landmarks)]
    for fall, skin in zip(_outer_end_fall(shut, portrait.track.landmarks), skin_above):
        assert fall / skin <= NO_EDGE, (f"the shut lid's outer end falls by {fall / skin:.3f} of the skin above's "
                                        f"luminance over {APART} eye widths: an edge (a real lid: at most 0.09)")
