"""A nose wrinkle (AU09) does not lengthen the face or spread it: the nose and the mouth stay at
their height and the eyes where they are across the face.

Judged by bare MediaPipe on the rendered output (default engine and configuration) against the
portrait itself, in eye distances (the outer eye corners' distance on the portrait).
"""
from __future__ import annotations

import pytest

from conftest import render_and_track, shared_face
from face_regions import outer_eye_distance

PORTRAITS = ["mona_lisa.jpg", "obama_official_2012.jpg", "london_092_beard.jpg"]
NOSE_TIP, UPPER_LIP_TOP = 1, 0


@pytest.mark.slow
@pytest.mark.parametrize("name", PORTRAITS)
def test_a_nose_wrinkle_keeps_the_nose_and_mouth_in_place(name, engine, config, image_tracker):
    # py-feat's AU09 column moved the nose tip, the upper lip and the mouth corners down (0.04-0.05
    # eye distances per +1) and the eyes, nose wings and cheeks outward: a sneer drew a longer, wider
    # face. Read on the output at AU09 +1, before: the upper lip's top 0.052 / 0.020 / 0.021 eye
    # distances lower (the Mona Lisa, Obama, London 092), the nose tip 0.028 / 0.014 / 0.021, the
    # eyes' outer corners 0.013 / 0.016 / 0.017 eye distances further apart; now all within 0.003
    # (``au_mesh._nose_wrinkle_lifts``). A real nose wrinkle lifts the skin beside the nose: nothing
    # of it moves down.
    portrait = shared_face(name, config, image_tracker)
    rest = portrait.track.landmarks[:, :2]
    _, track = render_and_track(engine, portrait, image_tracker, AU09=1.0)
    wrinkled = track.landmarks[:, :2]
    eye_distance = outer_eye_distance(rest)
    lip_drop = float(wrinkled[UPPER_LIP_TOP, 1] - rest[UPPER_LIP_TOP, 1]) / eye_distance
    nose_drop = float(wrinkled[NOSE_TIP, 1] - rest[NOSE_TIP, 1]) / eye_distance
    spread = outer_eye_distance(wrinkled) / eye_distance - 1.0
    print(f"{name}: upper lip {lip_drop:+.3f}, nose tip {nose_drop:+.3f} eye distances down; "
          f"eyes {spread:+.3f} apart")
    assert lip_drop < 0.01, f"{name}: a nose wrinkle lowered the upper lip {lip_drop:.3f} eye distances"
    assert nose_drop < 0.01, f"{name}: a nose wrinkle lowered the nose tip {nose_drop:.3f} eye distances"
    assert spread < 0.008, f"{name}: a nose wrinkle moved the eyes {spread:+.3f} eye distances apart"
