"""Skin the motion turns over is pushed back (``unfold``), on a hexagon fan whose centre is skin and whose
rim points are features (fixed): the centre dragged past the rim turns triangles over."""
from __future__ import annotations

import numpy as np

from livemorph.engines.warp.unfold import skin_mesh, unfold_skin

ANGLES = np.linspace(0.0, 2.0 * np.pi, 7)[:-1]
VERTICES = np.vstack([[0.0, 0.0], 10.0 * np.stack([np.cos(ANGLES), np.sin(ANGLES)], axis=1)]).astype(np.float32)
TRIANGLES = np.array([[0, 1 + i, 1 + (i + 1) % 6] for i in range(6)], np.int32)
RIM = tuple(range(1, 7))


def _turned_over(displacement) -> int:
    p = (VERTICES + displacement).astype(np.float64)[TRIANGLES]
    e1, e2 = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]
    return int(((e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]) < 0).sum())  # the fan is counter-clockwise at rest


def test_a_centre_dragged_past_the_rim_comes_back_inside_and_the_rim_stays():
    skin = skin_mesh(VERTICES, TRIANGLES, len(VERTICES), fixed=RIM, closing=())
    displacement = np.zeros_like(VERTICES)
    displacement[0] = (14.0, 3.0)
    assert _turned_over(displacement) > 0
    unfold_skin(displacement, VERTICES, skin)
    assert _turned_over(displacement) == 0
    assert not displacement[1:].any()  # the features kept their motion
    assert np.hypot(*(VERTICES[0] + displacement[0])) < 10.0  # the centre is back inside the rim


def test_motion_that_turns_nothing_over_is_left_as_it_is():
    skin = skin_mesh(VERTICES, TRIANGLES, len(VERTICES), fixed=RIM, closing=())
    displacement = np.zeros_like(VERTICES)
    displacement[0] = (6.0, -2.0)
    displacement[3] = (1.0, 1.0)
    before = displacement.copy()
    unfold_skin(displacement, VERTICES, skin)
    assert np.array_equal(displacement, before)


def test_triangles_that_close_on_purpose_are_left_to_close():
    # A lid's or an inner lip's triangles collapse and may turn over as the eye or mouth shuts.
    skin = skin_mesh(VERTICES, TRIANGLES, len(VERTICES), fixed=RIM, closing=(0,))
    displacement = np.zeros_like(VERTICES)
    displacement[0] = (14.0, 3.0)
    before = displacement.copy()
    unfold_skin(displacement, VERTICES, skin)
    assert np.array_equal(displacement, before)


def test_the_push_grows_from_nothing_as_the_centre_nears_the_rim():
    # Dragged outward in small steps, across the rim and past it, the centre never jumps: a
    # triangle about to turn over and one just turned are pushed back nearly alike.
    skin = skin_mesh(VERTICES, TRIANGLES, len(VERTICES), fixed=RIM, closing=())
    drags = np.linspace(0.0, 1.0, 201)[:, None] * np.array([14.0, 3.0])
    placed = []
    for drag in drags:
        displacement = np.zeros_like(VERTICES)
        displacement[0] = drag
        unfold_skin(displacement, VERTICES, skin)
        assert _turned_over(displacement) == 0
        placed.append(VERTICES[0] + displacement[0])
    steps = np.hypot(*np.diff(placed, axis=0).T)
    drag_step = float(np.hypot(*(drags[1] - drags[0])))
    assert steps.max() <= 2.0 * drag_step, f"the centre jumped {steps.max():.2f} for a drag of {drag_step:.2f}"
