"""Brow raises and frowns on real portraits, judged by MediaPipe run afresh on the rendered output.

Measures are landmark geometry in eye spans (outer eye corner to outer eye corner), along the
face's own up direction:
- brow height: mid-brow (105 / 334) above the mid upper lid (159 / 386);
- eye aperture: mid upper lid to mid lower lid (159-145, 386-374);
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from livemorph.aus import AU
from livemorph.engines.warp.feat_aus import brow_change

from conftest import au_vector, render_and_track, render_change, shared_face
from face_regions import BROW_TO_CREASE, outer_eye_distance


def _brows_and_eyes(landmarks) -> dict[str, float]:
    lm = np.asarray(landmarks)[:, :2]
    span = outer_eye_distance(lm)
    up = lm[10] - lm[152]
    up = up / np.linalg.norm(up)
    return {
        "brow_height": float(((lm[105] - lm[159]) @ up + (lm[334] - lm[386]) @ up) / (2 * span)),
        "aperture": float((np.linalg.norm(lm[159] - lm[145]) + np.linalg.norm(lm[386] - lm[374])) / (2 * span)),
    }


def _measure(image, tracker):
    track = tracker.detect_largest(image)
    assert track.present, "the tracker lost the face in the rendered output"
    return _brows_and_eyes(track.landmarks)


def test_a_brow_raise_reads_on_a_face_resting_with_lowered_brows(config, engine, image_tracker):
    # Obama's brows rest low (livemorph reads AU04 3.6 at rest): the raise used to spend
    # itself lifting them out of that (brow height x1.51 at +3, MediaPipe browInnerUp +0.06
    # at +2); releasing part of the resting frown makes it read (x1.75).
    portrait = shared_face("obama_official_2012.jpg", config, image_tracker)
    rest = _brows_and_eyes(portrait.track.landmarks)
    raised = _measure(render_change(engine, portrait, AU01=3, AU02=3), image_tracker)
    growth = raised["brow_height"] / rest["brow_height"]
    assert growth > 1.65, f"brow height above the lid grew x{growth:.2f}"
    # The skin between brow and lid stretches; the lid itself stays open (no squint).
    assert raised["aperture"] > 0.95 * rest["aperture"]




def _streaks(image, landmarks) -> float:
    """Vertical streaks in the skin between brows and lid crease: the mean brightness step from one
    column to the next across the middle half of that band, over its brightness (both sides)."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    lm = np.asarray(landmarks)[:, :2]
    steps = []
    for brow, crease in BROW_TO_CREASE:
        top, bottom = lm[list(brow)], lm[list(crease)]
        xs = np.arange(int(np.ceil(max(top[:, 0].min(), bottom[:, 0].min()))), int(min(top[:, 0].max(), bottom[:, 0].max())))
        y_top = np.interp(xs, *top[np.argsort(top[:, 0])].T)
        y_bottom = np.interp(xs, *bottom[np.argsort(bottom[:, 0])].T)
        columns = np.array([gray[int(t + 0.25 * (b - t)):int(t + 0.75 * (b - t)) + 1, x].mean()
                            for x, t, b in zip(xs, y_top, y_bottom)])
        steps.append(np.abs(np.diff(columns)).mean() / columns.mean())
    return float(np.mean(steps))


@pytest.mark.parametrize("name", ["obama_official_2012.jpg", "trump_official_2017.png"])
def test_a_big_raise_does_not_hang_brow_hair_down_over_the_lids(name, config, engine, image_tracker):
    # At AU01/AU02 +3 the band between brows and lids is twice its height; stretched, the brows'
    # lowest hairs hung down it in streaks ("like curtains", a reviewer): 0.026 (Obama) and 0.020
    # (Trump) by this measure. Bare stretched skin measures 0.007-0.009.
    portrait = shared_face(name, config, image_tracker)
    out, track = render_and_track(engine, portrait, image_tracker, AU01=3, AU02=3)
    assert _brows_and_eyes(track.landmarks)["brow_height"] > 1.5 * _brows_and_eyes(portrait.track.landmarks)["brow_height"]
    assert _streaks(out, track.landmarks) < 0.014


@pytest.mark.parametrize("name", ["obama_official_2012.jpg", "grace_hopper_glasses.jpg"])
def test_a_frown_lowers_the_brows_without_closing_the_eyes(name, config, engine, image_tracker):
    # The old frown dropped the upper lid with the brows (aperture x0.50 on Obama, x0.63 on
    # Grace Hopper at AU04 +3): it read as sleepy or blinking rather than cross. (The knit is
    # tested in test_warp_realism.py: MediaPipe follows it weakly, ~0.01-0.03 eye spans.)
    portrait = shared_face(name, config, image_tracker)
    rest = _brows_and_eyes(portrait.track.landmarks)
    frown = _measure(render_change(engine, portrait, AU04=3), image_tracker)
    assert frown["aperture"] > 0.72 * rest["aperture"], (rest["aperture"], frown["aperture"])
    assert frown["brow_height"] < 0.9 * rest["brow_height"], (rest["brow_height"], frown["brow_height"])


BROWS = (70, 63, 105, 66, 107, 336, 296, 334, 293, 300, 46, 53, 52, 65, 55, 276, 283, 282, 295, 285)


def _signed_areas(points, triangles):
    p = points[triangles]
    e1, e2 = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]
    return 0.5 * (e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0])


@pytest.mark.parametrize("name", ["obama_official_2012.jpg", "trump_official_2017.png", "grace_hopper_glasses.jpg",
                                  "lisa3_head_turned.jpg"])
def test_a_strong_frown_does_not_fold_the_skin_around_the_brows(name, config, engine, image_tracker):
    # A warp triangle that flips over or is squashed flat draws a torn, jagged lid line. The
    # old frown squeezed the skin between brows and lids flat at AU04 +5 (smallest area
    # ratio by the brows: Obama -0.25, Trump -0.27, Grace Hopper 0.05, lisa3 0.00).
    # Behind glasses the brows go down behind the frame: there the strip on its top edge squashes
    # by design (a seam, repaired at full resolution), but nothing may turn over.
    prepared = engine.prepare(shared_face(name, config, image_tracker))
    near_brows = prepared.triangles[np.isin(prepared.triangles, BROWS).any(axis=1)]
    gap = prepared.frame_gap  # the frame's top edge and the skin row above it, under the brows
    on_frame = np.isin(near_brows, np.r_[gap.edge_ids, gap.skin_ids] if gap is not None else []).any(axis=1)
    rest = _signed_areas(prepared.vertices, near_brows)
    for change in (3.0, 5.0):
        aus = prepared.resting_aus.copy()
        aus[AU.AU04] += change
        ratio = _signed_areas(engine.displaced_vertices(prepared, aus), near_brows) / rest
        assert ratio.min() > 0.0, f"AU04 +{change}: a triangle by the brows turned over (x{ratio.min():.2f})"
        squashed = ratio[~on_frame].min()
        assert squashed > 0.15, f"AU04 +{change}: a triangle by the brows squashed to x{squashed:.2f} of its area"


def _change(resting: dict[str, float], user: dict[str, float]) -> dict[str, float]:
    out = brow_change(au_vector(**user), au_vector(**resting))
    return {name: float(out[AU[name]]) for name in ("AU01", "AU02", "AU04")}


def test_brow_changes_follow_the_portraits_resting_brows():
    # A raise on a portrait resting with a frown releases some of it ...
    assert _change({"AU04": 3.0}, {"AU01": 2.0, "AU02": 2.0})["AU04"] < -0.5
    # ... though hardly any of it as the brows lift a little (it lifted them as far again).
    assert _change({"AU04": 3.0}, {"AU01": 0.5, "AU02": 0.5})["AU04"] > -0.1
    # ... but a worried brow (raise and frown together) keeps the user's frown.
    assert _change({"AU04": 3.0}, {"AU01": 2.0, "AU02": 2.0, "AU04": 2.0})["AU04"] == pytest.approx(2.0)
    # Brows resting high have less room to rise than a neutral portrait's.
    assert _change({"AU01": 3.0}, {"AU01": 2.0})["AU01"] < 0.9 * _change({}, {"AU01": 2.0})["AU01"]
    # A small raise on a neutral portrait is drawn as asked ...
    assert _change({}, {"AU01": 1.0, "AU02": 0.5}) == pytest.approx({"AU01": 1.0, "AU02": 0.5, "AU04": 0.0})
    # ... a big one larger, where no resting frown released lifts the brows further; on a face
    # resting in a frown the release does that, and the raise is drawn as asked.
    assert _change({}, {"AU01": 3.0, "AU02": 3.0})["AU01"] > 3.3
    assert _change({"AU04": 3.0}, {"AU01": 3.0, "AU02": 3.0})["AU01"] == pytest.approx(3.0)


# Per eye: the middle three upper-lid points and the corners (outer, inner), MediaPipe indices.
MID_UPPER_LIDS = (((160, 159, 158), (33, 133)), ((387, 386, 385), (263, 362)))


def _lid_skin_lightness(image, landmarks) -> list[float]:
    """Per eye: the mean CIE L* of the lid skin right above the lashes (0.08-0.25 eye widths
    above the middle of the upper lid, along the face's up)."""
    lightness = cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)[..., 0]
    lm = np.asarray(landmarks)[:, :2]
    means = []
    for lid, (outer, inner) in MID_UPPER_LIDS:
        width = float(np.linalg.norm(lm[inner] - lm[outer]))
        axis = (lm[inner] - lm[outer]) / width
        up = np.array([axis[1], -axis[0]])
        up = up if up[1] < 0 else -up  # image rows grow downward
        steps = np.linspace(0.08, 0.25, 8) * width
        xs = np.concatenate([lm[p, 0] + steps * up[0] for p in lid]).astype(np.float32)[None]
        ys = np.concatenate([lm[p, 1] + steps * up[1] for p in lid]).astype(np.float32)[None]
        means.append(float(cv2.remap(lightness, xs, ys, cv2.INTER_LINEAR).mean()))
    return means


@pytest.mark.parametrize("name", ["london_092_beard.jpg", "obama_official_2012.jpg"])
def test_a_raise_does_not_smear_the_lash_line_up_the_lid(name, config, engine, image_tracker):
    # A reviewer saw "a thin dark outline with a second arc above it, like drawn eyeliner"
    # (london_092) and a smoky band smeared up from the lash line (the astronaut): the lid
    # crease followed the brows 0.7-0.8 of the way, stretching the few pixels of lid above the
    # lashes 3-4x. That skin then fell 10-12 L* (london_092) and 14-18 (Obama) below the
    # portrait's own at AU01/AU02 +3; with the crease near the lid, 4-6.
    portrait = shared_face(name, config, image_tracker)
    out, track = render_and_track(engine, portrait, image_tracker, AU01=3, AU02=3)
    rest = _lid_skin_lightness(portrait.image, portrait.track.landmarks)
    raised = _lid_skin_lightness(out, track.landmarks)
    for before, after in zip(rest, raised):
        assert after > before - 8.0, f"the lid skin above the lashes darkened from L* {before:.1f} to {after:.1f}"


# Per brow: the middle three points of its upper and lower contours, MediaPipe indices.
MID_BROWS = (((63, 105, 66), (53, 52, 65)), ((293, 334, 296), (283, 282, 295)))


def _darkest_row(grey: np.ndarray, x: int, top: int, bottom: int) -> int:
    column = cv2.GaussianBlur(grey, (0, 0), 1.5)[top:bottom, x - 2:x + 3].mean(axis=1)
    return top + int(np.argmin(column))


def test_brows_resting_high_still_rise_visibly(config, engine, image_tracker):
    # london_042 reads AU01 3.2 at rest (its brows sit high): a raise scaled by all of the
    # headroom that used (x0.36) lifted the brows' dark line 0.03 eye distances at AU01/AU02 +2,
    # where neutral portraits' rose 0.13-0.17 (Obama, london_092), and a reviewer saw no raise.
    # Measured on the pixels: per column through each brow's middle, the darkest row of the
    # portrait's brow and of the output's, searched from a third of the eye distance above it.
    portrait = shared_face("london_042_grayscale.png", config, image_tracker)
    out = render_change(engine, portrait, AU01=2, AU02=2)
    lm = np.asarray(portrait.track.landmarks)[:, :2]
    eyes = float(np.linalg.norm(lm[[33, 133]].mean(axis=0) - lm[[263, 362]].mean(axis=0)))
    before = cv2.cvtColor(portrait.image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    after = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(np.float32)
    rises = []
    for upper, lower in MID_BROWS:
        for up, low in zip(upper, lower):
            x = int(round(lm[[up, low], 0].mean()))
            bottom = int(lm[low, 1]) + 1
            rest = _darkest_row(before, x, int(lm[up, 1]) - 2, bottom)
            raised = _darkest_row(after, x, int(lm[up, 1] - eyes / 3), bottom)
            rises.append((rest - raised) / eyes)
    assert np.median(rises) > 0.05, f"the brows' dark line rose {np.round(rises, 3)} eye distances"
