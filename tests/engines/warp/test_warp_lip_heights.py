"""Where the lips sit under the nose after a lip stretch (AU20) and an upper-lip raise (AU10),
default config.

py-feat's AU20 column also slid the whole mouth down a fifth of its width (the jaw drop it
co-occurred with); its AU10 column barely lifted the upper lip and dropped the lower (a parting it
co-occurred with), so with the lips held closed a sneer or a grimace moved nothing. Judged by
MediaPipe, run afresh on the output: a lip point's distance below the nose base along the face's
down axis, against the source's, in source mouth widths; and the mouth's width.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import render_change, shared_face
from face_regions import face_down

NOSE_BASE, UPPER_LIP_TOP, LIPS = 2, 0, (0, 17)


def _below_the_nose(track, points) -> float:
    xy = track.landmarks[:, :2]
    down, _ = face_down(xy)
    return float((xy[list(points)].mean(axis=0) - xy[NOSE_BASE]) @ down)


def _mouth_width(track) -> float:
    xy = track.landmarks[:, :2]
    return float(np.linalg.norm(xy[291] - xy[61]))


def _rendered(name, config, engine, tracker, **change):
    portrait = shared_face(name, config, tracker)
    faces = tracker.detect_all(render_change(engine, portrait, **change))
    assert faces, "the tracker lost the face"
    return portrait.track, faces[0]


@pytest.mark.parametrize("name", ["london_092_beard.jpg", "mona_lisa.jpg", "obama_official_2012.jpg"])
def test_a_lip_stretch_widens_the_mouth_and_keeps_its_height(name, config, engine, image_tracker):
    source, out = _rendered(name, config, engine, image_tracker, AU20=1.5)
    width = _mouth_width(source)
    assert _mouth_width(out) > 1.015 * width, f"mouth width {width:.1f} -> {_mouth_width(out):.1f} px"
    drop = (_below_the_nose(out, LIPS) - _below_the_nose(source, LIPS)) / width
    # (py-feat's column: +0.10 on london_092, +0.095 on Obama)
    assert abs(drop) < 0.04, f"the lips moved {drop:+.3f} mouth widths along the face's down axis"


# (A portrait showing its teeth keeps its lip over them: not here.)
@pytest.mark.parametrize("name", ["london_092_beard.jpg", "grace_hopper_glasses.jpg", "mona_lisa.jpg"])
def test_an_upper_lip_raise_lifts_the_upper_lip(name, config, engine, image_tracker):
    source, out = _rendered(name, config, engine, image_tracker, AU10=3.0)
    rise = (_below_the_nose(source, (UPPER_LIP_TOP,)) - _below_the_nose(out, (UPPER_LIP_TOP,))) / _mouth_width(source)
    # (py-feat's column: 0.013-0.022, the raise 0.032-0.054: MediaPipe reads about half the mesh's rise)
    assert rise > 0.027, f"the upper lip rose {rise:+.3f} mouth widths toward the nose"
