"""`livemorph aus` end to end, as a user runs it (a subprocess: real exit codes and stderr)."""
import os
import subprocess
import sys

import numpy as np
import pytest

from livemorph.face.au_tracks import read_au_track
from livemorph.runtime.render import track_rate

from conftest import models_dir, shared_path


def run_cli(*args, cwd=None):
    env = dict(os.environ, LIVEMORPH_MODELS=str(models_dir()))
    return subprocess.run([sys.executable, "-m", "livemorph", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def error_lines(stderr: str) -> list[str]:
    return [l for l in stderr.splitlines() if l.startswith("livemorph: error:")]


def test_video_to_csv(tmp_path):
    out = tmp_path / "aus.csv"
    result = run_cli("aus", shared_path("assets/driving/man_smiling_short.mp4"), "--out", out)
    assert result.returncode == 0, result.stderr
    track = read_au_track(out)
    assert len(track) == 72 and track.success.all()
    assert track_rate(track.timestamps_s) == pytest.approx(30.0)
    assert "Traceback" not in result.stderr


def test_image_and_folder(tmp_path):
    out = tmp_path / "one.csv"
    assert run_cli("aus", shared_path("assets/portraits/trump_official_2017.png"), "--out", out).returncode == 0
    assert len(read_au_track(out)) == 1
    folder_out = tmp_path / "folder.csv"
    result = run_cli("aus", shared_path("assets/au_labels/ganimation_sample"), "--out", folder_out)
    assert result.returncode == 0, result.stderr
    track = read_au_track(folder_out)
    assert len(track) == 4 and track.success.all() and np.any(track.aus > 0.5)


@pytest.mark.parametrize("make_input, code, fragment", [
    (lambda d: d / "missing.mp4", 3, "input not found"),
    (lambda d: (d / "fake.mp4").write_bytes(b"garbage" * 10) and d / "fake.mp4", 3, "cannot read video"),
    (lambda d: (d / "broken.jpg").write_bytes(b"\xff\xd8garbage") and d / "broken.jpg", 3, "cannot read image"),
    (lambda d: (d / "empty").mkdir() or d / "empty", 3, "no images"),
    (lambda d: (d / "notes.txt").write_text("hi") and d / "notes.txt", 3, "not an image"),
])
def test_bad_inputs_one_line_error_and_no_csv(tmp_path, make_input, code, fragment):
    out = tmp_path / "out.csv"
    result = run_cli("aus", make_input(tmp_path), "--out", out)
    assert result.returncode == code
    lines = error_lines(result.stderr)
    assert len(lines) == 1 and fragment in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() and not list(tmp_path.glob("*.partial")) and not list(tmp_path.glob(".*.partial"))


def test_unwritable_output(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli("aus", shared_path("assets/portraits/mona_lisa.jpg"), "--out", blocker / "aus.csv")
    assert result.returncode == 9 and "cannot write AU track" in result.stderr and "Traceback" not in result.stderr


def test_help_is_useful():
    result = run_cli("aus", "--help")
    assert result.returncode == 0 and "OpenFace" in result.stdout and "--out" in result.stdout
    top = run_cli("--help")
    assert "aus" in top.stdout


def test_an_out_that_is_the_input_is_refused_and_the_input_kept(tmp_path):
    video = tmp_path / "me.mp4"
    video.write_bytes(shared_path("assets/driving/man_smiling_short.mp4").read_bytes())
    before = video.read_bytes()
    result = run_cli("aus", video, "--out", video)
    assert result.returncode == 2
    lines = error_lines(result.stderr)
    assert len(lines) == 1 and "is your input" in lines[0], result.stderr
    assert video.read_bytes() == before  # it was overwritten with CSV text


def test_an_unreadable_image_in_a_folder_costs_its_row_not_the_folder(tmp_path):
    folder = tmp_path / "faces"
    folder.mkdir()
    for name in ("mona_lisa.jpg", "trump_official_2017.png"):
        (folder / name).write_bytes(shared_path(f"assets/portraits/{name}").read_bytes())
    (folder / "broken.jpg").write_bytes(b"\xff\xd8garbage")  # a download cut off
    out = tmp_path / "aus.csv"
    result = run_cli("aus", folder, "--out", out)
    assert result.returncode == 0, result.stderr
    track = read_au_track(out)
    assert dict(zip(track.keys, track.success)) == {"broken.jpg": False, "mona_lisa.jpg": True,
                                                   "trump_official_2017.png": True}
    assert [line for line in result.stderr.splitlines() if "broken.jpg" in line and line.startswith("warning:")]
