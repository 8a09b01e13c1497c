"""`livemorph render` end to end on the shared assets: real tracker, real engines, real files."""
from __future__ import annotations

import os
import subprocess
import sys

import av
import numpy as np
import pytest
from PIL import Image, ImageSequence

from conftest import REPO_ROOT, shared_path
from livemorph.aus import AU, NUM_AUS
from livemorph.cli.app import main

PORTRAIT = "assets/portraits/trump_official_2017.png"  # 680x676
DRIVER = "assets/driving/man_smiling_short.mp4"  # 640x360, 30 fps, 72 frames


@pytest.fixture(scope="module")
def random_checkpoint(tmp_path_factory):
    """A GANimation generator with random weights, in livemorph's checkpoint format."""
    import torch

    from livemorph.engines.ganimation.checkpoints import save_generator
    from livemorph.engines.ganimation.networks import GanimationGenerator

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("ckpt") / "random_generator.pth"
    save_generator(path, GanimationGenerator(), image_size=128)
    return path


@pytest.fixture(scope="module")
def portrait_face_box():
    """The portrait's face box from an independent MediaPipe detection (not via the engines)."""
    from livemorph.config.settings import load_config
    from livemorph.frames import load_image
    from livemorph.face.tracking import FaceTracker

    image = load_image(shared_path(PORTRAIT))
    with FaceTracker.from_config(load_config().tracking, mode="image") as tracker:
        (face, *_) = tracker.detect_all(image)
    return image, face.box


def outside_mask(shape, box, grow: float) -> np.ndarray:
    """True for pixels farther than ``grow`` x the box size from the face box."""
    x0, y0, x1, y1 = box
    mx, my = (x1 - x0) * grow, (y1 - y0) * grow
    mask = np.ones(shape[:2], bool)
    mask[max(0, int(y0 - my)):int(np.ceil(y1 + my)), max(0, int(x0 - mx)):int(np.ceil(x1 + mx))] = False
    return mask


def run_render(*args) -> int:
    return main(["render", *map(str, args), "--no-progress"])


def read_folder(folder):
    return [np.asarray(Image.open(folder / name).convert("RGB")) for name in sorted(os.listdir(folder))]


# ---- outputs ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_warp_mp4_has_the_drivers_frame_count_and_the_portraits_size(tmp_path):
    out = tmp_path / "warp.mp4"
    assert run_render("--target", shared_path(PORTRAIT), "--driver", shared_path(DRIVER), "--out", out,
                      "--engine", "warp") == 0
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
        rate = float(stream.average_rate)
    assert len(frames) == 72
    assert frames[0].shape == (676, 680, 3)
    assert rate == pytest.approx(30, rel=1e-3)
    portrait = np.asarray(Image.open(shared_path(PORTRAIT)).convert("RGB"))
    # a smiling driver: some frame must differ visibly from the resting portrait
    assert max(np.abs(f.astype(int) - portrait).mean() for f in frames) > 0.5


@pytest.mark.slow
def test_ganimation_gif_loops_at_messenger_size(tmp_path, random_checkpoint, config):
    out = tmp_path / "g.gif"
    assert run_render("--target", shared_path(PORTRAIT), "--driver", shared_path(DRIVER), "--out", out,
                      "--checkpoint", random_checkpoint, "--max-frames", 4) == 0
    with Image.open(out) as gif:
        assert gif.info["loop"] == 0
        assert gif.width == config.render.gif_max_width
        assert gif.height == round(676 * gif.width / 680)
        durations = [frame.info["duration"] for frame in ImageSequence.Iterator(gif)]
    # 4 driver frames at 30 fps = 133 ms, resampled to gif_fps (Pillow merges identical frames,
    # so the frame count may be lower, but the playing time is kept, in 10 ms steps)
    assert len(durations) <= 4 * config.render.gif_fps / 30
    assert sum(durations) == pytest.approx(4 / 30 * 1000, abs=10)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["ganimation", "warp"])
def test_pixels_outside_the_face_are_the_portraits(tmp_path, random_checkpoint, portrait_face_box, engine):
    image, box = portrait_face_box
    out = tmp_path / "frames"
    args = ["--engine", engine] + (["--checkpoint", random_checkpoint] if engine == "ganimation" else [])
    assert run_render("--target", shared_path(PORTRAIT), "--driver", shared_path(DRIVER), "--out", out,
                      "--max-frames", 2, *args) == 0
    frames = read_folder(out)
    assert len(frames) == 2
    far = outside_mask(image.shape, box, grow=0.6)
    for frame in frames:
        assert frame.shape == image.shape
        np.testing.assert_array_equal(frame[far], image[far])
    if engine == "ganimation":  # random weights: the face crop is certainly re-rendered
        assert np.abs(frames[0][~far].astype(int) - image[~far]).mean() > 1


@pytest.mark.slow
def test_side_by_side_stacks_a_wide_driver_above_the_portrait_at_its_width(tmp_path):
    out = tmp_path / "sbs"
    assert run_render("--target", shared_path(PORTRAIT), "--driver", shared_path(DRIVER), "--out", out,
                      "--engine", "warp", "--side-by-side", "--max-frames", 2) == 0
    frames = read_folder(out)
    # a 640x360 driver beside the 680x676 portrait would be a 1882x676 strip; stacked it is 680 wide
    driver_height = round(360 * 680 / 640)
    assert len(frames) == 2 and frames[0].shape == (driver_height + 676, 680, 3)
    portrait = np.asarray(Image.open(shared_path(PORTRAIT)).convert("RGB"))
    # the bottom part is the portrait (corners far from the face are untouched)
    np.testing.assert_array_equal(frames[0][driver_height:driver_height + 40, :40], portrait[:40, :40])


@pytest.mark.slow
def test_side_by_side_row_on_request(tmp_path):
    out = tmp_path / "sbs"
    assert main(["--set", "render.pair_layout=row", "render", "--target", str(shared_path(PORTRAIT)), "--driver",
                 str(shared_path(DRIVER)), "--out", str(out), "--engine", "warp", "--side-by-side",
                 "--max-frames", "1", "--no-progress"]) == 0
    frames = read_folder(out)
    driver_width = round(640 * 676 / 360)
    assert frames[0].shape == (676, driver_width + 680, 3)


def write_smile_track(path, rows=6, fps=10.0):
    from livemorph.face.au_tracks import AUTrackWriter

    with AUTrackWriter(path) as writer:
        for i in range(rows):
            aus = np.zeros(NUM_AUS, np.float32)
            aus[AU.AU12] = min(5.0, i)
            writer.write(i, i / fps, aus, True, 0.95)
    return path


@pytest.mark.slow
def test_render_from_an_au_track(tmp_path, portrait_face_box):
    image, box = portrait_face_box
    track = write_smile_track(tmp_path / "smile.csv")
    out = tmp_path / "from_track"
    assert run_render("--target", shared_path(PORTRAIT), "--driver", track, "--out", out, "--engine", "warp",
                      "--fps", 10) == 0
    frames = read_folder(out)
    assert len(frames) == 6 and frames[0].shape == image.shape
    # the track smiles more and more: the last frame differs from the first around the face
    near = ~outside_mask(image.shape, box, grow=0.0)
    assert np.abs(frames[-1][near].astype(int) - frames[0][near]).mean() > 0.2
    still = tmp_path / "last.png"
    assert run_render("--target", shared_path(PORTRAIT), "--driver", track, "--out", still, "--engine", "warp") == 0
    np.testing.assert_array_equal(np.asarray(Image.open(still).convert("RGB")), frames[-1])


# ---- user mistakes ---------------------------------------------------------------------------
def error_lines(capsys):
    err = capsys.readouterr().err
    return [line for line in err.splitlines() if line.strip()]


@pytest.mark.parametrize("case, code, needle", [
    ("missing_target", 3, "image not found"),
    ("missing_driver", 3, "driver not found"),
    ("bad_extension", 2, "unsupported output"),
    ("out_under_a_file", 9, "cannot"),
    ("ganimation_without_checkpoint", 2, "--checkpoint"),
])
def test_bad_inputs_give_one_line_and_an_exit_code_and_no_file(tmp_path, capsys, case, code, needle):
    portrait, driver = shared_path(PORTRAIT), shared_path(DRIVER)
    out = tmp_path / "out.mp4"
    if case == "missing_target":
        portrait = tmp_path / "nobody.jpg"
    elif case == "missing_driver":
        driver = tmp_path / "nothing.mp4"
    elif case == "bad_extension":
        out = tmp_path / "out.avi"
    elif case == "out_under_a_file":
        (tmp_path / "blocker").write_text("x")
        out = tmp_path / "blocker" / "out.mp4"
    engine = "ganimation" if case == "ganimation_without_checkpoint" else "warp"
    before = sorted(p.name for p in tmp_path.iterdir())
    capsys.readouterr()
    assert run_render("--target", portrait, "--driver", driver, "--out", out, "--engine", engine) == code
    lines = error_lines(capsys)
    assert len(lines) == 1 and lines[0].startswith("livemorph: error:") and needle in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, no temp left


@pytest.mark.slow
def test_portrait_without_a_face_is_exit_8(tmp_path, capsys):
    noise = tmp_path / "noise.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (160, 160, 3), dtype=np.uint8)).save(noise)
    capsys.readouterr()
    assert run_render("--target", noise, "--driver", shared_path(DRIVER), "--out", tmp_path / "x.mp4") == 8
    lines = error_lines(capsys)
    assert len(lines) == 1 and "no face" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["noise.png"]


def test_real_cli_process_reports_missing_driver_with_exit_3(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "livemorph", "render", "--target", str(shared_path(PORTRAIT)),
         "--driver", str(tmp_path / "none.mp4"), "--out", str(tmp_path / "o.mp4")],
        capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 3
    assert result.stderr.strip().splitlines()[-1].startswith("livemorph: error: driver not found")
    assert not (tmp_path / "o.mp4").exists()
