"""User mistakes on the real command line: one line on stderr, the README's exit code, no traceback;
and warnings, one plain line each."""
import os
import subprocess
import sys

import numpy as np
from PIL import Image

from conftest import REPO_ROOT, models_dir, shared_path

PORTRAIT = "assets/portraits/grace_hopper_glasses.jpg"
VIDEO = "assets/driving/man_smiling_short.mp4"


def livemorph(*args, tmp_path):
    env = dict(os.environ, LIVEMORPH_MODELS=str(models_dir()), PYTHONPATH=str(REPO_ROOT))
    env.pop("DISPLAY", None)
    return subprocess.run([sys.executable, "-m", "livemorph", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)


def stderr_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_an_error_with_the_default_engine_is_exactly_one_line(tmp_path):
    # The engine choice (warp, as configured by default) is not a warning: the error stays alone.
    noise = tmp_path / "noise.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (160, 160, 3), dtype=np.uint8)).save(noise)
    result = livemorph("render", "--target", noise, "--driver", shared_path(VIDEO), "--out", tmp_path / "o.mp4",
                       "--no-progress", tmp_path=tmp_path)
    assert result.returncode == 8
    lines = stderr_lines(result)
    assert len(lines) == 1 and lines[0].startswith("livemorph: error:"), result.stderr


def test_unwritable_stats_json_fails_before_the_run(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    record = tmp_path / "take.mp4"
    result = livemorph("run", "--target", shared_path(PORTRAIT), "--source", shared_path(VIDEO), "--no-window",
                       "--max-frames", "5", "--record", record, "--stats-json", blocker / "stats.json",
                       tmp_path=tmp_path)
    assert result.returncode == 9
    lines = stderr_lines(result)
    assert len(lines) == 1 and "--stats-json" in lines[0] and "stats.json" in lines[0], result.stderr
    assert not record.exists()  # refused before any work, not after a successful run
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_a_mistyped_option_is_one_line_and_exit_2(capsys):
    from livemorph.cli.app import main

    for args in (["render", "--fps", "abc"], ["render", "--no-such-flag"], ["render"]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.startswith("livemorph: error: ") and err.count("\n") == 1 and "--help" in err, err


def test_livemorph_alone_still_shows_the_help(capsys):
    from livemorph.cli.app import main

    main([])
    assert "Usage: livemorph" in capsys.readouterr().err


def test_warnings_are_one_plain_line_each(tmp_path):
    # Two copies of a portrait side by side: which face is animated is said, in the commands' own
    # style ("warning: ..."), not a logger's ("WARNING livemorph.portrait.prepare: ...").
    face = Image.open(shared_path(PORTRAIT)).convert("RGB")
    face.thumbnail((320, 320))
    pair = Image.new("RGB", (2 * face.width, face.height))
    pair.paste(face, (0, 0))
    pair.paste(face, (face.width, 0))
    pair.save(tmp_path / "pair.png")
    result = livemorph("render", "--target", tmp_path / "pair.png", "--driver", shared_path(VIDEO),
                       "--out", tmp_path / "o.mp4", "--duration", "0.3", "--no-progress", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = stderr_lines(result)
    assert [line for line in lines if "shows 2 faces" in line] == [
        "warning: pair.png shows 2 faces; animating the largest (--set portrait.face=N picks another, 0 = leftmost)"]
    assert not [line for line in lines if line.startswith(("WARNING", "INFO"))], result.stderr


def test_a_duration_past_the_drivers_end_is_said(tmp_path):
    # man_smiling_short.mp4 is 72 frames at 30 fps: --duration 9 gives its 2.4 s, and says so (it
    # was silent, while --start past the end is an error).
    face = Image.open(shared_path(PORTRAIT)).convert("RGB")
    face.thumbnail((240, 240))
    face.save(tmp_path / "small.png")
    result = livemorph("render", "--target", tmp_path / "small.png", "--driver", shared_path(VIDEO),
                       "--out", tmp_path / "o.mp4", "--duration", "9", "--no-progress", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning: --duration 9 s runs past the end of the driver: the clip is 2.4 s" in stderr_lines(result)
    assert ": 72 frames " in result.stderr  # the summary line


def test_an_unwritable_record_is_refused_before_the_run(tmp_path):
    # It was found at the first frame, after start-up, as "stopped early; it keeps the first 0 s".
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = livemorph("run", "--target", shared_path(PORTRAIT), "--source", shared_path(VIDEO), "--no-window",
                       "--record", blocker / "take.mp4", tmp_path=tmp_path)
    assert result.returncode == 9
    assert stderr_lines(result) == [f"livemorph: error: cannot write {blocker / 'take.mp4'}: {blocker} is not a "
                                    f"folder; choose another --record"]


def test_a_recording_named_as_an_input_is_refused_before_the_run(tmp_path):
    # It went to the next free name (NAME-2) beside the input: `aus --out` refuses its input so too.
    import shutil

    portrait = shutil.copy(shared_path(PORTRAIT), tmp_path / "me.jpg")
    video = shutil.copy(shared_path(VIDEO), tmp_path / "take.mp4")
    result = livemorph("run", "--target", portrait, "--source", video, "--no-window", "--record", "take.mp4",
                       tmp_path=tmp_path)
    assert result.returncode == 2, result.stderr
    assert stderr_lines(result) == ["livemorph: error: --record take.mp4 is your --source; livemorph never "
                                    "writes over its inputs: choose another name"]
    # An AU track named like the portrait is no .csv: the same slip as --record-aus take.mp4.
    result = livemorph("run", "--target", portrait, "--source", video, "--no-window", "--record-aus", "me.jpg",
                       tmp_path=tmp_path)
    assert result.returncode == 2, result.stderr
    assert stderr_lines(result) == ["livemorph: error: --record-aus me.jpg must be a .csv (an AU track); a video "
                                    "of the output is --record me.jpg.mp4"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["me.jpg", "take.mp4"]


def test_a_driver_mostly_without_a_face_is_said(tmp_path):
    # An upside-down driver showed a face in 23 of 90 frames and the portrait hardly moved; only the
    # summary's count hinted at it. Here an AU track whose face was found in 3 of its 12 rows.
    from livemorph.face.au_tracks import AUTrack, write_au_track

    n = 12
    track = AUTrack(frames=np.arange(1, n + 1), timestamps_s=np.arange(n) / 30.0,
                    confidence=np.ones(n, np.float32), success=np.arange(n) < 3,
                    aus=np.ones((n, 17), np.float32))
    write_au_track(tmp_path / "track.csv", track)
    face = Image.open(shared_path(PORTRAIT)).convert("RGB")
    face.thumbnail((240, 240))
    face.save(tmp_path / "small.png")
    result = livemorph("render", "--target", tmp_path / "small.png", "--driver", tmp_path / "track.csv",
                       "--out", tmp_path / "o.mp4", "--no-progress", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [line for line in stderr_lines(result) if line.startswith("warning: a face was found in only 3 of 12")]


def test_a_logged_exception_keeps_its_traceback_in_the_plain_format():
    # `warning: ...` / `error: ...` lines without -v: a bug's log.exception must still show what failed.
    import logging

    from livemorph.cli.app import _PlainFormatter

    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("livemorph.x", logging.ERROR, __file__, 1, "target %s failed", ("b.jpg",),
                                   sys.exc_info())
    text = _PlainFormatter().format(record)
    assert text.startswith("error: target b.jpg failed\nTraceback") and text.endswith("ValueError: boom")


def test_stats_json_into_a_new_folder_is_written(tmp_path):
    # --record and render --out make missing folders; --stats-json said "No such file or directory".
    import json

    stats = tmp_path / "runs" / "today" / "stats.json"
    result = livemorph("run", "--target", shared_path(PORTRAIT), "--source", shared_path(VIDEO), "--no-window",
                       "--max-frames", "5", "--stats-json", stats, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(stats.read_text())["frames_out"] == 5


def test_flags_a_render_cannot_honour_are_said(tmp_path):
    # A checkpoint beside --engine warp, and a GIF asked for at more than render.gif_fps: both were
    # dropped without a word.
    result = livemorph("render", "--target", shared_path(PORTRAIT), "--driver", shared_path(VIDEO), "--duration", "0.2",
                       "--out", tmp_path / "o.gif", "--fps", "30", "--engine", "warp", "--checkpoint", "mine.pth",
                       "--no-progress", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in stderr_lines(result) if line.startswith("warning:")]
    assert warnings == [
        "warning: a GIF plays at most render.gif_fps (15 fps), not --fps 30: raise it with --set render.gif_fps=30, "
        "or write an .mp4",
        "warning: --checkpoint mine.pth is not used: the warp engine needs no weights (--engine ganimation, or auto, "
        "uses it)"], result.stderr


def test_a_tilde_the_shell_left_is_the_home_folder(tmp_path):
    # --out=~/x.mp4 (no shell expands a ~ after "=") wrote a folder named "~" in the working folder;
    # --stats-json named like the source wrote JSON over the video.
    import shutil

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(shared_path(PORTRAIT), home / "me.jpg")
    env_home = dict(os.environ, HOME=str(home))
    result = subprocess.run([sys.executable, "-m", "livemorph", "render", "--target=~/me.jpg",
                             f"--driver={shared_path(VIDEO)}", "--duration", "0.2", "--out=~/r.mp4", "--no-progress"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120,
                            env=dict(env_home, LIVEMORPH_MODELS=str(models_dir()), PYTHONPATH=str(REPO_ROOT)))
    assert result.returncode == 0, result.stderr
    assert (home / "r.mp4").stat().st_size > 0 and not (tmp_path / "~").exists()
    video = shutil.copy(shared_path(VIDEO), tmp_path / "take.mp4")
    result = livemorph("run", "--target", home / "me.jpg", "--source", video, "--no-window", "--max-frames", "3",
                       "--stats-json", "take.mp4", tmp_path=tmp_path)
    assert result.returncode == 2
    assert stderr_lines(result) == ["livemorph: error: --stats-json take.mp4 must be a .json file (the run's figures); "
                                    "e.g. --stats-json take.json"]
    assert (tmp_path / "take.mp4").read_bytes() == shared_path(VIDEO).read_bytes()
