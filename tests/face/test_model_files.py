"""Model-file resolution and download, against a local HTTP server on loopback (never the internet)."""
import functools
import hashlib
import http.server
import shutil
import threading
from dataclasses import replace

import pytest

from livemorph.config.settings import load_config
from livemorph.errors import ModelFileError, ModelWeightsMissing
from livemorph.face.model_files import LANDMARKER_FILENAME, resolve_landmarker_model, sha256_file
from livemorph.face.tracking import FaceTracker

from conftest import shared_path

EXPECTED_SHA = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"


@pytest.fixture()
def model_file():
    return shared_path("models/face_landmarker.task")


@pytest.fixture()
def isolated(monkeypatch, tmp_path):
    """No env dir, an empty cache: resolution must go through the download step."""
    monkeypatch.delenv("LIVEMORPH_MODELS", raising=False)
    monkeypatch.setenv("LIVEMORPH_CACHE", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture()
def http_server(tmp_path, model_file):
    root = tmp_path / "www"
    root.mkdir()
    shutil.copy(model_file, root / "good.task")
    data = (root / "good.task").read_bytes()
    (root / "corrupt.task").write_bytes(data[:1000] + b"\x00" * 64 + data[1064:])
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _tracking(**changes):
    return replace(load_config().tracking, **changes)


def test_shared_model_has_the_published_digest(model_file):
    assert sha256_file(model_file) == hashlib.sha256(model_file.read_bytes()).hexdigest() == EXPECTED_SHA


def test_env_dir_is_used(monkeypatch, model_file):
    monkeypatch.setenv("LIVEMORPH_MODELS", str(model_file.parent))
    assert resolve_landmarker_model(_tracking(), allow_download=False) == model_file


def test_explicit_path_wins(tmp_path, model_file, monkeypatch):
    monkeypatch.setenv("LIVEMORPH_MODELS", str(tmp_path))  # empty dir: would fail
    copy = tmp_path / "elsewhere.task"
    shutil.copy(model_file, copy)
    assert resolve_landmarker_model(_tracking(model_path=str(copy))) == copy


def test_download_once_into_cache(isolated, http_server):
    cfg = _tracking(model_url=f"{http_server}/good.task")
    path = resolve_landmarker_model(cfg)
    assert path.name == LANDMARKER_FILENAME and sha256_file(path) == EXPECTED_SHA
    assert not list(path.parent.glob("*.partial"))
    # Second call finds the cached file, even with a dead URL.
    assert resolve_landmarker_model(_tracking(model_url="http://127.0.0.1:9/none")) == path
    with FaceTracker.from_config(cfg, mode="image") as tracker:  # and MediaPipe accepts it
        assert tracker.mode == "image"


def test_corrupted_download_is_refused_and_not_kept(isolated, http_server):
    cfg = _tracking(model_url=f"{http_server}/corrupt.task")
    with pytest.raises(ModelFileError, match="not the expected one"):
        resolve_landmarker_model(cfg)
    cache = isolated / "cache" / "models"
    assert not (cache / LANDMARKER_FILENAME).exists()
    assert not list(cache.glob("*.partial"))


def test_offline_without_file_says_where_to_put_it(isolated):
    cfg = _tracking(model_url="http://127.0.0.1:9/face_landmarker.task")  # nothing listens on port 9
    with pytest.raises(ModelWeightsMissing) as info:
        resolve_landmarker_model(cfg)
    message = str(info.value)
    assert "put it at" in message and str(isolated / "cache" / "models") in message
    assert "\n" not in message


def test_truncated_or_wrong_local_file_is_a_clear_error(tmp_path, model_file):
    truncated = tmp_path / "face_landmarker.task"
    truncated.write_bytes(model_file.read_bytes()[:100_000])
    with pytest.raises(ModelFileError, match="damaged or not the expected file"):
        resolve_landmarker_model(_tracking(model_path=str(truncated)))
    empty = tmp_path / "empty.task"
    empty.write_bytes(b"")
    with pytest.raises(ModelFileError, match="is empty"):
        resolve_landmarker_model(_tracking(model_path=str(empty)))


def test_wrong_file_without_checksum_fails_cleanly_in_mediapipe(tmp_path):
    junk = tmp_path / "junk.task"
    junk.write_bytes(b"not a tflite bundle" * 100)
    cfg = _tracking(model_path=str(junk), model_sha256="")
    with pytest.raises(ModelFileError, match="could not load"):
        FaceTracker.from_config(cfg, mode="image")


@pytest.mark.parametrize("case", ["missing_folder", "folder_without_the_file"])
def test_models_env_pointing_at_nothing_fails_in_one_line_without_downloading(isolated, monkeypatch, case, capsys):
    from livemorph.cli.app import main

    folder = isolated / "offline-models"
    if case == "folder_without_the_file":
        folder.mkdir()
    monkeypatch.setenv("LIVEMORPH_MODELS", str(folder))
    # a download would hit this URL: nothing listens there, and it must not even be tried
    tracking = _tracking(model_url="http://127.0.0.1:9/face_landmarker.task")
    with pytest.raises(ModelWeightsMissing, match="LIVEMORPH_MODELS") as info:
        resolve_landmarker_model(tracking, allow_download=True)
    assert "\n" not in str(info.value) and str(folder) in str(info.value)
    assert not (isolated / "cache").exists()  # nothing downloaded into the cache
    capsys.readouterr()
    assert main(["aus", str(shared_path("assets/portraits/mona_lisa.jpg")), "--out", str(isolated / "a.csv")]) == 6
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("livemorph: error:") and "LIVEMORPH_MODELS" in err[0]
