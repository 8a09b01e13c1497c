"""Where the mesh folds (lips pressed together in a smile turn a few thin triangles over), no pixel
outside the fold takes its colour from across it.

A reviewer saw "a new dark-red speck just below the lower lip" on Grace Hopper's laugh: one turned-
over triangle at the lips' middle, drawn over its neighbours, laid a pixel from 11-19 px higher up
(the lips' line) onto her lower lip. The expectation is a property of any warp without folds: over
the lower lip the map is continuous, so pixels next to each other sample the portrait at points a
few pixels apart.
"""
from __future__ import annotations

import numpy as np

from conftest import resting_plus, shared_face
from face_regions import LOWER_INNER, LOWER_OUTER

# The laughing driver's peak (pexels_woman_laughing frame 458) as livemorph retargets it on Grace Hopper.
LAUGH = dict(AU01=0.12, AU02=1.78, AU06=1.89, AU07=0.91, AU10=2.43, AU12=3.25, AU20=0.74, AU25=1.61,
             AU26=0.42, AU45=1.57)


def test_on_the_lower_lip_neighbouring_pixels_sample_the_portrait_nearby(config, engine, image_tracker):
    from livemorph.engines.warp.backward_map import backward_map

    prepared = engine.prepare(shared_face("grace_hopper_glasses.jpg", config, image_tracker))
    moved = engine.displaced_vertices(prepared, resting_plus(prepared, **LAUGH))
    map_xy = backward_map(prepared.vertices, moved, prepared.triangles, prepared.region, prepared.map_grid,
                          prepared.map_coverage, prepared.seam_triangles)
    x0, y0 = prepared.region[:2]
    inner, outer = moved[list(LOWER_INNER)], moved[list(LOWER_OUTER)]
    jumps = []
    for x in np.arange(int(inner[2, 0]), int(inner[-3, 0])):
        # Down the lower lip, from 2 px under its inner edge to its outer edge.
        top, bottom = (float(np.interp(x, line[:, 0], line[:, 1])) for line in (inner, outer))
        column = map_xy[int(top) + 2 - y0:int(bottom) + 1 - y0, x - x0]
        jumps.append(float(np.abs(np.diff(column[:, 1])).max()))
    assert max(jumps) < 4.0, f"neighbouring pixels on the lower lip sample {max(jumps):.1f} px apart: a fold drawn over them"
