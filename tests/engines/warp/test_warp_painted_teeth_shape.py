"""Painted teeth that read as teeth and a painted cavity that reads as one, judged on the pixels.

References are independent of the painter:
- the teeth's lower (incisal) edge, traced down each column of the rendered opening where the
  bright row gives way to the dark cavity, against a smooth curve fitted through it: real front
  teeth form one soft arc with small notches; a comb of equal teeth with square corners draws a
  sawtooth (london_042, london_092, Mona Lisa "serrated teeth" on the contact sheets);
- the inside of an open mouth against a real one's colour: a dark red-brown whatever the
  picture's tint (the Mona Lisa's "flat olive hole").
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_and_mesh, shared_face
from face_regions import INNER_LIPS, LOWER_INNER, UPPER_INNER, fill



def _incisal_edge(gray: np.ndarray, moved: np.ndarray):
    """Per column across the middle of the mouth: the teeth's lower edge (sub-pixel row) and the
    upper lip's inner edge above it."""
    upper, lower = moved[list(UPPER_INNER)], moved[list(LOWER_INNER)]
    left, right = upper[0, 0], upper[-1, 0]
    xs = np.arange(int(left + 0.3 * (right - left)), int(left + 0.7 * (right - left)) + 1)
    tops = np.interp(xs, upper[:, 0], upper[:, 1])
    bottoms = np.interp(xs, lower[:, 0], lower[:, 1])
    columns = [gray[int(np.ceil(t)):int(b), x] for x, t, b in zip(xs, tops, bottoms)]
    everything = np.concatenate(columns)
    level = 0.5 * (np.percentile(everything, 95) + np.percentile(everything, 5))
    edges = []
    for column, top in zip(columns, tops):
        brightest = int(np.argmax(column))
        below = np.nonzero(column[brightest:] < level)[0]
        if len(below) == 0:
            edges.append(np.nan)
            continue
        i = brightest + below[0]  # first dark row; the crossing lies between i - 1 and i
        a, b = column[i - 1], column[i]
        edges.append(np.ceil(top) + i - 1 + (a - level) / max(a - b, 1e-3))
    return xs, np.asarray(edges), tops


# The two mouths wide enough (144-160 px) to draw each tooth's edge over several pixels; on
# 60-90 px mouths (Mona Lisa, Grace Hopper, lisa3) a tooth's corner is a pixel or two.
@pytest.mark.parametrize("name", ["london_042_grayscale.png", "london_092_beard.jpg"])
def test_painted_teeth_have_a_soft_incisal_arc_not_a_sawtooth(name, config, engine, image_tracker):
    portrait = shared_face(name, config, image_tracker)
    out, moved = render_and_mesh(engine, portrait, AU12=3.0, AU06=1.5, AU25=2.0)
    xs, edge, tops = _incisal_edge(cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(np.float32), moved)
    found = np.isfinite(edge)
    assert found.mean() > 0.9, "no teeth over a dark cavity across the middle of the mouth"
    xs, edge, tops = xs[found], edge[found], tops[found]
    tooth = float(np.median(edge - tops))
    assert tooth > 3.0, f"teeth {tooth:.1f} px tall"
    # A gap between two front teeth can read through to the lower teeth below it (the column's
    # brightest pixel is theirs): an edge a quarter tooth or more off the median of the five columns
    # round it is such a column, not the teeth's edge (london_092 in a smile bent up at the corners:
    # 2 of 70 columns 14 px low, 0.11 of a tooth rms with them, 0.03 without).
    nearby = np.median(np.lib.stride_tricks.sliding_window_view(np.pad(edge, 2, mode="edge"), 5), axis=1)
    edge_column = np.abs(edge - nearby) < 0.25 * tooth
    assert edge_column.mean() > 0.9, "the teeth's edge breaks up"
    xs, edge = xs[edge_column], edge[edge_column]
    # The zigzag: what a smooth arc (a quartic over the middle 40 % of the mouth) leaves over.
    zigzag = edge - np.polyval(np.polyfit(xs, edge, 4), xs)
    rms = float(np.sqrt(np.mean(zigzag ** 2)))
    # Equal square-cornered teeth drew 0.062 (london_042) and 0.071 (london_092) of a tooth's
    # height; a soft arc with small notches about 0.03.
    assert rms < 0.045 * tooth, f"incisal edge zigzags {rms:.2f} px rms on {tooth:.1f} px teeth"


def _lab(pixels: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(pixels.reshape(-1, 1, 3).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB).reshape(-1, 3)


@pytest.mark.parametrize("name", ["mona_lisa.jpg", "grace_hopper_glasses.jpg", "london_092_beard.jpg"])
def test_a_painted_jaw_drop_is_a_red_brown_cavity(name, config, engine, image_tracker):
    # The darker part of the opening (below its 60th lightness percentile: not the teeth) has
    # the hue of a mouth's inside in shade, a dark red-brown (a photo's: Lab hue 20-45 deg),
    # whatever the picture's tint. The Mona Lisa's read 66 deg before: an olive hole.
    portrait = shared_face(name, config, image_tracker)
    out, moved = render_and_mesh(engine, portrait, AU26=3.5, AU25=3.0)
    hole = cv2.erode(fill(out.shape[:2], moved[list(INNER_LIPS)]), np.ones((3, 3), np.uint8))
    opening = _lab(out[hole.astype(bool)])
    cavity = np.median(opening[opening[:, 0] <= np.percentile(opening[:, 0], 60)], axis=0)
    hue = float(np.degrees(np.arctan2(cavity[2], cavity[1])))  # 0 red .. 90 yellow
    assert 15.0 < hue < 55.0, f"cavity hue {hue:.0f} deg (Lab {cavity.round(1)})"
    assert cavity[0] < 35.0, f"cavity lightness {cavity[0]:.0f}: not a dark inside"
