"""Per-portrait displacement fields for the eyes, which py-feat's linear model draws too weakly.

Two hand-made fields, both computed once per portrait from its own landmarks (so they fit any
eye size, glasses and heavy lids included) and scaled per frame by one number each (the lids by
one number per eye, so that a wink shuts one eye):

- ``lid_closure``: the upper lid travels onto the lower (a blink), meeting on a downward arc;
  the crease rings above the lid follow a little (the lid unfolds below the crease; brows and
  glasses frames stay). ``lids`` paints the stretched lid that leaves as a closed lid.
  ``lids_with_the_corners`` moves the lids as py-feat's AU43 moves the eye corners, so that the
  arc holds against the corners as they sink; ``brows_stay`` keeps that unit off the brows.
- ``cheek_raise`` (AU06): the cheek lifts and pushes the lower lid up. py-feat's own AU06
  column learned the smile it co-occurs with (it widens the mouth by 7.9 units) and never
  moves the lower lid, so the warp engine draws AU06 with this field instead.
"""
from __future__ import annotations

import numpy as np

from ...face.tracking import EYE_CORNERS
from .direction import axes_toward, unit
from ...easing import smoothstep

# Eyelids as (upper, lower) pairs facing each other, MediaPipe indices; corners stay put.
RIGHT_EYE_LIDS = ((246, 7), (161, 163), (160, 144), (159, 145), (158, 153), (157, 154), (173, 155))
LEFT_EYE_LIDS = ((466, 249), (388, 390), (387, 373), (386, 374), (385, 380), (384, 381), (398, 382))
RIGHT_EYE_CORNERS, LEFT_EYE_CORNERS = EYE_CORNERS
# The skin rings above each upper lid (MediaPipe's eyeUpper1 and eyeUpper2), in the same order
# as the lid points: in a blink the crease stays nearly where it is and the lid below it
# unfolds over the eye (following more dragged the brows and glasses frames down).
RIGHT_EYE_CREASE = ((247, 30, 29, 27, 28, 56, 190), (113, 225, 224, 223, 222, 221, 189))
LEFT_EYE_CREASE = ((467, 260, 259, 257, 258, 286, 414), (342, 445, 444, 443, 442, 441, 413))
CREASE_FOLLOW = (0.3, 0.1)
# The share of the brows' height above the eye corners over which a blink's motion fades out
# below them (``brows_stay``).
BROWS_STAY_FROM = (0.5, 0.9)
# Where closed lids meet, as a fraction of the way from the lower lid to the upper lid: in a
# blink the upper lid does most of the travelling.
LID_MEETING_POINT = 0.05
# How far below the corners' line closed lids meet in the middle of the eye, fraction of its width
# (a real closed eye's lash line sags like this; MediaPipe reads a straighter one as a squint).
CLOSED_SAG = 0.09

# Cheek raise at full strength: the lower lid rises this share of the eye opening, and the
# cheek below it lifts by up to this share of the eye width (a Gaussian bump under each eye).
LOWER_LID_RISE = 0.4
CHEEK_LIFT = 0.12

EYES = ((RIGHT_EYE_LIDS, RIGHT_EYE_CREASE, RIGHT_EYE_CORNERS), (LEFT_EYE_LIDS, LEFT_EYE_CREASE, LEFT_EYE_CORNERS))
LID_POINTS = tuple(p for lids, creases, _ in EYES for pair in lids for p in pair) + tuple(
    p for _, creases, _ in EYES for crease in creases for p in crease)
LOWER_LID_POINTS = tuple(lower for lids, _, _ in EYES for _, lower in lids)


def lid_closure(face_xy: np.ndarray, num_vertices: int, *, sag: bool = True) -> np.ndarray:
    """(2, V, 2) displacement that brings each eye's lids together, one field per eye in
    ``EYES`` order (each zero away from its own eye).

    The lids meet along a downward arc ("lash line smile"): at least ``CLOSED_SAG`` of the eye
    width below the line through the corners in the middle of the eye, even on narrow eyes
    whose lower lid runs almost straight -- a closed eye whose lids meet on a straight line
    reads as a squint. ``sag=False`` leaves that out: the field whose negative opens the eyes
    wider (with the sag, a narrow eye's lower lid would rise as the eye widens).
    """
    xy = np.asarray(face_xy, np.float64)
    fields = np.zeros((len(EYES), num_vertices, 2), np.float32)
    for field, (lids, creases, (outer, inner)) in zip(fields, EYES):
        uppers = np.array([upper for upper, _ in lids])
        lowers = np.array([lower for _, lower in lids])
        axis, down, width = axes_toward(xy[outer], xy[inner], (xy[lowers] - xy[uppers]).mean(axis=0))
        for i, (upper, lower) in enumerate(lids):
            meet = xy[lower] + LID_MEETING_POINT * (xy[upper] - xy[lower])
            t = float(np.clip((meet - xy[outer]) @ axis / max(width, 1e-9), 0.0, 1.0))
            depth = float((meet - xy[outer]) @ down)
            arc = CLOSED_SAG * width * np.sin(np.pi * t)
            if sag and depth < arc:
                meet = meet + (arc - depth) * down
            field[upper] = meet - xy[upper]
            field[lower] = meet - xy[lower]
            for crease, follow in zip(creases, CREASE_FOLLOW):
                field[crease[i]] = follow * field[upper]
    return fields


def cheek_raise(face_xy: np.ndarray, up: np.ndarray, num_vertices: int) -> tuple[np.ndarray, np.ndarray]:
    """(V, 2) cheek lift and (2, V, 2) lower-lid rise (one field per eye, ``EYES`` order) for a
    full AU06.

    ``up`` is the face's upward unit vector in the image (from the head pose). The lift is a
    bump centred below each eye that only moves points below the lower lid (the upper lid
    and brow stay); the lower lids rise toward their upper partners, a share of the opening,
    so they never cross them.
    """
    xy = np.asarray(face_xy, np.float64)
    up = unit(up)
    lift = np.zeros((num_vertices, 2), np.float32)
    rise = np.zeros((len(EYES), num_vertices, 2), np.float32)
    for eye_rise, (lids, _, (outer, inner)) in zip(rise, EYES):
        eye_width = float(np.linalg.norm(xy[outer] - xy[inner]))
        lower = np.array([pair[1] for pair in lids])
        upper = np.array([pair[0] for pair in lids])
        lid_center = xy[lower].mean(axis=0)
        center = lid_center - 0.7 * eye_width * up
        rel = xy - center
        bump = np.exp(-(rel ** 2).sum(axis=1) / (2 * (0.8 * eye_width) ** 2))
        height = (xy - lid_center) @ up  # < 0 below the lower lid
        below = smoothstep(0.0, 0.25 * eye_width, -height)
        weight = bump * below
        lift[:len(xy)] += (CHEEK_LIFT * eye_width * weight)[:, None] * up[None, :]
        eye_rise[lower] = LOWER_LID_RISE * (xy[upper] - xy[lower])
    lift[list(LID_POINTS)] = 0.0
    return lift, rise


def lids_with_the_corners(corners_motion: np.ndarray, face_xy: np.ndarray) -> np.ndarray:
    """(2, V, 2), one field per eye in ``EYES`` order: each eye's lid points moved as its corners
    move in ``corners_motion`` (V, 2), shared along the eye by how far along it they lie, zero
    elsewhere. Added as the lids close, the lids keep the arc ``lid_closure`` gives them against
    the corners wherever the corners go."""
    xy = np.asarray(face_xy, np.float64)
    fields = np.zeros((len(EYES), len(corners_motion), 2), np.float32)
    for field, (lids, _, (outer, inner)) in zip(fields, EYES):
        axis, _, width = axes_toward(xy[outer], xy[inner], np.zeros(2))
        points = [p for pair in lids for p in pair]
        t = np.clip((xy[points] - xy[outer]) @ axis / max(width, 1e-9), 0.0, 1.0)[:, None]
        field[points] = (1.0 - t) * corners_motion[outer] + t * corners_motion[inner]
    return fields


def brows_stay(column: np.ndarray, face_xy: np.ndarray, up: np.ndarray, brows_lower: tuple[int, ...]) -> None:
    """In place: ``column`` (V, 2), a field of the eyes, faded out from half way up to the brows'
    lower edges (``brows_lower``; the crease's height) to nine tenths of it, and zero above: brows
    and forehead stay."""
    xy = np.asarray(face_xy, np.float64)
    up = unit(up)
    eyes = xy[[corner for _, _, corners in EYES for corner in corners]].mean(axis=0)
    brows = float((xy[list(brows_lower)].mean(axis=0) - eyes) @ up)
    heights = (xy - eyes) @ up
    stay = smoothstep(BROWS_STAY_FROM[0] * brows, BROWS_STAY_FROM[1] * brows, heights)
    column[:len(xy)] *= (1.0 - stay)[:, None].astype(column.dtype)
