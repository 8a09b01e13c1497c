"""A jaw drop opens evenly: the opening does not slide toward one end of the mouth.

The expectation comes from the mirror, not from the engine: the same portrait flipped left to
right must drop its jaw as the mirror image of the original's. Whatever the portrait's own pose
draws (a turned head shows its near corner moving more) changes side with the flip; what keeps
its side in the image is the drawing's own lean. Judged on where the engine moves the mouth
corners (``render_and_mesh``): a lean of a few pixels is the whole fault, below what MediaPipe
reads reliably on a painted opening.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import render_and_mesh, shared_path
from face_regions import UPPER_OUTER

LEFT_CORNER, RIGHT_CORNER = UPPER_OUTER[0], UPPER_OUTER[-1]  # image left and right, in both images
JAW_DROP = dict(AU26=4.6, AU25=2)  # the reviewer's strong jaw drop


def _portrait(image, config, tracker, name):
    from livemorph.portrait import prepare_portrait_face

    return prepare_portrait_face(np.ascontiguousarray(image), config, source=name, tracker=tracker)


def _left_corner_pulled_in_more(engine, portrait) -> float:
    """How much further the image-left mouth corner moves toward the other than the right one
    does, over the mouth's width (< 0: the right corner moves in more)."""
    _, moved = render_and_mesh(engine, portrait, **JAW_DROP)
    rest = portrait.track.landmarks[:, :2]
    width = float(np.linalg.norm(rest[RIGHT_CORNER] - rest[LEFT_CORNER]))
    along = (rest[RIGHT_CORNER] - rest[LEFT_CORNER]) / width
    inward_left = float((moved[LEFT_CORNER] - rest[LEFT_CORNER]) @ along)
    inward_right = -float((moved[RIGHT_CORNER] - rest[RIGHT_CORNER]) @ along)
    return (inward_left - inward_right) / width


@pytest.mark.parametrize("name", ["lisa3_head_turned.jpg", "trump_official_2017.png", "mona_lisa.jpg",
                                  "london_092_beard.jpg"])
def test_a_jaw_drop_draws_both_mouth_corners_in_alike(name, config, engine, image_tracker):
    # Before: py-feat's jaw column pulled the image-left corner in 1.4 model units and the right
    # one 0.6; on every portrait the opening slid toward image right by 0.02-0.04 mouth widths
    # (lisa3's tilted mouth: its left corner closed into skin). Mirrored, a lean that belongs
    # to the portrait changes sign; the engine's own lean is the mean of the two.
    from livemorph.frames import load_image

    image = load_image(shared_path(f"assets/portraits/{name}"))
    as_is = _left_corner_pulled_in_more(engine, _portrait(image, config, image_tracker, name))
    mirrored = _left_corner_pulled_in_more(engine, _portrait(image[:, ::-1], config, image_tracker, name))
    lean = 0.5 * (as_is + mirrored)
    assert abs(lean) < 0.012, (f"the opening slides toward image {'right' if lean > 0 else 'left'} by {abs(lean):.3f} "
                               f"mouth widths (as is {as_is:+.3f}, mirrored {mirrored:+.3f})")
