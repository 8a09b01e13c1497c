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


# ------------------------------------------------------------------------------------------
# `run` works on a smaller copy of a big portrait (live.max_side, live.max_face_px)
def _face_side(portrait) -> float:
    x0, y0, x1, y1 = portrait.track.box
    return max(x1 - x0, y1 - y0)


def test_run_works_on_a_big_face_scaled_to_live_max_face_px(tmp_path, caplog):
    from livemorph.portrait import fit_for_live

    path, (width, height) = _big_copy(tmp_path, scale=3)  # 1536x1800, its face ~600 px
    config = load_config()
    full = load_portrait(path, config)
    assert _face_side(full) > 1.3 * config.live.max_face_px  # the case this is about
    with caplog.at_level(logging.INFO, logger="livemorph.portrait"):
        live = fit_for_live(full, config)
    h, w = live.image.shape[:2]
    assert abs(w / h - width / height) < 0.01
    assert max(h, w) <= config.live.max_side
    # The face as MediaPipe finds it again in the smaller image: at the cap, give or take the
    # detector's own jitter between sizes.
    assert 0.9 * config.live.max_face_px <= _face_side(live) <= 1.05 * config.live.max_face_px
    notes = [r.getMessage() for r in caplog.records if "live.max_face_px" in r.getMessage()]
    assert len(notes) == 1 and notes[0].startswith(f"big.jpg: run works at {w}x{h} (face ")


def test_run_keeps_a_portrait_within_the_live_limits_as_it_is():
    from livemorph.portrait import fit_for_live

    config = load_config()
    portrait = load_portrait(shared_path(PORTRAIT), config)  # 512x600, its face ~200 px
    assert fit_for_live(portrait, config) is portrait


def test_a_live_recording_of_a_big_portrait_is_made_at_the_size_run_works_at(tmp_path):
    import av

    path, (width, height) = _big_copy(tmp_path, scale=4, suffix=".png")  # 2048x2400 -> 1748x2048 loaded
    out = tmp_path / "take.mp4"
    code = main(["run", "--target", str(path), "--source", str(shared_path("assets/driving/man_smiling_short.mp4")),
                 "--no-window", "--max-frames", "3", "--record", str(out)])
    assert code == 0
    with av.open(str(out)) as container:
        frame = next(container.decode(container.streams.video[0]))
    # The face capped at live.max_face_px, and the frame around it in the photo's proportions:
    # the face's share of the height as MediaPipe finds it in the original photo.
    config = load_config()
    share = _face_side(load_portrait(shared_path(PORTRAIT), config)) / 600
    assert abs(frame.height - config.live.max_face_px / share) < 0.05 * frame.height  # ~1250, not 2048
    assert max(frame.width, frame.height) <= config.live.max_side
    assert abs(frame.width / frame.height - width / height) < 0.02
