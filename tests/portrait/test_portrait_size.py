"""Huge portraits are scaled down to portrait.max_side before any work (memory, speed, H.264 limits)."""
import logging

import numpy as np
from PIL import Image

from conftest import shared_path
from livemorph.cli.app import main
from livemorph.config.settings import load_config
from livemorph.portrait import load_portrait

PORTRAIT = "assets/portraits/grace_hopper_glasses.jpg"  # 512x600


def _big_copy(tmp_path, scale=5, suffix=".jpg"):
    src = Image.open(shared_path(PORTRAIT)).convert("RGB")
    big = src.resize((src.width * scale, src.height * scale), Image.Resampling.BICUBIC)
    path = tmp_path / f"big{suffix}"
    big.save(path)
    return path, big.size


def test_a_portrait_above_max_side_is_scaled_down_with_one_line(tmp_path, caplog):
    path, (width, height) = _big_copy(tmp_path)  # 2560x3000
    config = load_config(overrides=["portrait.max_side=1000"])
    with caplog.at_level(logging.WARNING, logger="livemorph.portrait"):
        portrait = load_portrait(path, config)
    h, w = portrait.image.shape[:2]
    assert max(h, w) == 1000 and abs(w / h - width / height) < 0.01
    x0, y0, x1, y1 = portrait.track.box
    assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h  # the face, found in the scaled image
    notes = [r.getMessage() for r in caplog.records if "portrait.max_side" in r.getMessage()]
    assert notes == [f"big.jpg is {width}x{height}; working at {w}x{h} (portrait.max_side 1000)"]


def test_a_portrait_within_max_side_is_untouched(tmp_path, caplog):
    config = load_config()
    with caplog.at_level(logging.WARNING, logger="livemorph.portrait"):
        portrait = load_portrait(shared_path(PORTRAIT), config)
    original = np.asarray(Image.open(shared_path(PORTRAIT)).convert("RGB"))
    assert portrait.image.shape == original.shape
    assert not [r for r in caplog.records if "max_side" in r.getMessage()]


def test_render_output_of_a_huge_portrait_is_capped(tmp_path):
    path, _ = _big_copy(tmp_path, suffix=".png")
    out = tmp_path / "last.png"
    code = main(["--set", "portrait.max_side=640", "render", "--target", str(path),
                 "--driver", str(shared_path("assets/driving/man_smiling_short.mp4")), "--out", str(out),
                 "--max-frames", "2", "--no-progress"])
    assert code == 0
    assert max(Image.open(out).size) == 640
