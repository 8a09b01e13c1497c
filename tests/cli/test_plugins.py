"""Registries: a toy engine and a toy output, registered at run time, work through `livemorph render`.

The engine is tests/fake_engines.TintEngine (red channel + 20 x AU12 inside the face box); the
output writes every frame into one .npy file. Neither name exists until the test registers it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import fake_engines
from conftest import shared_path
from livemorph.aus import AU
from livemorph.cli.app import main
from livemorph.engines import base as engine_registry
from livemorph.outputs import registry as output_registry
from livemorph.outputs.sink import Sink
from test_cli_render import PORTRAIT, write_smile_track


class NpyStack(Sink):
    """A toy output: all frames in one .npy (frames, height, width, 3), written on close."""

    def __init__(self, path: Path):
        super().__init__()
        self.path, self.frames = path, []

    def _open(self) -> None:
        pass

    def _write(self, image: np.ndarray) -> None:
        self.frames.append(image.copy())

    def _finish(self) -> None:
        np.save(self.path, np.stack(self.frames))

    def _discard(self) -> None:
        self.frames = []


@pytest.fixture
def fresh_registries(monkeypatch):
    """Registrations made by a test vanish after it."""
    monkeypatch.setattr(engine_registry, "_ENTRIES", dict(engine_registry._ENTRIES))
    monkeypatch.setattr(output_registry, "_KINDS", dict(output_registry._KINDS))


def render(*args) -> int:
    return main(["render", *map(str, args), "--portrait-only", "--no-progress"])


def test_unregistered_names_are_refused_with_the_valid_ones(tmp_path, fresh_registries, capsys):
    track = write_smile_track(tmp_path / "smile.csv")
    assert render("--target", shared_path(PORTRAIT), "--driver", track, "--out", tmp_path / "a.mp4",
                  "--engine", "toy-tint") == 2
    err = capsys.readouterr().err
    assert "'toy-tint' is not one of 'auto', 'ganimation'" in err and "'warp'" in err
    assert render("--target", shared_path(PORTRAIT), "--driver", track, "--out", tmp_path / "a.npy",
                  "--engine", "warp") == 2
    err = capsys.readouterr().err.strip()
    assert "unsupported output 'a.npy'" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "a.npy").exists()


def test_a_registered_engine_and_output_drive_a_render(tmp_path, fresh_registries):
    engine = fake_engines.register("toy-tint")
    output_registry.register_output("npy-stack", (".npy",), lambda path, fps, options: NpyStack(path))
    track = write_smile_track(tmp_path / "smile.csv", rows=6)
    out = tmp_path / "frames.npy"

    # No response probing: the toy engine records every AU vector it draws.
    assert main(["--set", "driving.auto_gain=false", "render", "--target", str(shared_path(PORTRAIT)), "--driver",
                 str(track), "--out", str(out), "--engine", "toy-tint", "--portrait-only", "--no-progress"]) == 0

    frames = np.load(out)
    assert frames.shape[0] == 6 == len(engine.seen_aus)
    # Every frame is exactly the portrait tinted by the AU12 the engine was given for it.
    from livemorph.config.settings import load_config
    from livemorph.portrait import load_portrait

    face = load_portrait(shared_path(PORTRAIT), load_config())
    box = fake_engines.face_box(face)
    for frame, aus in zip(frames, engine.seen_aus):
        np.testing.assert_array_equal(frame, fake_engines.expected_tint(face.image, box, float(aus[AU.AU12])))
    # The track smiles more and more; the toy engine saw it (AU12 rises) and so did the pixels.
    au12 = [float(a[AU.AU12]) for a in engine.seen_aus]
    assert au12[-1] > au12[0] + 1.0
    assert not np.array_equal(frames[-1], frames[0])
