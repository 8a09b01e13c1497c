"""`livemorph train` under a user's mistakes: each is one line with the README's exit code, said
before the slow labelling where it can be, and nothing of the user's is lost or mixed.

Runs on the shared 4-face labelled sample with pre-cropped faces (no tracker): a few seconds each.
"""
from __future__ import annotations

import csv
import os
import shutil

import pytest
import torch

from conftest import shared_path
from livemorph.cli.app import main
from test_training import TINY, linked_folder, one_torch_thread  # noqa: F401 (one_torch_thread: autouse)

SETTINGS = [a for item in TINY + ["train.crop_faces=false", "train.batch_size=2"] for a in ("--set", item)]
SAMPLE = "assets/au_labels/ganimation_sample"


def train(capsys, *args, settings=()) -> tuple[int, list[str]]:
    """Exit code and the lines livemorph printed on stderr (errors and warnings)."""
    capsys.readouterr()
    code = main([*SETTINGS, *settings, "train", *map(str, args)])
    return code, [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def copied_sample(tmp_path, name="data"):
    folder = tmp_path / name
    shutil.copytree(shared_path(SAMPLE), folder)
    return folder


def test_a_registered_checkpoint_name_is_taken_by_init(tmp_path, capsys, monkeypatch):
    # README: fine-tune a published generator with --init; render takes its registered name, train did not.
    from livemorph.engines.ganimation.checkpoints import save_generator
    from livemorph.engines.ganimation.networks import GanimationGenerator

    monkeypatch.setenv("LIVEMORPH_MODEL_REGISTRY", str(tmp_path / "models.yaml"))
    save_generator(tmp_path / "mine.pt", GanimationGenerator(conv_dim=8, repeat_num=2), image_size=32)
    assert main(["models", "add", str(tmp_path / "mine.pt"), "--name", "mine"]) == 0
    data = linked_folder(tmp_path, "data", shared_path(SAMPLE))
    code, lines = train(capsys, "--data", data, "--out", tmp_path / "run", "--steps", "1", "--init", "mine")
    assert code == 0, lines
    state = torch.load(tmp_path / "run" / "state.pt", weights_only=True)
    assert state["architecture"]["repeat_num"] == 2  # the registered generator's shape, not train.repeat_num's 1


def test_a_run_folder_holding_the_data_is_refused(tmp_path, capsys):
    # Its images were left out as the run's own files: "no images in data", with 4 there.
    data = copied_sample(tmp_path)
    for out in (data, tmp_path):
        code, lines = train(capsys, "--data", data, "--out", out, "--steps", "1")
        assert code == 2 and len(lines) == 1 and "holds your --data folder" in lines[0], lines
    assert sorted(p.name for p in data.iterdir()) == sorted(p.name for p in shared_path(SAMPLE).iterdir())


def test_a_folder_with_another_runs_files_is_not_written_over(tmp_path, capsys):
    # Without its state.pt, a run's generator and checkpoints were replaced and mixed with the new run's.
    data = linked_folder(tmp_path, "data", shared_path(SAMPLE))
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "generator.pt").write_bytes(b"an earlier run's generator")
    code, lines = train(capsys, "--data", data, "--out", run, "--steps", "1")
    assert code == 9 and len(lines) == 1 and "generator.pt" in lines[0], lines
    assert (run / "generator.pt").read_bytes() == b"an earlier run's generator"
    assert sorted(p.name for p in run.iterdir()) == ["checkpoints", "generator.pt"]


def test_an_unwritable_run_folder_is_said_before_labelling(tmp_path, capsys):
    # /proc/self exists and is a folder nobody (root included) can create files in: a traceback
    # came after the labelling, from writing config.yaml.
    data = linked_folder(tmp_path, "data", shared_path(SAMPLE))
    code, lines = train(capsys, "--data", data, "--out", "/proc/self", "--steps", "1")
    assert code == 9 and len(lines) == 1 and lines[0].startswith("livemorph: error: cannot write /proc/self/"), lines
    assert not (data / ".livemorph_cache").exists()  # said before the labelling


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_a_missing_gpu_names_the_setting_train_reads(tmp_path, capsys):
    data = linked_folder(tmp_path, "data", shared_path(SAMPLE))
    code, lines = train(capsys, "--data", data, "--out", tmp_path / "run", "--steps", "1",
                        settings=["--set", "train.device=cuda"])
    assert code == 2 and len(lines) == 1, lines
    assert "--set train.device=cpu" in lines[0] and "use --device" not in lines[0]  # train has no --device
    assert not (tmp_path / "run").exists()  # a run that never started leaves no folder behind


def test_resuming_with_fewer_steps_than_done_is_refused(tmp_path, capsys):
    data = linked_folder(tmp_path, "data", shared_path(SAMPLE))
    assert train(capsys, "--data", data, "--out", tmp_path / "run", "--steps", "3")[0] == 0
    code, lines = train(capsys, "--data", data, "--out", tmp_path / "run", "--resume", "--steps", "2")
    assert code == 2 and len(lines) == 1 and "already at step 3" in lines[0], lines  # was "trained steps 3..3 of 2"


def labels_with(folder, edit) -> None:
    path = folder / "openface_aus.csv"
    rows = list(csv.reader(path.open()))
    edit(rows)
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)


def warnings_of(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]


def test_labels_on_another_scale_or_naming_no_image_are_said(tmp_path, capsys, caplog):
    data = copied_sample(tmp_path)
    labels_with(data, lambda rows: rows[2].__setitem__(1, "86"))  # AU01 on a 0-100 scale, line 3
    code, lines = train(capsys, "--data", data, "--out", tmp_path / "run", "--steps", "1")
    assert code == 10 and len(lines) == 1 and "line 3: AU01_r is 86" in lines[0], lines

    data = copied_sample(tmp_path, "data2")
    labels_with(data, lambda rows: [row.__setitem__(0, "/home/me/faces/" + row[0] + ".png") for row in rows[1:]])
    code, lines = train(capsys, "--data", data, "--out", tmp_path / "run", "--steps", "1")
    assert code == 10 and len(lines) == 1, lines
    assert "names an image" in lines[0] and "/home/me/faces/N_0000000356_00190.jpg.png" in lines[0], lines
    assert not (tmp_path / "run").exists()

    data = copied_sample(tmp_path, "data4")
    labels_with(data, lambda rows: rows.__delitem__(slice(1, None)))  # a header alone: a traceback, not a line
    code, lines = train(capsys, "--data", data, "--out", tmp_path / "run", "--steps", "1")
    assert code == 10 and len(lines) == 1 and "has a header but no rows" in lines[0], lines

    data = copied_sample(tmp_path, "data3")
    labels_with(data, lambda rows: rows[1].__setitem__(2, "-0.2"))  # a little under 0: clipped, and said
    caplog.clear()
    code, lines = train(capsys, "--data", data, "--out", tmp_path / "run", "--steps", "1")
    assert code == 0, lines
    assert warnings_of(caplog) == [f"1 AU values in {data / 'openface_aus.csv'} lie outside 0-5 and were clipped to it"]


def test_a_damaged_cache_or_state_or_losses_file_is_no_traceback(tmp_path, capsys, caplog):
    data = copied_sample(tmp_path)
    run = tmp_path / "run"
    assert train(capsys, "--data", data, "--out", run, "--steps", "2")[0] == 0
    # the crops cache cut short: labelled again
    (crops,) = (data / ".livemorph_cache").glob("train_*/crops.npy")
    crops.write_bytes(crops.read_bytes()[:200])
    # losses.csv saved from a spreadsheet with ';': kept aside, a new one started
    losses = run / "losses.csv"
    losses.write_text(losses.read_text().replace(",", ";"))
    caplog.clear()
    code, lines = train(capsys, "--data", data, "--out", run, "--resume", "--steps", "4")
    assert code == 0, lines
    assert [line for line in warnings_of(caplog) if "cached crops" in line and "damaged" in line]
    assert (run / "losses.unreadable.csv").read_text().startswith("step;")
    assert [row["step"] for row in csv.DictReader(losses.open())] == ["3", "4"]
    # the state damaged: one line, without torch's advice to load it unsafely
    (run / "state.pt").write_bytes(os.urandom(512))
    code, lines = train(capsys, "--data", data, "--out", run, "--resume", "--steps", "6")
    assert code == 7 and len(lines) == 1 and "damaged" in lines[0] and "code execution" not in lines[0], lines

