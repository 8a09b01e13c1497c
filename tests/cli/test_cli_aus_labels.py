"""`livemorph aus` output as training labels, and `aus --explain` on its own."""
import shutil

import numpy as np

from conftest import shared_path
from livemorph.face.au_tracks import read_au_track
from livemorph.cli.app import main
from livemorph.training.dataset import list_images, read_label_csv

SAMPLE = "assets/au_labels/ganimation_sample"


def test_explain_needs_no_input(capsys):
    assert main(["aus", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "AU12" in out and "AU45" in out


def test_aus_without_input_is_one_line_exit_2(capsys):
    assert main(["aus"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("livemorph: error:") and err.count("\n") == 1


def test_csv_of_a_folder_is_usable_as_training_labels(tmp_path, capsys):
    sample = shared_path(SAMPLE)
    data = tmp_path / "faces"
    data.mkdir()
    originals = sorted(sample.glob("*.jpg"))[:2]
    names = ["plain.jpg", "smile, take 2.jpg"]  # a comma in a file name must not split the row
    for src, name in zip(originals, names):
        shutil.copy(src, data / name)
    out = data / "labels.csv"
    assert main(["aus", str(data), "--out", str(out)]) == 0
    labels = read_label_csv(out)  # the training loader's own reader
    assert sorted(labels) == sorted(list_images(data)) == sorted(names)
    # Still a driver track for `render --driver`, in file order.
    track = read_au_track(out)
    assert len(track) == 2 and track.success.all()
    for i, name in enumerate(sorted(names)):
        np.testing.assert_allclose(labels[name], track.aus[i], atol=1e-6)
    # Each image gets its own AUs (two different faces).
    assert not np.allclose(labels["plain.jpg"], labels["smile, take 2.jpg"])
