"""A brow raise over a foreshortened eye stretches the skin under the brow evenly (warp engine).

``au_mesh`` shapes a raise for every eye alike: the crease ring below the brow (MediaPipe's
eyeUpper2) rides with the brow, the ring next to the lid (eyeUpper1) rises 0.4 of that, so
nearly all of the stretch lands in the thin band between the two rings (3-5 times the band's
mean stretch; on the Mona Lisa 2 px tall, 9 px at AU01+02 +2). On the far eye of a turned head
the eye's outer half is squeezed sideways while that band still stretches as much: the shading
in it (her sfumato socket shadow) is sheared into a steep, pointed arch, "a sharp tent-shaped
dark fold" with "a doubled crease above the lid" (a reviewer). Measured as the raise's rise per
pixel across the eye, her far eye reached 1.8 (near eye 1.2, every other portrait <= 1.3).

So on an eye narrower than the other one (``FORESHORTENED_FROM`` .. ``FORESHORTENED_FULL`` of
its width), the rings take ``RING_LIFT`` of the brow's rise in proportion to their height above
the lid: the stretch spreads over the socket's shadow from the rings up to the brow, and the lid
skin and its fold stay near the lid (rise per pixel across the far eye 1.81 -> 0.92 with the even
stretch). Frontal eyes keep the shared shape (an even stretch raised their lid crease into a
darker arc: Obama, Trump, london_092).

The full even stretch (the ring next to the lid half way to it) still lifted the Mona Lisa's few
pixels of lit lid skin ~3x, into a pale, streaked lobe under the risen shadow with her lid fold
bulging up as a dark crest over it: reviewers saw "a doubled arc ... a dark band around the eye,
like goggles" and "the upper crease bulges". With the rings at ``RING_LIFT`` of it the lit lid
stays a crescent a little taller than at rest, and the shadow above rises as one band.
"""
from __future__ import annotations

import numpy as np

from .au_mesh import BROW_LOWER_SIDES
from .direction import unit
from ...easing import smoothstep
from .eye_fields import EYES
from .polyline import values_at

RAISE_COLUMNS = ("AU01", "AU02")
# Both rings rise this share of the even stretch's motion (see the module docstring; at 1, with the ring
# next to the lid half way to it, the lit lid grew into a pale lobe under a doubled arc). Lower, the
# lid fold stays at rest and the band above it goes on stretching (0 and 0.15: two dark dips up 2-3 of
# 10 columns over the eye at AU01/AU02 +3, 0.5: 1, as the source).
RING_LIFT = 0.5
# Eye width over the other eye's at which the even stretch starts, and is in full (the Mona Lisa's far
# eye: 0.86; every other shared portrait's eyes are within 0.94 of each other).
FORESHORTENED_FROM, FORESHORTENED_FULL = 0.93, 0.88


def foreshortening(face_xy: np.ndarray) -> tuple[float, ...]:
    """Per eye (``eye_fields.EYES`` order): 0 for an eye as wide as the other (or wider), up to 1
    for one foreshortened by a turned head."""
    xy = np.asarray(face_xy, np.float64)[:, :2]
    widths = [float(np.linalg.norm(xy[outer] - xy[inner])) for _, _, (outer, inner) in EYES]
    return tuple(float(smoothstep(FORESHORTENED_FROM, FORESHORTENED_FULL, w / max(max(widths), 1e-6)))
                 for w in widths)


def even_raise_on_turned_eyes(feat_basis: np.ndarray, au_columns: tuple[str, ...], face_xy: np.ndarray,
                              up: np.ndarray) -> None:
    """In place on the (K, V, 2) per-AU pixel displacements: on each foreshortened eye, the crease
    rings' motion in the brow raisers' columns moves toward the brow's at their place along the
    eye, scaled by their height above the lid over the brow's (see the module docstring)."""
    xy = np.asarray(face_xy, np.float64)[:, :2]
    up = unit(up)
    across = np.array([up[1], -up[0]])
    for weight, (lids, creases, _), brow in zip(foreshortening(xy), EYES, BROW_LOWER_SIDES):
        if weight <= 0.0:
            continue
        brow_along, brow_height = xy[list(brow)] @ across, xy[list(brow)] @ up
        for name in RAISE_COLUMNS:
            field = feat_basis[au_columns.index(name)]
            brow_motion = field[list(brow)].astype(np.float64)
            # The rings' ends are the eye's corners' skin, which a raise leaves (au_mesh).
            for i in range(1, len(lids) - 1):
                lid = xy[lids[i][0]]
                for ring in creases:
                    point = ring[i]
                    along = float(xy[point] @ across)
                    top = float(values_at(brow_along, brow_height, along))
                    share = float(np.clip((xy[point] - lid) @ up / max(top - float(lid @ up), 1e-6), 0.0, 1.0))
                    motion = values_at(brow_along, brow_motion, along)
                    field[point] = (1.0 - weight) * field[point] + weight * RING_LIFT * share * motion
