"""py-feat's AU->mesh model as livemorph reads it: file location, layout, mapping to our 17 AUs.

Expected numbers come from the raw .npz read independently here, or from the measurements in
shared/FACTS.md (eyelid gap 11.1 -> 1.1 for AU43 = 1; lip gap 8.2 -> 20.7 for AU26 = 1).
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from livemorph.engines.warp import au_mesh, feat_aus
from livemorph.aus import AU, AU_NAMES, NUM_AUS
from livemorph.errors import ModelFileError


@pytest.fixture(scope="module")
def raw():
    with np.load(au_mesh.model_path()) as data:
        return {k: data[k] for k in data.files}


@pytest.fixture(scope="module")
def model():
    return au_mesh.load_au_mesh_model()


def test_model_is_found_without_importing_feat():
    code = (
        "import sys; from livemorph.engines.warp.au_mesh import load_au_mesh_model; m = load_au_mesh_model(); "
        "assert 'feat' not in sys.modules, 'feat was imported'; print(m.au_basis.shape)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(20, 478, 3)"


def test_outputs_are_axis_major(raw):
    # The file's own point-major mean mesh matches the intercept read axis-major, not point-major.
    mean = raw["mean_aligned_mesh"]
    axis_major = raw["intercept"].reshape(3, 478).T
    point_major = raw["intercept"].reshape(478, 3)
    assert np.abs(axis_major - mean).max() < 10.0
    assert np.abs(point_major - mean).max() > 50.0


def test_mesh_is_in_image_orientation(raw, model):
    expected = raw["intercept"].reshape(3, 478).T * np.array([1.0, -1.0, -1.0])
    np.testing.assert_allclose(model.mean_mesh, expected, atol=1e-4)
    mesh = model.mean_mesh
    assert mesh[10, 1] < mesh[1, 1] < mesh[152, 1]  # forehead above nose tip above chin (y down)
    assert mesh[33, 0] < mesh[263, 0]  # subject's right eye on the image left
    assert mesh[1, 2] < mesh[234, 2]  # nose tip nearer the viewer than the cheek edge (z away)


def test_basis_reproduces_the_raw_linear_model(raw, model):
    rng = np.random.default_rng(1)
    feat = rng.uniform(0, 1, 20).astype(np.float32)
    inputs = np.concatenate([feat, np.zeros(3, np.float32)])
    flat = inputs @ raw["coef"] + raw["intercept"]
    expected = flat.reshape(3, 478).T * np.array([1.0, -1.0, -1.0])
    np.testing.assert_allclose(model.mesh(feat), expected, atol=1e-3)


def _lid_gap(mesh):
    """Mean image-plane distance between the mid upper and lower lid points (as in FACTS.md)."""
    return float(np.mean([np.linalg.norm(mesh[145, :2] - mesh[159, :2]), np.linalg.norm(mesh[374, :2] - mesh[386, :2])]))


def test_measured_facts_hold(model):
    zero = np.zeros(20, np.float32)
    eyes_closed = zero.copy()
    eyes_closed[model.column("AU43")] = 1.0
    jaw = zero.copy()
    jaw[model.column("AU26")] = 1.0
    assert _lid_gap(model.mesh(zero)) == pytest.approx(11.1, abs=0.5)  # shared/FACTS.md
    assert _lid_gap(model.mesh(eyes_closed)) == pytest.approx(1.1, abs=0.5)
    lip_gap = lambda m: float(np.linalg.norm(m[14, :2] - m[13, :2]))  # noqa: E731
    assert lip_gap(model.mesh(zero)) == pytest.approx(8.2, abs=0.5)
    assert lip_gap(model.mesh(jaw)) == pytest.approx(20.7, abs=0.5)


def test_every_livemorph_au_maps_to_a_feat_column(model):
    assert tuple(feat_aus.LIVEMORPH_TO_FEAT) == AU_NAMES
    assert feat_aus.LIVEMORPH_TO_FEAT["AU45"] == "AU43"
    assert feat_aus.LIVEMORPH_TO_FEAT["AU25"] == "AU26"
    matrix = feat_aus.mapping_matrix(model.au_columns)
    assert matrix.shape == (20, NUM_AUS)
    # One 1/5 entry per livemorph AU (AU25 is added non-linearly), nothing drives AU11/24/25/28.
    for j, name in enumerate(AU_NAMES):
        expected = 0.0 if name == "AU25" else 0.2
        assert matrix[:, j].sum() == pytest.approx(expected)
    for name in ("AU11", "AU24", "AU25", "AU28"):
        assert not matrix[model.column(name)].any()


def test_scale_is_openface_over_five(model):
    delta = np.zeros(NUM_AUS, np.float32)
    delta[AU.AU12] = 5.0
    delta[AU.AU45] = 2.5
    feat = feat_aus.feat_au_delta(delta, model.au_columns, au25_to_jaw=0.6)
    assert feat[model.column("AU12")] == pytest.approx(1.0)
    assert feat[model.column("AU43")] == pytest.approx(0.5)
    assert np.count_nonzero(feat) == 2


def test_lips_part_opens_like_jaw_drop_without_double_counting(model):
    jaw = model.column("AU26")
    only_25 = np.zeros(NUM_AUS, np.float32)
    only_25[AU.AU25] = 5.0
    feat = feat_aus.feat_au_delta(only_25, model.au_columns, au25_to_jaw=0.6)
    assert feat[jaw] == pytest.approx(0.6)
    assert feat[model.column("AU25")] == 0.0
    both = only_25.copy()
    both[AU.AU26] = 5.0
    assert feat_aus.feat_au_delta(both, model.au_columns, au25_to_jaw=0.6)[jaw] == pytest.approx(1.0)
    closing = -both
    assert feat_aus.feat_au_delta(closing, model.au_columns, au25_to_jaw=0.6)[jaw] == pytest.approx(-1.0)
    # A clear opening beside a closing wins: the user opening the mouth sees it open.
    mixed = np.zeros(NUM_AUS, np.float32)
    mixed[AU.AU26], mixed[AU.AU25] = 2.5, -1.0  # opening 0.5, lips closing 0.12 (py-feat scale)
    assert feat_aus.feat_au_delta(mixed, model.au_columns, au25_to_jaw=0.6)[jaw] == pytest.approx(0.5)


@pytest.mark.parametrize("sweep, closing", [(AU.AU26, (AU.AU25, -3.0)), (AU.AU25, (AU.AU26, -1.5))])
def test_the_jaw_column_never_jumps_as_one_change_crosses_zero_beside_a_closing(sweep, closing):
    # A relaxed grin's lips closing (AU25 -3) while the user's jaw drop crosses 0, and the reverse.
    # Opening the mouth by a step never moves the column by more than twice that step's own opening
    # (py-feat scale: the AU change / 5, AU25 at au25_to_jaw), and never closes it. Taking the larger
    # opening, else the larger closing, jumps by the whole closing (0.36 or 0.3) at the crossing.
    au25_to_jaw, step = 0.6, 0.01
    per_step = step / 5 * (au25_to_jaw if sweep == AU.AU25 else 1.0)
    delta = np.zeros(NUM_AUS, np.float32)
    delta[closing[0]] = closing[1]
    columns = []
    for value in np.arange(-1.0, 2.0, step):
        delta[sweep] = value
        columns.append(feat_aus.jaw_column(delta, au25_to_jaw).change)
    steps = np.diff(columns)
    assert steps.min() >= -1e-6, "opening further closed the mouth"
    assert steps.max() <= 2 * per_step + 1e-6, f"the column jumped {steps.max():.3f} in one step"
    assert columns[-1] > 0.1 and columns[0] < -0.1, "the sweep did not go from closed to open"


def test_the_wider_jaw_reading_takes_over_without_a_jump():
    # Two readings of the column (from the rest, from the neutral face) drawn as the wider: its
    # jaw-drop share (all lips parting in one, all jaw drop in the other) must not switch at the
    # crossing, where the chin would jump by the whole column times the two drawings' difference.
    held = feat_aus.JawColumn(-0.9, 0.0)
    step = 1e-4
    drawn = [feat_aus.wider_column(held, feat_aus.JawColumn(float(other), 1.0))
             for other in np.arange(-1.0, -0.8, step)]
    changes = np.array([column.change for column in drawn])
    shares = np.array([column.jaw_drop_share for column in drawn])
    assert np.allclose(changes, np.maximum(-0.9, np.arange(-1.0, -0.8, step))), "not the wider reading"
    assert shares[0] == 0.0 and shares[-1] == 1.0, "the share is not the wider reading's"
    assert np.abs(np.diff(shares)).max() < 0.05, f"the share jumped {np.abs(np.diff(shares)).max():.2f}"


def test_localized_basis_keeps_the_skull_still_and_each_au_in_its_region(model):
    basis = model.localized_basis()
    skull = list(au_mesh.SKULL_POINTS)
    raw_skull = np.linalg.norm(model.au_basis[:, skull], axis=2).mean()
    clean_skull = np.linalg.norm(basis[:, skull], axis=2).mean()
    assert clean_skull < 0.5 * raw_skull
    chin, brow = 152, 105
    mouth_points = [61, 291, 13, 14, 17, 152]
    for name in ("AU01", "AU02", "AU04", "AU05", "AU43"):  # upper-face AUs leave the mouth alone
        assert np.abs(basis[model.column(name)][mouth_points]).max() < 1e-3
    for name in ("AU12", "AU26", "AU15", "AU17"):  # mouth AUs leave the brows alone
        assert np.abs(basis[model.column(name)][[brow, 334, 10]]).max() < 1e-3
    assert basis[model.column("AU26")][chin, 1] > 10.0  # the jaw still drops (y down)
    assert basis[model.column("AU04")][brow, 1] > 2.0  # the brows still lower


def test_only_jaw_drop_parts_the_lips_and_brows_leave_the_lids(model):
    raw, basis = model.au_basis, model.localized_basis()
    upper, lower = [list(side) for side in zip(*au_mesh.INNER_LIP_PAIRS)]
    gap = lambda d: float((d[lower, 1] - d[upper, 1]).mean())  # noqa: E731  (y down: > 0 opens)
    # The raw model parts the lips for a smile (co-occurrence in its training data) ...
    assert gap(raw[model.column("AU12")]) > 0.5
    assert gap(raw[model.column("AU06")]) > 2.0
    # ... the cleaned basis keeps them closed for every column but jaw drop.
    for name in model.au_columns:
        if name != "AU26":
            assert abs(gap(basis[model.column(name)])) < 1e-4, name
    assert gap(basis[model.column("AU26")]) > 5.0
    # Smiles still widen the mouth and lift its corners above the lip centre (y down).
    smile = basis[model.column("AU12")]
    assert smile[291, 0] - smile[61, 0] > 4.0
    assert smile[[61, 291], 1].mean() < smile[[13, 14], 1].mean() - 1.0
    # Brow raises move the brows, not the lids (the raw AU01 drags the lower lid down).
    assert raw[model.column("AU01")][[145, 374], 1].mean() > 0.5
    for name in ("AU01", "AU02"):
        b = basis[model.column(name)]
        assert np.abs(b[[145, 374, 159, 386]]).max() < 0.05 * np.abs(b[[105, 334]]).max(), name


def test_mirror_points_pair_the_face_as_mediapipe_numbers_it(model):
    # MediaPipe's lip contours run from the image-left corner to the right one through the
    # midline (face_regions, a fact of its mesh): read from both ends, they pair mirror points.
    from face_regions import LOWER_INNER, LOWER_OUTER, UPPER_INNER, UPPER_OUTER

    mirror = au_mesh.mirror_points(model.mean_mesh)
    assert sorted(mirror) == list(range(au_mesh.NUM_FACE_POINTS))  # one partner each
    assert (mirror[mirror] == np.arange(au_mesh.NUM_FACE_POINTS)).all()
    for contour in (UPPER_INNER, LOWER_INNER, UPPER_OUTER, LOWER_OUTER):
        assert list(mirror[list(contour)]) == list(contour[::-1]), contour
    eye_corners = {33: 263, 133: 362}  # outer and inner eye corners
    for a, b in eye_corners.items():
        assert mirror[a] == b and mirror[b] == a
    for on_the_midline in (1, 4, 10, 152, 168):  # nose tip, forehead, chin, nose bridge
        assert mirror[on_the_midline] == on_the_midline


def test_missing_pyfeat_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelFileError, match="py-feat is not installed"):
        au_mesh.model_path()


def test_unreadable_model_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "au_to_mesh_pls_v4.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ModelFileError, match="unreadable"):
        au_mesh.load_au_mesh_model(bad)
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, coef=np.zeros((3, 5), np.float32), intercept=np.zeros(5, np.float32),
             au_columns=np.array(["AU01"]), input_columns=np.array(["AU01"]))
    with pytest.raises(ModelFileError, match="unexpected shapes"):
        au_mesh.load_au_mesh_model(wrong)
