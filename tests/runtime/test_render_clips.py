"""`render` as a clip maker: --start/--duration, --fps resampling, the summary line, GIF facts,
and the checks made before any work (--out vs the inputs, an unwritable --out, --boomerang)."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from fractions import Fraction

import av
import numpy as np
import pytest
from PIL import Image, ImageSequence

import fake_engines
from conftest import REPO_ROOT, shared_path
from livemorph.face.au_tracks import AUTrackWriter
from livemorph.aus import AU, NUM_AUS
from livemorph.cli.app import main
from livemorph.config.settings import load_config
from livemorph.runtime.render import render_offline
from test_render import synthetic_portrait

BOX = (30, 40, 70, 90)  # synthetic_portrait's face box
PORTRAIT = "assets/portraits/trump_official_2017.png"


def ramp_track(path, rows=50, fps=25.0):
    """Row i smiles AU12 = i / 10, so every output frame tells which driver row it shows."""
    with AUTrackWriter(path) as writer:
        for i in range(rows):
            aus = np.zeros(NUM_AUS, np.float32)
            aus[AU.AU12] = i / 10
            writer.write(i, i / fps, aus, True, 0.98)
    return path


def exact_config(*extra):
    # No response probing: the fake engine counts and records every AU vector it draws.
    return load_config(overrides=["smoothing.enabled=false", "calibration.offline=none", "engine.name=test-tint",
                                  "driving.auto_gain=false", *extra])


def rows_shown(folder, portrait) -> list[int]:
    """Which driver row each PNG frame shows, read back from the tint in the face box."""
    x0, y0, x1, y1 = BOX
    rows = []
    for name in sorted(os.listdir(folder)):
        frame = np.asarray(Image.open(folder / name)).astype(int)
        base = portrait.image[y0:y1, x0:x1, 0].astype(int)
        unclipped = base < 150  # the largest tint (row 49: +98) stays below 255 there
        tint = (frame[y0:y1, x0:x1, 0] - base)[unclipped].mean()
        rows.append(round(tint / fake_engines.TINT_PER_AU12 * 10))
    return rows


@pytest.fixture
def tint_engine():
    return fake_engines.register("test-tint")


def test_start_and_duration_cut_the_clip_out_of_the_driver(tmp_path, tint_engine):
    portrait = synthetic_portrait()
    out = tmp_path / "clip"
    summary = render_offline(portrait, ramp_track(tmp_path / "t.csv"), out, exact_config(), start_s=0.4,
                             duration_s=0.8, progress=False)
    # 25 fps: 0.4 s = row 10, 0.8 s = 20 rows
    assert rows_shown(out, portrait) == list(range(10, 30))
    assert summary.frames == summary.driver_frames == 20


def test_start_past_the_end_is_a_one_line_config_error(tmp_path, tint_engine):
    from livemorph.errors import ConfigError

    with pytest.raises(ConfigError, match="past the driver's last frame") as info:
        render_offline(synthetic_portrait(), ramp_track(tmp_path / "t.csv"), tmp_path / "x.mp4", exact_config(),
                       start_s=10, progress=False)
    assert "\n" not in str(info.value)
    assert not (tmp_path / "x.mp4").exists()


def test_start_past_a_videos_end_is_said_before_reading_it(tmp_path, tint_engine, monkeypatch):
    # It was said after the first pass had read every frame of the driver (11 s for an 18 s clip).
    import livemorph.runtime.render as render_module
    from livemorph.errors import ConfigError

    def first_pass(*args, **kwargs):
        raise AssertionError("the driver was read")

    monkeypatch.setattr(render_module, "_read_driver_aus", first_pass)
    config = load_config(overrides=["engine.name=test-tint"])  # neutral: auto (a first pass over the driver)
    for start in (60, 2.4):  # 72 frames at 30 fps: the last starts at 2.37 s
        with pytest.raises(ConfigError, match=fr"--start {start:g} s is past the driver's last frame \(72 frames: "
                                              r"the last starts at 2\.37 s\)"):
            render_offline(synthetic_portrait(), shared_path("assets/driving/man_smiling_short.mp4"), tmp_path / "x.mp4",
                           config, start_s=start, progress=False)


@pytest.mark.parametrize("fps, expected_rows", [
    (10, [int(k * 2.5) for k in range(20)]),  # 2 s at 10 fps: every 2.5th row (sample and hold)
    (50, [k // 2 for k in range(100)]),  # 2 s at 50 fps: each row twice
])
def test_fps_resamples_and_keeps_the_duration(tmp_path, tint_engine, fps, expected_rows):
    portrait = synthetic_portrait()
    out = tmp_path / "frames"
    summary = render_offline(portrait, ramp_track(tmp_path / "t.csv"), out, exact_config(f"render.fps={fps}"),
                             progress=False)
    assert rows_shown(out, portrait) == expected_rows
    assert summary.frames == len(expected_rows) and summary.fps == fps


def test_mp4_at_another_fps_plays_as_long_as_the_driver(tmp_path, tint_engine):
    out = tmp_path / "x.mp4"
    render_offline(synthetic_portrait(), ramp_track(tmp_path / "t.csv"), out, exact_config("render.fps=10"),
                   progress=False)
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        n = sum(1 for _ in container.decode(stream))
        assert float(stream.average_rate) == pytest.approx(10)
    assert n / 10 == pytest.approx(50 / 25)  # 2 s, like the 50-row track at 25 fps


def test_gif_summary_reports_the_files_real_size_and_rate(tmp_path, tint_engine, config):
    out = tmp_path / "x.gif"
    portrait = synthetic_portrait(h=120, w=100)
    summary = render_offline(portrait, ramp_track(tmp_path / "t.csv"), out, exact_config("render.fps=240"),
                             progress=False)
    with Image.open(out) as gif:
        durations = [f.info["duration"] for f in ImageSequence.Iterator(gif)]
        size = gif.size
    assert summary.size == size == (100, 120)
    assert summary.fps == config.render.gif_fps  # not the 240 asked for: GIFs stop at gif_fps
    assert sum(durations) == pytest.approx(2000, abs=20)  # the driver's 2 s, not 50 ms
    assert summary.output.bytes == out.stat().st_size
    # Pillow merges identical neighbours, so the file may hold fewer frames, never more
    assert len(durations) <= summary.frames == 2 * config.render.gif_fps


# ---- refused before any work -------------------------------------------------------------------
def one_error_line(capsys) -> str:
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("livemorph: error:")
    return lines[0]


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("which", ["driver", "target"])
def test_out_equal_to_an_input_is_refused_and_the_input_untouched(tmp_path, capsys, monkeypatch, which):
    import livemorph.portrait

    monkeypatch.setattr(livemorph.portrait, "load_portrait", lambda *a, **k: pytest.fail("work was started"))
    target = shutil.copy(shared_path(PORTRAIT), tmp_path / "target.png")
    driver = shutil.copy(shared_path("assets/driving/man_smiling_short.mp4"), tmp_path / "driver.mp4")
    victim = tmp_path / ("driver.mp4" if which == "driver" else "target.png")
    before = digest(victim)
    capsys.readouterr()
    assert main(["render", "-t", str(target), "-d", str(driver), "-o", str(tmp_path / "." / victim.name),
                 "--no-progress"]) == 2
    line = one_error_line(capsys)
    assert f"is your {which}" in line
    assert digest(victim) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["driver.mp4", "target.png"]


@pytest.mark.parametrize("out", ["/proc/a.mp4", "/proc/livemorph-x/a.gif"])
def test_unwritable_out_is_refused_before_the_render(tmp_path, capsys, monkeypatch, out):
    import livemorph.portrait

    monkeypatch.setattr(livemorph.portrait, "load_portrait", lambda *a, **k: pytest.fail("work was started"))
    capsys.readouterr()
    assert main(["render", "-t", str(shared_path(PORTRAIT)), "-d", str(shared_path("assets/driving/man_smiling_short.mp4")),
                 "-o", out, "--no-progress"]) == 9
    assert f"cannot write {out}" in one_error_line(capsys)


def test_boomerang_is_for_gifs(tmp_path, capsys):
    capsys.readouterr()
    assert main(["render", "-t", str(shared_path(PORTRAIT)), "-d", str(tmp_path / "t.csv"), "-o",
                 str(tmp_path / "x.mp4"), "--boomerang"]) == 2
    assert "--boomerang is for GIF outputs" in one_error_line(capsys)


# ---- what the driver really gave -----------------------------------------------------------------
def write_video(path, frames=60, fps=30, *, moov_first=True):
    rng = np.random.default_rng(0)
    options = {"movflags": "faststart"} if moov_first else {}
    with av.open(str(path), "w", format="mp4", options=options) as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(rng.integers(0, 256, (120, 160, 3), dtype=np.uint8), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def test_truncated_driver_says_decoded_versus_expected_and_exits_3(tmp_path, capsys, tint_engine):
    full = write_video(tmp_path / "full.mp4")
    data = full.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[:len(data) // 2])  # index first (as phones and web videos have it), half the frames
    out = tmp_path / "out.gif"
    capsys.readouterr()
    assert main(["--set", "engine.name=test-tint", "render", "-t", str(shared_path(PORTRAIT)), "-d", str(cut),
                 "-o", str(out), "--no-progress"]) == 3
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("livemorph:")]
    assert len(err) == 1
    decoded = int(err[0].split("ended after ")[1].split(" of ")[0])
    assert 5 < decoded < 60 and " of 60 frames (truncated or damaged)" in err[0]
    assert out.exists()  # what could be decoded was rendered, and the message says where


def test_a_folder_of_frames_as_driver_says_how_to_drive_with_it(tmp_path, capsys):
    # click said "File '...' is a directory"; `aus` reads such a folder into a track render takes.
    frames = tmp_path / "frames"
    frames.mkdir()
    capsys.readouterr()
    assert main(["render", "-t", str(shared_path(PORTRAIT)), "-d", str(frames), "-o", str(tmp_path / "o.mp4")]) == 3
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert err == [f"livemorph: error: driver {frames} is a folder; render takes a video or an AU track: make one "
                   f"of its frames with `livemorph aus {frames} --out frames.csv`, then --driver frames.csv"]


def test_still_image_driver_says_what_transfers(tmp_path, capsys, caplog, tint_engine):
    capsys.readouterr()
    assert main(["--set", "engine.name=test-tint", "render", "-t", str(shared_path(PORTRAIT)),
                 "-d", str(shared_path("assets/portraits/obama_official_2012.jpg")), "-o", str(tmp_path / "o.png"),
                 "--no-progress", "--duration", "1"]) == 0
    err = capsys.readouterr().err
    assert "still image" in err and "--neutral none" in err
    # It said "--duration 1 s runs past the end of the driver: the clip is 0.0 s" beside the still's own warning.
    assert not [r for r in caplog.records if "--duration" in r.getMessage()]


# ---- Ctrl+C, SIGTERM and SIGHUP: no file, one line, their exit code -------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_stopping_a_render_leaves_no_file_and_one_line(tmp_path, sig, code):
    out = tmp_path / "long.mp4"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "livemorph", "render", "--target", str(shared_path(PORTRAIT)), "--engine", "warp",
         "--driver", str(shared_path("assets/driving/woman_blinks.mp4")), "--out", str(out), "--no-progress"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        # As from a terminal: a shell without job control starts background jobs (a suite run with
        # `&`) with SIGINT ignored, which the render, like any program, would inherit and honour.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        partial = tmp_path / ".long.mp4.partial"
        deadline = time.monotonic() + 90
        while not (partial.exists() and partial.stat().st_size > 0) and time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()[1]
            time.sleep(0.1)
        assert partial.exists(), "the render never started writing"
        process.send_signal(sig)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == code, err
    ours = [line for line in err.splitlines() if line.startswith("livemorph:")]
    # Ctrl+C said only "interrupted"; now, as the signals, that the file was not written.
    stopped = "interrupted" if sig == signal.SIGINT else f"stopped by {sig.name}"
    expected = f"livemorph: error: {stopped}; {out} was not written"
    assert ours == [expected]
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_long_driver_to_gif_stops_rendering_at_gif_max_seconds(tmp_path, tint_engine):
    summary = render_offline(synthetic_portrait(), ramp_track(tmp_path / "t.csv", rows=100), tmp_path / "x.gif",
                             exact_config("render.gif_max_seconds=1"), progress=False)
    _, _, n, total_ms = gif_facts(tmp_path / "x.gif")
    assert total_ms == pytest.approx(1000, abs=20) and n <= 15
    assert "cut at 1 s" in summary.output.describe()
    assert tint_engine.calls <= 25 + 3  # 1 s of the 25 fps track (4 s) and a GIF frame's worth, not all of it
    assert not summary.driver_cut_short  # cut on purpose, not a damaged driver


def test_a_gif_cut_at_a_fraction_of_a_second_says_so(tmp_path, tint_engine):
    # 0.5 s: the 25 fps track rendered up to one driver frame past the cut, which the 15 fps GIF
    # never saw as a frame of its own, so it was cut without a word.
    summary = render_offline(synthetic_portrait(), ramp_track(tmp_path / "t.csv", rows=100), tmp_path / "x.gif",
                             exact_config("render.gif_max_seconds=0.5"), progress=False)
    # 15 fps: 7 frames, 0.467 s, never over the 0.5 s asked for (8 frames were 0.533 s)
    assert gif_facts(tmp_path / "x.gif")[2:] == (7, pytest.approx(467, abs=20))
    assert "cut at 0.467 s" in summary.output.describe()


def gif_facts(path):
    with Image.open(path) as im:
        durations = [f.info["duration"] for f in ImageSequence.Iterator(im)]
        return im.width, im.height, len(durations), sum(durations)
