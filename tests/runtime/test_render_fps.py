"""`render --fps` resamples the driver (duration kept), and the summary tells what the file holds."""
import av
import numpy as np
import pytest
from PIL import Image

import fake_engines
from livemorph.face.au_tracks import AUTrackWriter
from livemorph.aus import AU, NUM_AUS
from livemorph.runtime.render import render_offline
from livemorph.runtime.resample import output_count
from test_render import exact_config, synthetic_portrait


def write_track(path, rows: int, fps: float):
    with AUTrackWriter(path) as writer:
        for i in range(rows):
            aus = np.zeros(NUM_AUS, np.float32)
            aus[AU.AU12] = 5.0 * i / (rows - 1)
            writer.write(i, i / fps, aus, True, 1.0)
    return path


@pytest.fixture
def tint_engine():
    return fake_engines.register("test-tint")


def test_output_count_by_hand():
    # 30 -> 15 fps: every other driver frame; 30 -> 60: each twice; 25 -> 10: 0.4 per frame.
    assert [output_count(i, 30, 15) for i in range(6)] == [1, 0, 1, 0, 1, 0]
    assert [output_count(i, 30, 60) for i in range(3)] == [2, 2, 2]
    assert [output_count(i, 25, 10) for i in range(5)] == [1, 0, 1, 0, 0]
    assert sum(output_count(i, 29.97, 30) for i in range(2997)) in (2999, 3000, 3001)


@pytest.mark.parametrize("fps, frames", [(10.0, 10), (30.0, 30), (60.0, 60)])
def test_fps_keeps_the_duration_of_the_clip(tmp_path, tint_engine, fps, frames):
    track = write_track(tmp_path / "ramp.csv", rows=30, fps=30.0)  # one second
    out = tmp_path / "clip.mp4"
    summary = render_offline(synthetic_portrait(), track, out, exact_config("engine.name=test-tint", f"render.fps={fps}"),
                             progress=False)
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        decoded = list(container.decode(stream))
        assert float(stream.average_rate) == pytest.approx(fps)
    assert len(decoded) == summary.frames == frames  # one second at any rate
    assert summary.driver_frames == 30
    # Output frame j shows the driver frame on screen at time j / fps; each is rendered once.
    shown = sorted({int(j * 30.0 / fps + 1e-9) for j in range(frames)})
    ramp = [5.0 * i / 29 for i in range(30)]
    assert [a[AU.AU12] for a in tint_engine.seen_aus] == pytest.approx([ramp[i] for i in shown], abs=0.006)  # the CSV keeps 2 decimals


def test_gif_summary_reports_the_file_it_wrote(tmp_path, tint_engine):
    track = write_track(tmp_path / "ramp.csv", rows=60, fps=30.0)  # two seconds
    out = tmp_path / "clip.gif"
    summary = render_offline(synthetic_portrait(), track, out,
                             exact_config("engine.name=test-tint", "render.gif_max_width=50", "render.gif_fps=15"),
                             progress=False)
    with Image.open(out) as im:
        size, n = im.size, im.n_frames
    assert size == (50, 60) and n == 30  # scaled to 50 px wide, 15 fps for two seconds
    assert summary.size == size and summary.frames == n
    assert summary.fps == pytest.approx(15.0, abs=0.1)
