"""The fidelity judge's lid channel (``benchmarks/fidelity_judge.py``, ``lidGap``) on landmarks
built here, whose lid gaps are known by construction.

- The gap is read in each eye's own width along the face's up, so a rolled, scaled or moved
  face reads the same.
- Compared between driver and output, each face's gap counts against its own open eye: a
  portrait with narrower eyes that closes them as fully as the driver does matches it (amplitude
  1), where the same series as a blendshape channel reads smaller.
"""
from __future__ import annotations

import sys

import numpy as np
import pytest

from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from fidelity_judge import ALL_CHANNELS, EYE_CORNERS, LID_PAIRS, _geometry, compare  # noqa: E402

NUM_LANDMARKS = 478


def face(gaps: tuple[float, float], *, eye_width: float = 30.0, roll_deg: float = 0.0, scale: float = 1.0,
         shift=(0.0, 0.0)) -> np.ndarray:
    """(478, 2) image points (y down) of a face whose eyes are ``eye_width`` wide and whose lids
    stand ``gaps`` (right eye, left eye: shares of that width) apart, rolled, scaled and moved."""
    points = np.zeros((NUM_LANDMARKS, 2))
    for (outer, inner), pairs, gap, middle in zip(EYE_CORNERS, LID_PAIRS, gaps, (-40.0, 40.0)):
        side = np.sign(middle)
        points[outer] = (middle - side * eye_width / 2, 0.0)
        points[inner] = (middle + side * eye_width / 2, 0.0)
        for k, (upper, lower) in enumerate(pairs):
            x = middle + (k - 1) * eye_width / 4
            points[upper] = (x, -gap * eye_width / 2)  # up is -y in the image
            points[lower] = (x, gap * eye_width / 2)
    a = np.radians(roll_deg)
    rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return scale * points @ rotation.T + np.asarray(shift)


@pytest.mark.parametrize("roll, scale, shift", [(0.0, 1.0, (0, 0)), (25.0, 2.5, (300, 200)), (-40.0, 0.4, (50, 80))])
def test_the_lid_gap_is_read_in_eye_widths_whatever_the_faces_roll_size_and_place(roll, scale, shift):
    assert _geometry(face((0.30, 0.20), roll_deg=roll, scale=scale, shift=shift))[0] == pytest.approx(0.25, abs=1e-9)
    assert _geometry(face((0.0, 0.0), roll_deg=roll, scale=scale, shift=shift))[0] == pytest.approx(0.0, abs=1e-9)


def test_narrower_eyes_closing_as_fully_as_the_drivers_match_it():
    lid = ALL_CHANNELS.index("lidGap")
    blink = list(ALL_CHANNELS).index("eyeBlink")
    closing = np.r_[np.ones(20), np.linspace(1.0, 0.05, 6), np.full(4, 0.05), np.linspace(0.05, 1.0, 6), np.ones(20)]
    driver = np.zeros((len(closing), len(ALL_CHANNELS)))
    output = np.zeros_like(driver)
    driver[:, lid] = 0.32 * closing  # a wide-eyed driver's lids ...
    output[:, lid] = 0.18 * closing  # ... and a narrow-eyed portrait's, shut as far
    driver[:, blink] = 1.0 - closing
    output[:, blink] = 0.6 * (1.0 - closing)  # a blendshape reading that stops at 0.6 of the driver's
    scores = {s.channel: s for s in compare(driver, output)}
    assert scores["lidGap"].used and scores["lidGap"].r == pytest.approx(1.0)
    assert scores["lidGap"].amplitude == pytest.approx(1.0, abs=0.02)
    assert scores["eyeBlink"].amplitude == pytest.approx(0.6, abs=0.02)
    # A portrait whose lids stop half way reads about half the driver's amplitude.
    output[:, lid] = 0.18 * (0.5 + 0.5 * closing)
    assert {s.channel: s for s in compare(driver, output)}["lidGap"].amplitude == pytest.approx(0.5, abs=0.05)
