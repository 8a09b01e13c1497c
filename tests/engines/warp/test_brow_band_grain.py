"""The skin a brow raise stretches keeps the portrait's own grain (``engines/warp/brow_band.py``).

Two reviewers saw, under Obama's and Trump's raised brows (AU01/AU02 +3), "a flat, smooth,
brown-grey patch with no texture ... goggles / a mask": the stretched band between brows and
lid crease was blended with blurred skin. Judged on the rendered portrait: the fine detail
(grey level minus its Gaussian blur, sigma 1 px: pores, film grain, fine wrinkles) in the
middle of the band between the brows' lower contour and the upper-lid crease ring, found by
MediaPipe afresh on the output, against the same detail in the source portrait's bare skin
near the eyes (the median of four patches: the forehead above each inner brow, the cheek
below each eye). The source's own band is no reference: there the brows' lower hairs and the
fold's lines dominate (8.7 and 10.0 grey levels on Obama and Trump, against 4.4 and 2.0 for
their skin). Skin keeps its grain when the band has at least 0.6 of the skin's.

Before (the blurred fill): Obama 0.22, Trump 0.41 of the skin's detail; with the grain 0.86, 1.16.

Nor may the grain be stronger or coarser than skin: a fringe of hair in the forehead strip the
grain is taken from drew "a speckled, sandpaper band" on the astronaut. At the fine scale and at
a coarser one (grey level blurred at sigma 1 px minus at 3 px: blotches a few pixels across),
the band may be at most ROUGHER_BY rougher than the roughest of the four bare-skin patches of
the source (the face's own range of skin). Measured (band / roughest patch, fine and coarse):
Obama 3.91 / 5.36 and 3.29 / 3.85, Trump 2.60 / 2.45 and 1.72 / 2.43. Breaking the grain in
``brow_band`` fails it: twice its strength (fine: Obama 7.68, Trump 5.14 against bounds of 6.70
and 3.06), or three times its strength at twice its scale (coarse: Obama 5.58, Trump 4.29
against 4.81 and 3.04; its fine detail stays within both bounds).
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_and_track, shared_face
from face_regions import BROW_TO_CREASE, columns_between

SKIN_PATCHES = (108, 337, 50, 280)  # forehead above the inner brows, cheeks below the eyes
PATCH_RADIUS = 0.03  # face widths
GRAIN_SIGMA = 1.0  # px
KEPT = 0.6
COARSE_SIGMA = 3.0  # px, the coarser scale: detail between GRAIN_SIGMA and this
ROUGHER_BY = 1.25


def _detail(image: np.ndarray) -> np.ndarray:
    """Fine detail: grey level minus its blur at GRAIN_SIGMA."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return gray - cv2.GaussianBlur(gray, (0, 0), GRAIN_SIGMA)


def _coarse_detail(image: np.ndarray) -> np.ndarray:
    """Coarser detail: grey level blurred at GRAIN_SIGMA minus blurred at COARSE_SIGMA."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return cv2.GaussianBlur(gray, (0, 0), GRAIN_SIGMA) - cv2.GaussianBlur(gray, (0, 0), COARSE_SIGMA)


def patch_details(image: np.ndarray, landmarks, detail=_detail) -> list[float]:
    """The RMS ``detail`` (grey levels) in a square around each of SKIN_PATCHES."""
    values = detail(image)
    lm = np.asarray(landmarks)[:, :2]
    r = max(int(round(PATCH_RADIUS * np.ptp(lm[:468, 0]))), 2)
    patches = [values[int(y) - r:int(y) + r + 1, int(x) - r:int(x) + r + 1] for x, y in lm[list(SKIN_PATCHES)]]
    return [float(np.sqrt(np.mean(patch ** 2))) for patch in patches]


def skin_detail(image: np.ndarray, landmarks) -> float:
    """Median over SKIN_PATCHES of the RMS fine detail (grey levels) in a square around each."""
    return float(np.median(patch_details(image, landmarks)))


def band_detail(image: np.ndarray, landmarks, detail=_detail) -> float:
    """RMS ``detail`` (grey levels) over the middle of the band (its 25-75 % from the brows'
    lower contour down to the crease ring, over the columns both span), both eyes together."""
    detail = detail(image)
    values = []
    for brow, crease in BROW_TO_CREASE:
        for x, t, b in columns_between(landmarks, brow, crease):
            rows = np.arange(int(np.ceil(t + 0.25 * (b - t))), int(np.floor(t + 0.75 * (b - t))) + 1)
            values.append(detail[rows, x])
    values = np.concatenate(values)
    return float(np.sqrt(np.mean(values ** 2)))


@pytest.fixture(scope="module", params=["obama_official_2012.jpg", "trump_official_2017.png"])
def raised(request, config, engine, image_tracker):
    """A portrait, and its render at AU01/AU02 +3 with the face MediaPipe finds on it."""
    portrait = shared_face(request.param, config, image_tracker)
    out, track = render_and_track(engine, portrait, image_tracker, AU01=3, AU02=3)
    return portrait, out, track


def test_a_raised_brow_leaves_the_skin_its_grain(raised):
    portrait, out, track = raised
    kept = band_detail(out, track.landmarks) / skin_detail(portrait.image, portrait.track.landmarks)
    assert kept >= KEPT, f"the stretched skin under the brows has x{kept:.2f} of the skin's fine detail"


@pytest.mark.parametrize("scale", ["fine", "coarse"])
def test_the_raised_brows_skin_is_no_rougher_than_the_faces(raised, scale):
    portrait, out, track = raised
    detail = {"fine": _detail, "coarse": _coarse_detail}[scale]
    band = band_detail(out, track.landmarks, detail)
    roughest = max(patch_details(portrait.image, portrait.track.landmarks, detail))
    assert band <= ROUGHER_BY * roughest, (
        f"the stretched skin under the brows has {band:.2f} grey levels of {scale} detail, the roughest bare skin "
        f"on the portrait {roughest:.2f}")
