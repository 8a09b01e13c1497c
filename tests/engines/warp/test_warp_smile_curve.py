"""A smile bends the mouth up about as far as a driver's does, judged by MediaPipe on the output.

- Driven by man_smiling_short's smile, as `render` drives it (relax and response curves included),
  a portrait that does not smile at rest lifts its mouth corners above its lip centre by most of
  what the driver's own corners rise (MediaPipe on his frames).
- A portrait that smiles at rest and lets its smile go at the user's rest (``driving.relax``) ends
  with a level mouth, no lower at the corners than a resting driver's.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import driven_expression, user_change
from face_regions import corner_rise

SMILE_DRIVER = "man_smiling_short.mp4"
FRONTAL_YAW = 12.0  # degrees


@pytest.fixture(scope="module")
def driven_smile(config):
    """man_smiling_short as `render` reads it, split by what bare MediaPipe sees on his face, head
    turned less than ``FRONTAL_YAW``: his broad smile (mouthSmile over 0.6) and his mouth at rest
    (mouthSmile under 0.1, mouth shut). Returns the smile's readings and how far his corners rise
    in it (``face_regions.corner_rise``: his smile's mean against his rest's median)."""
    def smiling(track):
        return 0.5 * (track.blendshape("mouthSmileLeft") + track.blendshape("mouthSmileRight"))

    return driven_expression(SMILE_DRIVER, config, FRONTAL_YAW, lambda track: smiling(track) > 0.6,
                             lambda track: smiling(track) < 0.1 and track.blendshape("jawOpen") < 0.1,
                             corner_rise, least=6)


@pytest.mark.slow  # reads the whole driver video through the AU stream
@pytest.mark.parametrize("name", ["london_042_grayscale.png", "grace_hopper_glasses.jpg"])
def test_a_smile_lifts_the_mouth_corners_most_of_the_way_a_drivers_do(name, puppets, driven_smile, image_tracker):
    """The portrait's corners rise above its lip centre by most of the driver's rise, as MediaPipe
    sees the rendered frames. (Portraits that do not smile at rest: one that does gets back to its
    own smile first.)"""
    _, puppet = puppets(name)
    smile, driver_rise = driven_smile
    assert driver_rise > 0.05  # he plainly smiles, so matching it means something
    engine, prepared = puppet.engine, puppet.prepared
    rest_track = image_tracker.detect_largest(engine.render(prepared, puppet.aus_for(user_change())))
    seen = [image_tracker.detect_largest(engine.render(prepared, puppet.aus_for(r), wink=puppet.wink_for(r)))
            for r in smile[::2]]
    assert rest_track.present and all(t.present for t in seen), "MediaPipe lost the face in the rendered smile"
    rise = np.mean([corner_rise(t.landmarks) for t in seen]) - corner_rise(rest_track.landmarks)
    # With the corners lifted only as far as a smile let go lowers them (au_mesh.SMILE_CORNER_LIFT),
    # 0.52 (London 042) and 0.55 (Grace Hopper) of the driver's 0.098: a mouth that widened and
    # parted more than it smiled. Bent further as the smile grows (SMILE_CORNER_RISE): 0.70, 0.72.
    assert rise > 0.62 * driver_rise, f"corners rise {rise:.3f} eye spans, the driver's {driver_rise:.3f}"


@pytest.mark.parametrize("name", ["obama_official_2012.jpg", "astronaut_small_face.png"])
def test_a_smile_let_go_leaves_a_level_mouth(name, puppets, image_tracker):
    """At the user's rest a smiling portrait lets its smile go; its corners come down level with the
    lip centre, not below it as a sad mouth's. Resting drivers' corners sit -0.016..+0.006 eye spans
    above their lip centres (MediaPipe, the four shared drivers' frames least smiling). Now -0.007
    (Obama) and +0.014 (the astronaut); bent down as far as a growing smile bends them up, Obama's
    came to -0.045 and the astronaut's to -0.019."""
    _, puppet = puppets(name)
    track = image_tracker.detect_largest(puppet.engine.render(puppet.prepared, puppet.aus_for(user_change())))
    assert track.present
    assert corner_rise(track.landmarks) > -0.02, corner_rise(track.landmarks)
