"""User mistakes on the real command line: one line on stderr, the README's exit code, no traceback."""
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
