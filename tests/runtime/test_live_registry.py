"""Live outputs by kind: a toy output registered at run time is fed by `livemorph run`.

The toy frame output keeps every LiveFrame it is given; the toy reading output keeps every
(index, time, reading) row. Neither exists until the test registers it, and `run` is not told
about them: the registry alone wires them in.
"""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

import fake_engines
from conftest import shared_path
from livemorph.cli.app import main
from livemorph.engines import base as engine_registry
from livemorph.runtime import live_registry
from livemorph.runtime.live_outputs import OutputWorker

VIDEO = "assets/driving/woman_expressions.mp4"
PORTRAIT = "assets/portraits/grace_hopper_glasses.jpg"  # 512x600


class Keep(OutputWorker):
    """A toy output: keeps what it is fed; ``closed_cleanly`` once the run finished it."""

    def __init__(self, name, stats):
        super().__init__(name, stats, capacity=1000)
        self.items: list = []
        self.closed_cleanly = False

    def _deliver(self, item) -> None:
        self.items.append(item)

    def _close(self) -> None:
        self.closed_cleanly = True


@pytest.fixture
def fresh_registries(monkeypatch):
    """Registrations made by a test vanish after it."""
    monkeypatch.setattr(engine_registry, "_ENTRIES", dict(engine_registry._ENTRIES))
    monkeypatch.setattr(live_registry, "_KINDS", dict(live_registry._KINDS))


def test_registered_live_outputs_are_fed_by_run(tmp_path, fresh_registries):
    fake_engines.register("toy-tint")
    made: dict[str, Keep] = {}

    def factory(name):
        def create(request):
            made[name] = Keep(name, request.stats)
            return made[name]
        return create

    live_registry.register_live_output("toy-frames", factory("toy-frames"), feed="frames")
    live_registry.register_live_output("toy-readings", factory("toy-readings"), feed="readings")
    stats_path = tmp_path / "stats.json"
    code = main(["run", "--target", str(shared_path(PORTRAIT)), "--source", str(shared_path(VIDEO)),
                 "--no-window", "--max-frames", "5", "--engine", "toy-tint", "--stats-json", str(stats_path)])
    assert code == 0
    stats = json.loads(stats_path.read_text())
    frames, readings = made["toy-frames"], made["toy-readings"]
    # every rendered frame reached the frame output, in order, at the portrait's size
    assert [f.index for f in frames.items] == list(range(5)) == list(range(stats["frames_out"]))
    height, width = cv2.imread(str(shared_path(PORTRAIT))).shape[:2]
    assert all(f.portrait.shape == (height, width, 3) for f in frames.items)
    # every analysed frame reached the reading output, numbered from 0 with rising source times
    assert len(readings.items) == stats["counters"]["captured"] >= 5
    assert [row[0] for row in readings.items] == list(range(len(readings.items)))
    assert np.all(np.diff([row[1] for row in readings.items]) > 0)
    # both were finished (drained and closed) at the end of the run, like the built-in outputs
    assert frames.closed_cleanly and readings.closed_cleanly


def test_a_live_output_with_an_unknown_feed_is_refused(fresh_registries):
    with pytest.raises(ValueError, match="feed must be one of"):
        live_registry.register_live_output("toy", lambda request: None, feed="audio")
    with pytest.raises(ValueError, match="already a 'window' output"):
        live_registry.register_live_output("second-window", lambda request: None, feed="window", phase="first")
    assert "toy" not in live_registry.live_output_kinds()


def test_an_au_take_never_writes_over_a_file(tmp_path, fresh_registries):
    # `--record-aus` named like an existing file takes the next free name, as a video take does;
    # named like the portrait, or like a video (the --record slip), it is refused before the run:
    # it once left the portrait as CSV text, and later the MP4 of --record under the same name.
    from livemorph.face.au_tracks import read_au_track

    fake_engines.register("toy-tint")
    portrait = tmp_path / "portrait.jpg"
    portrait.write_bytes(shared_path(PORTRAIT).read_bytes())
    before = portrait.read_bytes()
    (tmp_path / "take.csv").write_text("an earlier take")
    run = ["run", "--target", str(portrait), "--source", str(shared_path(VIDEO)), "--no-window",
           "--max-frames", "5", "--engine", "toy-tint"]
    assert main([*run, "--record-aus", str(tmp_path / "take.csv")]) == 0
    assert (tmp_path / "take.csv").read_text() == "an earlier take"
    assert len(read_au_track(tmp_path / "take-2.csv")) >= 5
    assert main([*run, "--record-aus", str(portrait)]) == 2
    assert main([*run, "--record", str(tmp_path / "take.mp4"), "--record-aus", str(tmp_path / "take.mp4")]) == 2
    assert portrait.read_bytes() == before and not (tmp_path / "take.mp4").exists()


def test_a_source_that_never_shows_a_face_is_said(tmp_path, fresh_registries, capsys):
    # As `render` says of a driver without a face: the portrait never moved, and the user is told why.
    fake_engines.register("toy-tint")
    code = main(["run", "--target", str(shared_path(PORTRAIT)), "--source", str(shared_path("assets/driving/no_face.mp4")),
                 "--no-window", "--max-frames", "5", "--engine", "toy-tint", "--record-aus", str(tmp_path / "a.csv")])
    assert code == 0
    assert "warning: no face was found in any of the" in capsys.readouterr().err


def test_a_missing_second_target_is_refused_before_the_run(tmp_path, fresh_registries, capsys):
    # Prepared in the background, a mistyped second --target went by as a log line, and the run
    # went on (exit 0).
    fake_engines.register("toy-tint")
    code = main(["run", "--target", str(shared_path(PORTRAIT)), "--target", str(tmp_path / "obma.jpg"),
                 "--source", str(shared_path(VIDEO)), "--no-window", "--max-frames", "5", "--engine", "toy-tint",
                 "--record-aus", str(tmp_path / "a.csv")])
    assert code == 3
    assert capsys.readouterr().err.strip().splitlines() == [f"livemorph: error: image not found: {tmp_path / 'obma.jpg'}"]
    assert not (tmp_path / "a.csv").exists()
