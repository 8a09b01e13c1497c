"""An upper-lip raise (AU10) lifts the upper lip toward the nose (default config).

py-feat's AU10 column barely lifted the upper lip and dropped the lower (a parting it co-occurred
with): with the lips held closed, a sneer or a grimace moved nothing. (A portrait showing its teeth
keeps its lip over them: not tested here.) Judged by MediaPipe, run
afresh on the output: the upper lip's top below the nose base, along the face's down axis, against
the source's, in source mouth widths.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import render_change, shared_face


def _upper_lip_below_the_nose(track):
    xy = track.landmarks[:, :2]
    across = xy[263] - xy[33]
    down = np.array([-across[1], across[0]]) / np.linalg.norm(across)
    width = float(np.linalg.norm(xy[291] - xy[61]))
    return float((xy[0] - xy[2]) @ down), width


@pytest.mark.parametrize("name", ["london_092_beard.jpg", "grace_hopper_glasses.jpg", "mona_lisa.jpg"])
def test_an_upper_lip_raise_lifts_the_upper_lip(name, config, engine, image_tracker):
    portrait = shared_face(name, config, image_tracker)
    faces = image_tracker.detect_all(render_change(engine, portrait, AU10=3.0))
    assert faces, "the tracker lost the face"
    upper, width = _upper_lip_below_the_nose(portrait.track)
    raised, _ = _upper_lip_below_the_nose(faces[0])
    rise = (upper - raised) / width
    # (py-feat's column: 0.010-0.017; the mesh's own rise is 0.06-0.09, MediaPipe reads about half)
    assert rise > 0.03, f"the upper lip rose {rise:+.3f} mouth widths toward the nose"
