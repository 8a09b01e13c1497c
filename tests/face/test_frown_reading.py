"""The default estimator reads a driver's frown and pout at a visible level, and not its smiles.

Frames are chosen by what bare MediaPipe reports on the video (brows down with mouth corners
down, a shrugged lower lip, a smile), not by livemorph's reading; the levels asked for are what
a viewer sees move (AU >= 1.5 on the 0-5 scale) versus what stays still (< 0.5).
"""
from __future__ import annotations

import av
import numpy as np
import pytest

from conftest import shared_path
from livemorph.aus import AU
from livemorph.face.estimators.blendshapes import BlendshapeEstimator

VISIBLE = 1.5
STILL = 0.5


def _tracks(name: str, tracker, every: int):
    """MediaPipe tracks of every ``every``-th frame of a shared driver that has a face."""
    with av.open(str(shared_path(f"assets/driving/{name}"))) as container:
        frames = [f.to_ndarray(format="rgb24") for i, f in enumerate(container.decode(video=0)) if i % every == 0]
    return [track for track in map(tracker.detect_largest, frames) if track.present]


def _mean(track, *names) -> float:
    return float(np.mean([track.blendshape(n) for n in names]))


@pytest.fixture(scope="module")
def estimator(config):
    return BlendshapeEstimator(config.expression)


@pytest.fixture(scope="module")
def expressions(image_tracker):
    return _tracks("woman_expressions.mp4", image_tracker, every=3)


def test_a_frown_with_the_corners_down_reads_as_a_lip_corner_depressor(expressions, estimator):
    frowns = [t for t in expressions if _mean(t, "browDownLeft", "browDownRight") > 0.3
              and _mean(t, "mouthFrownLeft", "mouthFrownRight") > 0.05 and _mean(t, "jawOpen") < 0.1]
    assert len(frowns) >= 5
    au15 = np.array([estimator.estimate(t)[AU.AU15] for t in frowns])
    assert np.median(au15) >= VISIBLE, f"AU15 on the frown frames: {np.round(au15, 1)}"


def test_a_held_pout_still_reads_as_a_lip_corner_depressor(expressions, estimator):
    """Once her pout has formed, mouthFrown lets go (0.01-0.05) while her corners stay down. (Facing
    the camera: her pout turned 13-18 degrees, frames 252-282, hardly drops her corners in the picture.)"""
    held = [t for t in expressions if _mean(t, "mouthShrugLower") > 0.1 and _mean(t, "jawOpen") < 0.1
            and _mean(t, "mouthFrownLeft", "mouthFrownRight") < 0.06 and abs(float(t.pose[0])) < 12.0]
    assert len(held) >= 5
    au15 = np.array([estimator.estimate(t)[AU.AU15] for t in held])
    assert np.median(au15) >= VISIBLE, f"AU15 on the held pout: {np.round(au15, 1)}"


def test_a_pout_reads_as_a_chin_raiser(expressions, estimator):
    pouts = [t for t in expressions if _mean(t, "mouthShrugLower") > 0.2 and _mean(t, "jawOpen") < 0.1]
    assert len(pouts) >= 5
    au17 = np.array([estimator.estimate(t)[AU.AU17] for t in pouts])
    assert np.median(au17) >= VISIBLE, f"AU17 on the pout frames: {np.round(au17, 1)}"


@pytest.mark.parametrize("name", ["man_smiling_short.mp4", "pexels_woman_laughing.mp4"])
def test_smiles_and_laughs_do_not_read_as_frowns(name, image_tracker, estimator):
    smiles = [t for t in _tracks(name, image_tracker, every=4) if _mean(t, "mouthSmileLeft", "mouthSmileRight") > 0.3]
    assert len(smiles) >= 5
    aus = np.stack([estimator.estimate(t) for t in smiles])
    assert aus[:, AU.AU15].max() < STILL and aus[:, AU.AU17].max() < STILL, (aus[:, AU.AU15].max(), aus[:, AU.AU17].max())


def test_an_open_mouth_does_not_read_as_a_frown(expressions, estimator):
    open_mouth = [t for t in expressions if _mean(t, "jawOpen") > 0.3]
    assert len(open_mouth) >= 5
    aus = np.stack([estimator.estimate(t) for t in open_mouth])
    assert aus[:, AU.AU15].max() < STILL and aus[:, AU.AU17].max() < STILL
