"""A lip stretch (AU20) widens the mouth and leaves it at its height (default config).

py-feat's AU20 column also slid the whole mouth down a fifth of its width (the jaw drop it
co-occurred with). Judged by MediaPipe, run afresh on the output: the mouth's width, and the lips'
middle below the nose base along the face's down axis, against the source's, in source mouth widths.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import render_change, shared_face


def _mouth(track):
    xy = track.landmarks[:, :2]
    across = xy[263] - xy[33]
    down = np.array([-across[1], across[0]]) / np.linalg.norm(across)
    lips = 0.5 * (xy[0] + xy[17])
    return float(np.linalg.norm(xy[291] - xy[61])), float((lips - xy[2]) @ down)


@pytest.mark.parametrize("name", ["london_092_beard.jpg", "mona_lisa.jpg", "obama_official_2012.jpg"])
def test_a_lip_stretch_widens_the_mouth_and_keeps_its_height(name, config, engine, image_tracker):
    portrait = shared_face(name, config, image_tracker)
    faces = image_tracker.detect_all(render_change(engine, portrait, AU20=1.5))
    assert faces, "the tracker lost the face"
    width, below_nose = _mouth(portrait.track)
    stretched_width, stretched_below = _mouth(faces[0])
    assert stretched_width > 1.015 * width, f"mouth width {width:.1f} -> {stretched_width:.1f} px"
    drop = (stretched_below - below_nose) / width
    assert abs(drop) < 0.04, f"the lips moved {drop:+.3f} mouth widths along the face's down axis"
