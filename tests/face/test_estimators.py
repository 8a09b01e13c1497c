"""The AU estimator registry: `expression.estimator` picks what turns a tracked face into AUs."""
import numpy as np
import pytest

from conftest import shared_path
from livemorph.aus import NUM_AUS
from livemorph.cli.app import main
from livemorph.face.au_tracks import read_au_track
from livemorph.face.estimators import base as estimator_registry
from livemorph.face.estimators import register_estimator

PORTRAIT = "assets/portraits/grace_hopper_glasses.jpg"
TOY_AUS = np.linspace(0.25, 4.25, NUM_AUS).astype(np.float32)


class ToyEstimator:
    """Answers TOY_AUS for any face (and zeros for none), so its use is visible in the CSV."""

    name = "toy"

    def __init__(self, expression_config):
        pass

    def estimate(self, track):
        return TOY_AUS.copy() if track.present else np.zeros(NUM_AUS, np.float32)


@pytest.fixture
def fresh_registry(monkeypatch):
    monkeypatch.setattr(estimator_registry, "_FACTORIES", dict(estimator_registry._FACTORIES))


def test_a_registered_estimator_produces_the_aus_of_livemorph_aus(tmp_path, fresh_registry):
    register_estimator("toy", ToyEstimator)
    out = tmp_path / "aus.csv"
    assert main(["--set", "expression.estimator=toy", "aus", str(shared_path(PORTRAIT)), "--out", str(out)]) == 0
    track = read_au_track(out)
    assert track.success.tolist() == [True]
    np.testing.assert_allclose(track.aus[0], TOY_AUS, atol=0.005)  # the CSV keeps two decimals


def test_an_unknown_estimator_is_one_line_naming_the_valid_ones(tmp_path, capsys):
    code = main(["--set", "expression.estimator=openface", "aus", str(shared_path(PORTRAIT)),
                 "--out", str(tmp_path / "aus.csv")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "expression.estimator 'openface'" in err and "mediapipe" in err
    assert not (tmp_path / "aus.csv").exists()
