"""Model registry: known checkpoints, `models add/list/verify`, names resolving to files."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import torch
import yaml

from conftest import REPO_ROOT, shared_path
from livemorph.cli.app import main
from livemorph.errors import CheckpointError, InputNotFound
from livemorph.engines.ganimation.model_registry import (
    BUILTIN_REGISTRY, add_model, builtin_models, list_models, resolve_checkpoint, user_registry_path, verify_models,
)
from test_checkpoints import OFFICIAL, REPLICATE, make_state_dict


@pytest.fixture
def registry(tmp_path, monkeypatch):
    path = tmp_path / "config" / "models.yaml"
    monkeypatch.setenv("LIVEMORPH_MODEL_REGISTRY", str(path))
    return path


def _replicate_file(path, seed=0):
    torch.save(make_state_dict(REPLICATE, conv_bias=True, affine=False, seed=seed), path)
    return path


def test_known_checkpoints_are_listed_with_source_and_licence():
    assert not BUILTIN_REGISTRY.is_symlink()  # a checkout without symlinks (Windows) must work
    assert BUILTIN_REGISTRY.read_bytes() == (REPO_ROOT / "models" / "registry.yaml").read_bytes(), (
        "models/registry.yaml and the packaged livemorph/engines/ganimation/model_registry.yaml differ: edit one, then "
        "`cp models/registry.yaml livemorph/engines/ganimation/model_registry.yaml`")
    raw = yaml.safe_load((REPO_ROOT / "models" / "registry.yaml").read_text())
    assert {"emotionnet", "celeba"} <= set(raw)
    known = builtin_models()
    for name in ("emotionnet", "celeba"):
        entry = known[name]
        assert entry.layout == "ganimation_replicate"
        assert entry.url.startswith("https://")
        assert "licence" in raw[name] and entry.licence
        assert "sha256" in raw[name]  # present, null where unpublished


def test_user_registry_lives_outside_the_repository(monkeypatch):
    monkeypatch.delenv("LIVEMORPH_MODEL_REGISTRY", raising=False)
    assert REPO_ROOT.resolve() not in user_registry_path().resolve().parents


def test_add_records_path_layout_and_sha256_and_resolves_by_name(registry, tmp_path):
    ckpt = _replicate_file(tmp_path / "30_net_gen.pth")
    entry = add_model(ckpt, name="mine")
    stored = yaml.safe_load(registry.read_text())["mine"]
    assert stored["path"] == str(ckpt.resolve())
    assert stored["layout"] == "ganimation_replicate"
    assert stored["sha256"] == hashlib.sha256(ckpt.read_bytes()).hexdigest()
    assert entry.name == "mine"
    assert resolve_checkpoint("mine") == ckpt.resolve()
    assert resolve_checkpoint(str(ckpt)) == ckpt  # a path works as is
    assert "mine" in [e.name for e in list_models()]


def test_add_without_name_uses_the_file_name(registry, tmp_path):
    entry = add_model(_replicate_file(tmp_path / "30_net_gen.pth"))
    assert entry.name == "30_net_gen"


def test_adding_a_bad_file_records_nothing(registry, tmp_path):
    bad = tmp_path / "junk.pth"
    bad.write_bytes(b"not a checkpoint at all" * 10)
    with pytest.raises(CheckpointError):
        add_model(bad, name="junk")
    assert not registry.exists()


def test_a_known_name_must_get_a_file_of_its_layout(registry, tmp_path):
    official = tmp_path / "net_epoch_30_id_G.pth"
    torch.save(make_state_dict(OFFICIAL, conv_bias=False, affine=True), official)
    with pytest.raises(CheckpointError, match="emotionnet"):
        add_model(official, name="emotionnet")
    entry = add_model(_replicate_file(tmp_path / "30_net_gen.pth"), name="emotionnet")
    listed = {e.name: e for e in list_models()}
    assert listed["emotionnet"].path == entry.path and listed["emotionnet"].builtin


def test_names_that_are_not_installed_or_unknown(registry):
    with pytest.raises(CheckpointError, match="drive.google.com"):
        resolve_checkpoint("celeba")
    with pytest.raises(InputNotFound, match="models list"):
        resolve_checkpoint("no-such-model")


def test_verify_reports_changed_and_missing_files(registry, tmp_path):
    good = add_model(_replicate_file(tmp_path / "a.pth"), name="good").path
    changed = add_model(_replicate_file(tmp_path / "b.pth"), name="changed").path
    gone = add_model(_replicate_file(tmp_path / "c.pth"), name="gone").path
    _replicate_file(changed, seed=9)  # same layout, different weights
    gone.unlink()
    status = {entry.name: (ok, text) for entry, ok, text in verify_models()}
    assert status["good"][0] and "ganimation_replicate" in status["good"][1]
    assert not status["changed"][0] and "changed" in status["changed"][1]
    assert not status["gone"][0] and "missing" in status["gone"][1]
    assert good.exists()


def test_cli_list_add_verify(registry, tmp_path, capsys):
    ckpt = _replicate_file(tmp_path / "30_net_gen.pth")
    assert main(["models", "add", str(ckpt), "--name", "cli-model"]) == 0
    assert "cli-model" in capsys.readouterr().out
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "emotionnet" in out and "not installed" in out and str(ckpt.resolve()) in out
    assert main(["models", "verify"]) == 0
    assert "ok" in capsys.readouterr().out
    ckpt.unlink()
    assert main(["models", "verify"]) == CheckpointError.exit_code
    captured = capsys.readouterr()
    assert "FAIL" in captured.out and "failed verification" in captured.err


@pytest.mark.parametrize("how", ["registered_then_deleted", "known_but_not_installed"])
def test_render_with_a_named_checkpoint_whose_file_is_missing_exits_7(registry, tmp_path, capsys, how):
    # README: exit 7 = checkpoint. A name that resolves to no file is a checkpoint problem.
    name = "celeba"
    if how == "registered_then_deleted":
        name = "gone"
        add_model(_replicate_file(tmp_path / "g.pth"), name=name).path.unlink()
    out = tmp_path / "out.mp4"
    code = main(["render", "--target", str(shared_path("assets/portraits/mona_lisa.jpg")),
                 "--driver", str(shared_path("assets/driving/man_smiling_short.mp4")), "--out", str(out),
                 "--checkpoint", name, "--no-progress"])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 7 == CheckpointError.exit_code
    assert len(lines) == 1 and name in lines[0] and "models add" in lines[0]
    assert not out.exists()


def test_remove_forgets_an_added_checkpoint_but_keeps_its_file(registry, tmp_path, capsys):
    path = _replicate_file(tmp_path / "mine.pth")
    add_model(path, "mine")
    add_model(_replicate_file(tmp_path / "other.pth", seed=1), "other")
    capsys.readouterr()
    assert main(["models", "remove", "mine"]) == 0
    assert "removed 'mine'" in capsys.readouterr().out
    assert path.exists()  # the user's file is not ours to delete
    assert set(yaml.safe_load(registry.read_text())) == {"other"}
    with pytest.raises(InputNotFound, match="not found"):
        resolve_checkpoint("mine")
    # removing it again, or a name never added: one line, exit 3
    assert main(["models", "remove", "mine"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no added checkpoint is called 'mine'" in err[0] and "other" in err[0]


def _stderr_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_a_name_already_added_for_another_file_needs_replace(registry, tmp_path, capsys):
    # The authors' EmotioNet and CelebA generators are both called 30_net_gen.pth.
    for run in ("emotionNet", "celebA"):
        (tmp_path / run).mkdir()
    first = _replicate_file(tmp_path / "emotionNet" / "30_net_gen.pth").resolve()
    second = _replicate_file(tmp_path / "celebA" / "30_net_gen.pth", seed=1).resolve()
    assert main(["models", "add", str(first)]) == 0
    capsys.readouterr()
    assert main(["models", "add", str(second)]) == 2
    lines = _stderr_lines(capsys)
    assert len(lines) == 1 and "already added as '30_net_gen'" in lines[0], lines
    assert str(first) in lines[0] and "--replace" in lines[0]
    assert resolve_checkpoint("30_net_gen") == first  # untouched
    assert main(["models", "add", str(first)]) == 0  # the same file again is no replacement
    assert main(["models", "add", str(second), "--replace"]) == 0
    assert resolve_checkpoint("30_net_gen") == second


@pytest.mark.parametrize("entry", [{"path": None}, {"path": ""}, {"path": "/x/30_net_gen.pth", "layout": ["a"]}])
def test_a_hand_broken_registry_entry_is_one_line_and_exit_2(registry, capsys, entry):
    registry.parent.mkdir(parents=True)
    registry.write_text(yaml.safe_dump({"broken": entry}))
    for command in (["models", "list"], ["models", "verify"]):
        assert main(command) == 2
        lines = _stderr_lines(capsys)
        assert len(lines) == 1 and f"model registry {registry}: entry 'broken'" in lines[0], lines


@pytest.mark.parametrize("what", ["folder", "zip"])
def test_models_add_of_a_folder_or_zip_names_the_generator_inside(registry, tmp_path, capsys, what):
    run = tmp_path / "ckpts" / "emotionNet" / "ganimation" / "190327_160828"
    run.mkdir(parents=True)
    _replicate_file(run / "30_net_gen.pth")
    (run / "30_net_dis.pth").write_bytes(b"critic")
    given = tmp_path / "ckpts"
    if what == "zip":
        given = Path(shutil.make_archive(str(tmp_path / "ckpts"), "zip", tmp_path, "ckpts"))
    assert main(["models", "add", str(given), "--name", "emotionnet"]) == 7
    lines = _stderr_lines(capsys)
    inside = "ckpts/emotionNet/ganimation/190327_160828/30_net_gen.pth"
    expected = f"pass the generator file inside it: {tmp_path / inside if what == 'folder' else inside}"
    assert len(lines) == 1 and lines[0].endswith(expected), lines
    assert not registry.exists()


@pytest.mark.parametrize("kind, says", [
    ("folder", "is a folder; pass the generator file inside it: {tmp}/run/generator.pt"),
    ("diverged", "holds NaN/inf weights, first in trunk.0.weight (a training run that diverged?)"),
    ("training state", "is a livemorph training state (what train --resume reads), not a generator; "
                       "pass {tmp}/run/generator.pt"),
])
def test_render_refuses_a_checkpoint_that_is_no_usable_generator(registry, tmp_path, capsys, kind, says):
    from livemorph.engines.ganimation.checkpoints import save_generator
    from livemorph.engines.ganimation.networks import GanimationGenerator
    from livemorph.training.state import save_state

    generator = GanimationGenerator(conv_dim=8, repeat_num=1)
    if kind == "diverged":
        with torch.no_grad():
            generator.trunk[0].weight.fill_(float("nan"))
    checkpoint = {"folder": tmp_path / "run", "diverged": tmp_path / "run" / "generator.pt",
                  "training state": tmp_path / "run" / "state.pt"}[kind]
    save_generator(tmp_path / "run" / "generator.pt", generator, image_size=64)
    save_state(tmp_path / "run" / "state.pt", {"step": 1, "generator": generator.state_dict()})
    out = tmp_path / "out.mp4"
    code = main(["render", "--target", str(shared_path("assets/portraits/mona_lisa.jpg")),
                 "--driver", str(shared_path("assets/driving/man_smiling_short.mp4")), "--out", str(out),
                 "--checkpoint", str(checkpoint), "--max-frames", "3", "--no-progress"])
    lines = _stderr_lines(capsys)
    assert code == 7
    assert len(lines) == 1 and says.format(tmp=tmp_path) in lines[0], lines
    assert not out.exists()


def test_train_init_with_a_run_folder_names_its_generator(registry, tmp_path, capsys):
    data = tmp_path / "faces"
    data.mkdir()
    for src in shared_path("assets/au_labels/ganimation_sample").iterdir():
        (data / src.name).symlink_to(src)  # shared assets are never copied or written
    from livemorph.engines.ganimation.checkpoints import save_generator
    from livemorph.engines.ganimation.networks import GanimationGenerator

    save_generator(tmp_path / "base" / "generator.pt", GanimationGenerator(conv_dim=8, repeat_num=1), image_size=64)
    small = [f"train.{key}" for key in ("image_size=64", "conv_dim=8", "repeat_num=1", "critic_conv_dim=8",
                                        "critic_repeat_num=2", "batch_size=2", "progress=false", "device=cpu")]
    code = main([arg for item in small for arg in ("--set", item)]
                + ["train", "--data", str(data), "--out", str(tmp_path / "tuned"), "--steps", "1",
                   "--init", str(tmp_path / "base")])
    lines = _stderr_lines(capsys)
    assert code == 7
    assert len(lines) == 1 and lines[0].endswith(
        f"is a folder; pass the generator file inside it: {tmp_path / 'base' / 'generator.pt'}"), lines
