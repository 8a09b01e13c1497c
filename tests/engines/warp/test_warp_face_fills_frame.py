"""A face that fills its picture, its chin past the bottom edge (a tight avatar crop): what lies
below the jaw's sides in the picture is the face itself, and a smile or a jaw drop draws no seam
there.

The picture is GANimation's 128 px sample crop N_0000000356, enlarged 4x as a user's 512 px
avatar would be. Judged on the rendered pixels beside and below the jaw (outside the face's
outline, the convex hull of its landmarks, in the picture's lower half): their strongest edge,
against the same pixels' strongest edge in the portrait itself. A chin cover drawn there (the
portrait's own pixels beside the warped face, the chin's shadow along its outline) drew a grey
arc at the frame's corner in a smile and a hard-edged wedge of background at a jaw drop: edges
3.7-4.1 times the portrait's own (now 1.2 and 1.6).
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_change, shared_path

CROP = "assets/au_labels/ganimation_sample/N_0000000356_00190.jpg"
CHIN = 152


@pytest.fixture(scope="module")
def avatar(config, image_tracker):
    from livemorph.frames import load_image
    from livemorph.portrait import prepare_portrait_face

    small = load_image(shared_path(CROP))
    image = cv2.resize(small, (4 * small.shape[1], 4 * small.shape[0]), interpolation=cv2.INTER_CUBIC)
    portrait = prepare_portrait_face(image, config, source="N_0000000356_00190_x4.png", tracker=image_tracker)
    assert portrait.track.landmarks[CHIN, 1] > image.shape[0] - 1, "the premise: its chin lies past the bottom edge"
    return portrait


def _strongest_edge(image: np.ndarray, where: np.ndarray) -> float:
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gradient = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1)) / 8.0
    return float(gradient[where].max())


@pytest.mark.parametrize("changes", [dict(AU12=4.0, AU06=2.0, AU25=1.0), dict(AU26=2.5, AU25=2.0)],
                         ids=["smile", "jaw drop"])
def test_beside_the_jaw_of_a_face_filling_the_frame_no_seam_is_drawn(avatar, engine, changes):
    xy = avatar.track.landmarks[:468, :2]
    height, width = avatar.image.shape[:2]
    face = np.zeros((height, width), np.uint8)
    cv2.fillPoly(face, [cv2.convexHull(np.round(xy).astype(np.int32))], 1)
    beside_jaw = (face == 0)
    beside_jaw[: int(xy[:, 1].mean())] = False
    assert beside_jaw.sum() > 2000
    out = render_change(engine, avatar, **changes)
    own, drawn = _strongest_edge(avatar.image, beside_jaw), _strongest_edge(out, beside_jaw)
    assert drawn <= 2.0 * own, \
        f"an edge of {drawn:.1f} grey levels/px beside the jaw; the portrait's own there: {own:.1f}"
