"""Loading generator checkpoints of every layout, checked against an independent forward pass.

Each test writes a state dict in a layout's OWN naming (as the original repositories save
it), with random weights, loads it through ``load_generator`` and compares the result with
``reference_forward`` below: the GANimation generator written directly with
torch.nn.functional, reading the raw dict. Our ``GanimationGenerator`` is never used as
the reference.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

import livemorph
from livemorph.engines.ganimation.checkpoints import load_generator, save_generator
from livemorph.errors import CheckpointError, InputNotFound
from livemorph.engines.ganimation.networks import GanimationGenerator

NUM_AUS = 17
SIZE = 32  # spatial size used for the numeric comparisons (the net is fully convolutional)


# ---------------------------------------------------------------------------------------
# Independent reference implementation.
class Naming:
    """Where a layout keeps each tensor. ``i`` is the index in the trunk Sequential."""

    def __init__(self, trunk: str, block: str, color: str, attention: str):
        self.trunk, self.block, self.color, self.attention = trunk, block, color, attention

    def layer(self, i: int, what: str) -> str:
        return f"{self.trunk}.{i}.{what}"

    def block_layer(self, k: int, j: int, what: str) -> str:
        return f"{self.trunk}.{k}.{self.block}.{j}.{what}"


REPLICATE = Naming("model", "conv_block", "color_top.0.weight", "au_top.0.weight")
OFFICIAL = Naming("main", "main", "img_reg.0.weight", "attetion_reg.0.weight")
VIPERMU = Naming("main", "main", "im_reg.0.weight", "im_att.0.weight")


def reference_forward(sd: dict, naming: Naming, image, aus, *, repeat: int):
    def conv(x, weight_key, stride=1, padding=0, transpose=False):
        w = sd[weight_key]
        b = sd.get(weight_key[: -len("weight")] + "bias")
        op = F.conv_transpose2d if transpose else F.conv2d
        return op(x, w, b, stride=stride, padding=padding)

    def norm(x, weight_key):
        return F.instance_norm(x, weight=sd.get(weight_key), bias=sd.get(weight_key[: -len("weight")] + "bias"))

    n, _, h, w = image.shape
    x = torch.cat([image, aus[:, :, None, None].expand(n, NUM_AUS, h, w)], 1)
    x = F.relu(norm(conv(x, naming.layer(0, "weight"), padding=3), naming.layer(1, "weight")))
    for i in (3, 6):
        x = F.relu(norm(conv(x, naming.layer(i, "weight"), 2, 1), naming.layer(i + 1, "weight")))
    for k in range(9, 9 + repeat):
        y = F.relu(norm(conv(x, naming.block_layer(k, 0, "weight"), padding=1), naming.block_layer(k, 1, "weight")))
        y = norm(conv(y, naming.block_layer(k, 3, "weight"), padding=1), naming.block_layer(k, 4, "weight"))
        x = x + y
    for i in (9 + repeat, 12 + repeat):
        x = F.relu(norm(conv(x, naming.layer(i, "weight"), 2, 1, transpose=True), naming.layer(i + 1, "weight")))
    color = torch.tanh(F.conv2d(x, sd[naming.color], padding=3))
    attention = torch.sigmoid(F.conv2d(x, sd[naming.attention], padding=3))
    return color, attention


# ---------------------------------------------------------------------------------------
# State dicts in each layout's own naming.
def _rand(*shape, gen, scale=0.1):
    return torch.randn(*shape, generator=gen) * scale


def make_state_dict(naming: Naming, *, dim=8, repeat=2, conv_bias: bool, affine: bool,
                    running_stats: bool = False, seed: int = 0) -> dict:
    gen = torch.Generator().manual_seed(seed)
    sd: dict[str, torch.Tensor] = {}

    def add_conv(key_w, cout, cin, k, transpose=False):
        sd[key_w] = _rand(*((cin, cout, k, k) if transpose else (cout, cin, k, k)), gen=gen)
        if conv_bias:
            sd[key_w[: -len("weight")] + "bias"] = _rand(cout, gen=gen)

    def add_norm(key_w, c):
        prefix = key_w[: -len("weight")]
        if affine:
            sd[prefix + "weight"] = 1 + _rand(c, gen=gen)
            sd[prefix + "bias"] = _rand(c, gen=gen)
        if running_stats:  # stale buffers: absurd values, must be ignored
            sd[prefix + "running_mean"] = torch.full((c,), 7.0)
            sd[prefix + "running_var"] = torch.full((c,), 0.01)
            sd[prefix + "num_batches_tracked"] = torch.tensor(123)

    add_conv(naming.layer(0, "weight"), dim, 3 + NUM_AUS, 7)
    add_norm(naming.layer(1, "weight"), dim)
    add_conv(naming.layer(3, "weight"), 2 * dim, dim, 4)
    add_norm(naming.layer(4, "weight"), 2 * dim)
    add_conv(naming.layer(6, "weight"), 4 * dim, 2 * dim, 4)
    add_norm(naming.layer(7, "weight"), 4 * dim)
    for k in range(9, 9 + repeat):
        for j in (0, 3):
            add_conv(naming.block_layer(k, j, "weight"), 4 * dim, 4 * dim, 3)
            add_norm(naming.block_layer(k, j + 1, "weight"), 4 * dim)
    add_conv(naming.layer(9 + repeat, "weight"), 2 * dim, 4 * dim, 4, transpose=True)
    add_norm(naming.layer(10 + repeat, "weight"), 2 * dim)
    add_conv(naming.layer(12 + repeat, "weight"), dim, 2 * dim, 4, transpose=True)
    add_norm(naming.layer(13 + repeat, "weight"), dim)
    sd[naming.color] = _rand(3, dim, 7, 7, gen=gen)
    sd[naming.attention] = _rand(1, dim, 7, 7, gen=gen)
    return sd


def _inputs(seed=1, n=2):
    gen = torch.Generator().manual_seed(seed)
    image = torch.rand(n, 3, SIZE, SIZE, generator=gen) * 2 - 1
    aus = torch.rand(n, NUM_AUS, generator=gen)
    return image, aus


def _assert_matches(model, sd, naming, repeat):
    image, aus = _inputs()
    with torch.no_grad():
        color, attention = model(image, aus)
        ref_color, ref_attention = reference_forward(sd, naming, image, aus, repeat=repeat)
    assert color.shape == (2, 3, SIZE, SIZE) and attention.shape == (2, 1, SIZE, SIZE)
    torch.testing.assert_close(color, ref_color, atol=2e-5, rtol=1e-4)
    torch.testing.assert_close(attention, ref_attention, atol=2e-5, rtol=1e-4)
    # The outputs must depend on the AUs, or the comparison would not cover the AU channels.
    with torch.no_grad():
        other, _ = model(image, aus.flip(1))
    assert (other - color).abs().max() > 1e-4


# ---------------------------------------------------------------------------------------
def test_ganimation_replicate_layout_full_size_has_36_tensors_and_matches(tmp_path):
    sd = make_state_dict(REPLICATE, dim=64, repeat=6, conv_bias=True, affine=False)
    assert len(sd) == 36  # as the published *_net_gen.pth files
    path = tmp_path / "30_net_gen.pth"
    torch.save(sd, path)
    model = load_generator(path)
    assert not model.training
    assert model.conv_dim == 64 and model.repeat_num == 6
    _assert_matches(model, sd, REPLICATE, repeat=6)


def test_official_layout_with_module_prefix_and_stale_running_stats(tmp_path):
    sd = make_state_dict(OFFICIAL, dim=8, repeat=3, conv_bias=False, affine=True, running_stats=True)
    path = tmp_path / "net_epoch_30_id_G.pth"
    # PyTorch 0.3 era files: DataParallel prefix and the legacy (non-zip) serialisation.
    torch.save({"module." + k: v for k, v in sd.items()}, path, _use_new_zipfile_serialization=False)
    model = load_generator(path)
    assert model.conv_dim == 8 and model.repeat_num == 3
    _assert_matches(model, sd, OFFICIAL, repeat=3)


def test_vipermu_layout_with_debug_duplicates_and_running_stats(tmp_path):
    sd = make_state_dict(VIPERMU, dim=8, repeat=2, conv_bias=False, affine=True, running_stats=True)
    saved = dict(sd)
    # debug1..4 are Sequentials sharing the first layers of ``main``: duplicate keys.
    for key, value in sd.items():
        if key.startswith("main.0.") or key.startswith("main.1."):
            for d in range(1, 5):
                saved[f"debug{d}." + key[len("main."):]] = value.clone()
    saved["debug4.9.main.0.weight"] = sd["main.9.main.0.weight"].clone()
    path = tmp_path / "200000-G.ckpt"
    torch.save(saved, path)
    model = load_generator(path)
    _assert_matches(model, sd, VIPERMU, repeat=2)


def test_livemorph_own_format_roundtrip(tmp_path):
    torch.manual_seed(3)
    generator = GanimationGenerator(conv_dim=8, repeat_num=2, norm_affine=True, conv_bias=True)
    with torch.no_grad():  # default IN affine init is 1/0; make it matter
        for name, p in generator.named_parameters():
            p.add_(torch.randn_like(p) * 0.1)
    path = save_generator(tmp_path / "mine.pth", generator, image_size=128, meta={"epochs": 3})
    payload = torch.load(path, map_location="cpu", weights_only=True)
    raw = payload["state_dict"]
    # Our own naming, described independently for the reference forward.
    mine = Naming("trunk", "block", "color_head.0.weight", "attention_head.0.weight")
    model = livemorph.load_generator(path)  # the public entry point
    _assert_matches(model, raw, mine, repeat=2)


# ---------------------------------------------------------------------------------------
# Bad files: each gets a one-line CheckpointError that says what is wrong.
def _one_line_error(path, match):
    with pytest.raises(CheckpointError, match=match) as info:
        load_generator(path)
    assert "\n" not in str(info.value)
    return str(info.value)


def test_truncated_file(tmp_path):
    good = tmp_path / "good.pth"
    torch.save(make_state_dict(REPLICATE, conv_bias=True, affine=False), good)
    data = good.read_bytes()
    bad = tmp_path / "truncated.pth"
    bad.write_bytes(data[: len(data) // 2])
    _one_line_error(bad, "truncated|corrupt")


def test_random_bytes(tmp_path):
    bad = tmp_path / "random.pth"
    bad.write_bytes(torch.randint(0, 256, (5000,), dtype=torch.uint8).numpy().tobytes())
    _one_line_error(bad, "not a PyTorch file|truncated|corrupt")


class Payload:
    """A custom class: unpickling it would run code from this module."""

    def __reduce__(self):
        return (print, ("this must never run",))


def test_pickle_needing_code_is_refused(tmp_path, capsys):
    bad = tmp_path / "evil.pth"
    torch.save({"model.0.weight": torch.zeros(1), "extra": Payload()}, bad)
    message = _one_line_error(bad, "refusing")
    assert "arbitrary code" in message
    assert "this must never run" not in capsys.readouterr().out


def test_right_keys_wrong_shapes_names_layout_and_key(tmp_path):
    sd = make_state_dict(REPLICATE, conv_bias=True, affine=False)
    sd["model.10.conv_block.3.weight"] = torch.zeros(32, 32, 5, 5)
    path = tmp_path / "bad_shapes.pth"
    torch.save(sd, path)
    message = _one_line_error(path, "ganimation_replicate")
    assert "model.10.conv_block.3.weight" in message and "wrong shapes" in message


def test_missing_key_is_reported_in_the_layouts_own_naming(tmp_path):
    sd = make_state_dict(OFFICIAL, conv_bias=False, affine=True)
    del sd["main.12.bias"]
    path = tmp_path / "missing.pth"
    torch.save(sd, path)
    message = _one_line_error(path, "official GANimation")
    assert "main.12.bias" in message


def test_unrelated_keys_name_the_closest_layout(tmp_path):
    path = tmp_path / "resnet.pth"
    torch.save({"fc.weight": torch.zeros(2, 2), "main.0.weight": torch.zeros(1), "img_reg.0.weight": torch.zeros(1)}, path)
    _one_line_error(path, r"not a GANimation generator.*closest: official GANimation")


def test_wrong_number_of_au_channels(tmp_path):
    sd = make_state_dict(REPLICATE, conv_bias=True, affine=False)
    sd["model.0.weight"] = torch.zeros(8, 3 + 5, 7, 7)  # a StarGAN-style 5-domain generator
    path = tmp_path / "five.pth"
    torch.save(sd, path)
    _one_line_error(path, "input channels")


def test_a_bare_tensor_is_not_a_state_dict(tmp_path):
    path = tmp_path / "tensor.pth"
    torch.save(torch.zeros(3), path)
    _one_line_error(path, "state dict")


def test_missing_file_is_input_not_found(tmp_path):
    with pytest.raises(InputNotFound):
        load_generator(tmp_path / "nope.pth")


# ---------------------------------------------------------------------------------------
# What users actually pass instead of a generator file: one line that says what to pass.
RELEASE_RUNS = ("ckpts/emotionNet/ganimation/190327_160828", "ckpts/celebA/ganimation/190327_161852")


def _release_tree(root, runs=RELEASE_RUNS):
    """The authors' ``ckpts`` folder: per run a generator, a critic and the options file."""
    for run in runs:
        folder = root / run
        folder.mkdir(parents=True)
        torch.save(make_state_dict(REPLICATE, conv_bias=True, affine=False), folder / "30_net_gen.pth")
        (folder / "30_net_dis.pth").write_bytes(b"critic")
        (folder / "opt.txt").write_text("options")
    return root


@pytest.mark.parametrize("runs, expected", [
    (RELEASE_RUNS[:1], "pass the generator file inside it: {root}/" + RELEASE_RUNS[0] + "/30_net_gen.pth"),
    (RELEASE_RUNS, "pass one of the generator files inside it: {root}/" + RELEASE_RUNS[1] + "/30_net_gen.pth, {root}/"
     + RELEASE_RUNS[0] + "/30_net_gen.pth"),
    ((), "pass the generator file inside it (e.g. *_net_gen.pth); none was found there"),
])
def test_a_folder_names_the_generator_file_inside_it(tmp_path, runs, expected):
    root = tmp_path / "download"
    root.mkdir()
    _release_tree(root, runs)
    message = _one_line_error(root, "is a folder")
    assert message.endswith(expected.format(root=root)), message


def test_a_run_folder_names_its_generator_before_the_step_snapshots(tmp_path):
    run = tmp_path / "runs" / "base"
    generator = GanimationGenerator(conv_dim=8, repeat_num=1)
    for name in ("generator.pt", "checkpoints/generator_0000002.pt"):
        save_generator(run / name, generator, image_size=128)
    message = _one_line_error(run, "is a folder")
    assert f"one of the generator files inside it: {run / 'generator.pt'}, " in message


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
@pytest.mark.parametrize("runs", [RELEASE_RUNS[:1], RELEASE_RUNS])
def test_an_archive_says_unpack_it_and_names_the_generator_inside(tmp_path, kind, runs):
    # Google Drive delivers the authors' ckpts folder as a zip.
    archive = Path(shutil.make_archive(str(tmp_path / "ckpts"), "zip" if kind == "zip" else "gztar",
                                       _release_tree(tmp_path / "tree", runs)))
    message = _one_line_error(archive, f"is a {kind[:3]} archive, not a checkpoint; unpack it and pass")
    inside = [f"{run}/30_net_gen.pth" for run in sorted(runs)]
    assert message.endswith("inside it: " + ", ".join(inside)), message


def test_an_empty_file_says_so(tmp_path):
    path = tmp_path / "30_net_gen.pth"
    path.write_bytes(b"")
    assert _one_line_error(path, "is empty").endswith("is empty (0 bytes); download it again")


@pytest.mark.parametrize("how, says", [
    ("zip cut in half", "(RuntimeError: PytorchStreamReader failed reading zip archive: failed finding central directory)"),
    ("legacy cut after its header", "(the file ends too soon)"),
    ("html page", "(Unsupported operand 60)"),
])
def test_torch_errors_are_one_full_sentence_without_its_advice(tmp_path, how, says):
    whole = tmp_path / "whole.pth"
    torch.save(make_state_dict(REPLICATE, conv_bias=True, affine=False), whole,
               _use_new_zipfile_serialization=how == "zip cut in half")
    data = whole.read_bytes()
    bad = tmp_path / "bad.pth"
    bad.write_bytes({"zip cut in half": data[: len(data) // 2], "legacy cut after its header": data[:50],
                     "html page": b"<html><body>Quota exceeded</body></html>"}[how])
    message = _one_line_error(bad, "truncated|corrupt")
    assert message.endswith(f"{says}; download it again"), message
    assert "weights_only" not in message and "Could this" not in message


def test_a_training_state_names_the_generator_file_beside_it(tmp_path):
    from livemorph.training.state import save_state

    state = save_state(tmp_path / "run" / "state.pt",
                       {"step": 3, "generator": GanimationGenerator(conv_dim=8, repeat_num=1).state_dict()})
    message = _one_line_error(state, "is a livemorph training state")
    assert message.endswith(f"not a generator; pass {tmp_path / 'run' / 'generator.pt'}"), message


def _livemorph_file(path, **changes):
    """A livemorph-format generator file with header fields changed (MISSING: removed)."""
    save_generator(path, GanimationGenerator(conv_dim=8, repeat_num=1), image_size=128)
    payload = torch.load(path, weights_only=True)
    for key, value in changes.items():
        if value is MISSING:
            del payload[key]
        else:
            payload[key] = value
    torch.save(payload, path)
    return path


MISSING = object()


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
@pytest.mark.parametrize("layout", ["livemorph", "ganimation_replicate"])
def test_nan_or_inf_weights_are_refused(tmp_path, layout, bad):
    # A diverged run's generator rendered a black square over the face.
    path = tmp_path / "g.pt"
    if layout == "livemorph":
        payload = torch.load(_livemorph_file(path), weights_only=True)
        payload["state_dict"]["trunk.3.weight"][0, 0, 0, 0] = bad
        torch.save(payload, path)
        key = "trunk.3.weight"
    else:
        sd = make_state_dict(REPLICATE, conv_bias=True, affine=False)
        sd["model.3.weight"][0, 0, 0, 0] = bad
        torch.save(sd, path)
        key = "model.3.weight"
    message = _one_line_error(path, r"holds NaN/inf weights")
    assert f"first in {key} (a training run that diverged?)" in message


@pytest.mark.parametrize("field, value, says", [
    ("image_size", "abc", "field image_size is 'abc', expected an integer from 16 to 1024, a multiple of 4"),
    ("image_size", 0, "field image_size is 0, expected"),
    ("image_size", 130, "field image_size is 130, expected"),
    ("conv_dim", -4, "field conv_dim is -4, expected an integer from 1 to 1024"),
    ("conv_dim", 4096, "field conv_dim is 4096, expected"),  # a 200 KB file asked for 8+ GB
    ("conv_dim", True, "field conv_dim is True, expected"),
    ("repeat_num", "1", "field repeat_num is '1', expected an integer from 0 to 64"),
    ("norm_affine", "no", "field norm_affine is 'no', expected true or false"),
    ("conv_bias", MISSING, "field conv_bias is missing"),
    ("au_order", 5, "AU order 5 differs from livemorph's"),
    ("state_dict", [torch.zeros(1)], "expected a dict of tensors (a state dict), got a list"),
    ("state_dict", {"trunk.0.weight": "x"}, "entry 'trunk.0.weight' is not a tensor"),
])
def test_livemorph_header_fields_are_checked(tmp_path, field, value, says):
    path = _livemorph_file(tmp_path / "g.pt", **{field: value})
    message = _one_line_error(path, None)
    assert says in message, message


def test_a_header_claiming_a_huge_network_fails_on_its_shapes_before_building_it(tmp_path):
    # conv_dim 1024 with 64 residual blocks would be ~77 GB of weights; the file holds conv_dim 8's.
    path = _livemorph_file(tmp_path / "g.pt", conv_dim=1024, repeat_num=64)
    message = _one_line_error(path, "does not match the livemorph generator layout; wrong shapes")
    assert "trunk.0.weight (8, 20, 7, 7) != (1024, 20, 7, 7)" in message
