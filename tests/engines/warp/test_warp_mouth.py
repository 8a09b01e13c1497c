"""The painted mouth interior on real portraits, judged on the output as a viewer would see it.

For the smile, the mouth is located afresh by MediaPipe on the rendered image and what counts
as dark comes from the portrait's own lips; for the open mouth, brightness down the middle of
the opening is compared with the portrait's own teeth there.

- A smile with the lips barely parted shows at most a thin dark line, not a dark crescent.
- A portrait smiling with its upper teeth, opening wide, shows one row of them, not a copy.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_and_mesh, render_change, shared_face
from face_regions import LOWER_OUTER, UPPER_OUTER, fill



def _gray(image):
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)


def _lip_gray(portrait) -> float:
    """Median grey level of the portrait's lips (outer lip contour, closed or not)."""
    xy = portrait.track.landmarks[:, :2]
    lips = fill(portrait.image.shape[:2], xy[list(UPPER_OUTER) + list(LOWER_OUTER[::-1])]).astype(bool)
    return float(np.median(_gray(portrait.image)[lips]))


def _dark_thickness(image, tracker, dark_below: float) -> float:
    """Dark pixels around the mouth (as MediaPipe finds it on ``image``) per mouth width, over
    the mouth width: the mean thickness of the dark part, in mouth widths."""
    track = tracker.detect_largest(image)
    assert track.present
    xy = track.landmarks[:, :2]
    width = float(np.linalg.norm(xy[291] - xy[61]))
    mouth = fill(image.shape[:2], xy[list(UPPER_OUTER) + list(LOWER_OUTER[::-1])])
    grow = int(0.06 * width) | 1  # an outline just outside the lips counts too
    mouth = cv2.dilate(mouth, np.ones((grow, grow), np.uint8)).astype(bool)
    return float((_gray(image)[mouth] < dark_below).sum()) / width ** 2


@pytest.mark.parametrize("name", ["mona_lisa.jpg", "lisa3_head_turned.jpg"])
def test_a_barely_parted_smile_shows_a_thin_line_not_a_dark_crescent(name, config, engine, image_tracker):
    portrait = shared_face(name, config, image_tracker)
    dark_below = 0.5 * _lip_gray(portrait)
    rest = _dark_thickness(portrait.image, image_tracker, dark_below)
    smiling = _dark_thickness(render_change(engine, portrait, AU12=3, AU25=1), image_tracker, dark_below)
    # A line a pixel thick on a 60-90 px mouth adds ~0.1-0.2 % of its width; the painted
    # crescent with its dark outline added 1.6 % (Mona Lisa) and 1.9 % (lisa3).
    assert smiling - rest < 0.006, f"dark thickness {rest:.4f} -> {smiling:.4f} mouth widths"



@pytest.mark.parametrize("jaw", [2.0, 3.5])
def test_a_toothy_portrait_opening_wide_shows_one_row_of_its_teeth_not_a_copy(jaw, config, engine, image_tracker):
    # The astronaut smiles with her upper teeth only; a jaw drop must open a dark mouth below
    # them, not bring along a second, copied row of the same teeth on the lower lip (a lower
    # row set back in their shadow, darker and shorter, is what a mouth shows).
    out, moved = render_and_mesh(engine, shared_face("astronaut_small_face.png", config, image_tracker), AU26=jaw, AU25=1.0)
    out = _gray(out)
    cx, top, bottom = int(round(moved[13, 0])), moved[13, 1], moved[14, 1]
    column = out[int(np.ceil(top)):int(bottom), cx - 2:cx + 3].mean(axis=1)
    assert len(column) > 12  # the opening at least doubled (~6 px at rest)
    cavity = int(np.argmin(column))
    teeth = column[:cavity].max()
    below = column[cavity:-2]  # down to the lower lip's soft edge
    assert column[cavity] < 0.4 * teeth, "no dark cavity under the upper teeth"
    # Was 1.15x / 0.9x the teeth with the copied row.
    assert below.max() < 0.8 * teeth, f"upper teeth {teeth:.0f}, below the cavity {below.max():.0f}"
