"""A shut lid has the skin's texture at the skin's own scale (``engines/warp/lid_grain.py``).

A reviewer saw london_092's shut lids (a sharp photo of a face with visible pores) as "smooth
mauve-grey ovals with no texture at all: the grey patch lids". The lid's grain is a strip of the
skin right above the open eye: thin, smooth lid skin, much smoother at the pores' scale than the
skin around the eye, and it was brought only halfway (in ratio) to that skin's level there.

Judged on the rendered portrait against the source, from the portrait's MediaPipe landmarks
(not the lid painter's geometry): the robust spread (median absolute deviation) of the fine
detail at the pores' scale (luminance minus its Gaussian blur, sigma PORE_SIGMA px; london_092's
eyes are ~90 px wide) on the shut lid (from 0.2 eye widths above the open eye's upper lid margin
down to halfway to its lower lid) over the same on the skin around the open eye (0.06 to 0.3 eye
widths above its upper and below its lower lid margin, past the lashes) that the shut lid leaves
uncovered, in the same rendered frame (until review 19 the source's skin: but the warp's
resampling softens the skin it moves, and a lid as crisp as the source was a stippled patch).

At AU45 +4, per eye (right, left), against the source's skin: before, 0.52 and 0.45; then 0.65
and 0.59 (london_042, whose lids a reviewer found "textured, natural", measured 0.61 and 0.67
before). Against the rendered skin: 0.86 and 0.82 before the lid's grain was taken as the warp
draws the skin (lid_grain.as_resampled; on the bicubic warp), 0.84 and 0.88 after.
"""
from __future__ import annotations

import cv2
import numpy as np

from conftest import render_change, shared_face
from face_regions import fine_detail, robust_spread, shut_lid_and_skin

PORE_SIGMA = 3.0
# Below this share of the skin's texture at the pores' scale, a shut lid reads as a smooth pad.
# Against the rendered skin (softer than the source's) the review-16 defect, the grain brought only
# halfway (lid_grain's scale share 0.5), scores 0.66 / 0.70 and no grain at all 0.54 / 0.54: the
# bound sits above them (at the source skin's 0.55 it no longer saw the half-way lids).
TEXTURED = 0.75


def _texture_shares(shown: np.ndarray, landmarks) -> list[float]:
    """Per eye: the shut lid's texture over that of the skin around the open eye that the lid
    leaves uncovered, both as rendered (the warp's resampling softens the skin it moves)."""
    after = fine_detail(shown, PORE_SIGMA)
    return [robust_spread(after[lid]) / robust_spread(after[skin & ~lid])
            for lid, skin in shut_lid_and_skin(after.shape, landmarks, 0.3)]


def test_a_shut_lid_on_a_pored_face_is_textured_as_its_skin(config, engine, image_tracker):
    portrait = shared_face("london_092_beard.jpg", config, image_tracker)
    shut = render_change(engine, portrait, AU45=4.0)
    for share in _texture_shares(shut, portrait.track.landmarks):
        assert share >= TEXTURED, f"the shut lid has {share:.2f} of the skin's texture at its pores' scale: a smooth pad"


def test_the_measure_sees_a_smooth_pad(config, engine, image_tracker):
    """The same shut lids smoothed (a pad with the lid's light but no texture) measure far below
    the bound: a pass is not a measure that cannot fail."""
    portrait = shared_face("london_092_beard.jpg", config, image_tracker)
    shut = render_change(engine, portrait, AU45=4.0)
    smooth = cv2.GaussianBlur(shut, (0, 0), PORE_SIGMA)
    padded = shut.copy()
    for lid, _ in shut_lid_and_skin(shut.shape[:2], portrait.track.landmarks, 0.3):
        padded[lid] = smooth[lid]
    assert max(_texture_shares(padded, portrait.track.landmarks)) < 0.5 * TEXTURED
