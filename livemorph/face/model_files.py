"""Finding, downloading and verifying model files (the MediaPipe face landmarker).

Search order for ``face_landmarker.task``: the path in config (``tracking.model_path``) ->
``$LIVEMORPH_MODELS/face_landmarker.task`` -> the user cache directory -> a one-time download
into that cache (progress bar, atomic write, sha256 verified). ``$LIVEMORPH_MODELS`` is the
offline route: when it is set, the file must be there (a missing folder or file is an error,
never a download). Every candidate is verified
before MediaPipe sees it, so a truncated or wrong file is a clear error, not a crash inside
MediaPipe.
"""
from __future__ import annotations

import hashlib
import logging
import os
import urllib.error
import urllib.request
from pathlib import Path

from ..atomic import atomic_write
from ..errors import ModelFileError, ModelWeightsMissing

log = logging.getLogger(__name__)

LANDMARKER_FILENAME = "face_landmarker.task"
MODELS_ENV = "LIVEMORPH_MODELS"


def user_cache_dir() -> Path:
    from platformdirs import user_cache_dir as _cache

    return Path(os.environ.get("LIVEMORPH_CACHE") or _cache("livemorph")) / "models"


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _check_digest(path: Path, sha256: str | None, problem: str, fix: str) -> None:
    """ModelFileError('problem (sha256 …, expected …); fix') unless ``path`` has digest ``sha256``."""
    if not sha256:
        return
    actual = sha256_file(path)
    if actual.lower() != sha256.lower():
        raise ModelFileError(f"{problem} (sha256 {actual[:12]}…, expected {sha256[:12]}…); {fix}")


def verify_file(path: Path, sha256: str | None, what: str, *, missing_hint: str = "") -> Path:
    """Check ``path`` exists, is non-empty and (when ``sha256`` is given) has that digest."""
    if path.is_dir():
        raise ModelWeightsMissing(f"{what} {path} is a folder, not the model file" + (f" {missing_hint}" if missing_hint else ""))
    if not path.is_file():
        raise ModelWeightsMissing(f"{what} not found at {path}" + (f" {missing_hint}" if missing_hint else ""))
    if path.stat().st_size == 0:
        raise ModelFileError(f"{what} at {path} is empty; delete it and run again (or put a good copy there)")
    _check_digest(path, sha256, f"{what} at {path} is damaged or not the expected file",
                  "delete it and run again to re-download, or put the right file there")
    return path


def resolve_landmarker_model(tracking_config, *, allow_download: bool = True) -> Path:
    """The verified path of face_landmarker.task, downloading it once into the cache if needed."""
    sha = tracking_config.model_sha256 or None
    what = "face landmarker model"
    if tracking_config.model_path:
        return verify_file(Path(tracking_config.model_path).expanduser(), sha, what,
                           missing_hint=f"(tracking.model_path); point it at {LANDMARKER_FILENAME} "
                                        f"({tracking_config.model_url}), or set it to null to use the cache")
    env_dir = os.environ.get(MODELS_ENV)
    if env_dir:
        # The offline route: a folder the user named must hold the file; never fall back to a download.
        folder = Path(env_dir).expanduser()
        if not folder.is_dir():
            raise ModelWeightsMissing(f"${MODELS_ENV} is {env_dir}, which is not a folder; create it and put "
                                      f"{LANDMARKER_FILENAME} there ({tracking_config.model_url}), or unset {MODELS_ENV}")
        return verify_file(folder / LANDMARKER_FILENAME, sha, what,
                           missing_hint=f"(the folder named by ${MODELS_ENV}); put it there "
                                        f"({tracking_config.model_url}), or unset {MODELS_ENV}")
    cached = user_cache_dir() / LANDMARKER_FILENAME
    if cached.exists():
        return verify_file(cached, sha, what)
    if not allow_download:
        raise ModelWeightsMissing(_missing_message(tracking_config.model_url, cached))
    return download_verified(tracking_config.model_url, cached, sha, what=what)


def _missing_message(url: str, cached: Path) -> str:
    return (
        f"face landmarker model not found and could not be downloaded; download {url} and put it at {cached} "
        f"(or in the folder named by ${MODELS_ENV}, or set tracking.model_path)"
    )


def download_verified(url: str, dest: Path, sha256: str | None, *, what: str = "model file", timeout: float = 30.0) -> Path:
    """Download ``url`` to ``dest`` atomically with a progress bar; verify its sha256."""
    from tqdm import tqdm

    log.warning("downloading %s from %s (once; cached at %s)", what, url, dest)
    try:
        with atomic_write(dest) as tmp:
            with urllib.request.urlopen(url, timeout=timeout) as response, open(tmp, "wb") as out:
                total = int(response.headers.get("Content-Length") or 0) or None
                with tqdm(total=total, unit="B", unit_scale=True, desc=dest.name, leave=False) as bar:
                    while block := response.read(1 << 16):
                        out.write(block)
                        bar.update(len(block))
            if total is not None and tmp.stat().st_size != total:
                raise ModelFileError(f"download of {what} from {url} was cut short; run again")
            _check_digest(tmp, sha256, f"downloaded {what} from {url} is not the expected one",
                          "the file on the server was not used")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ModelWeightsMissing(f"{_missing_message(url, dest)} ({reason})") from exc
    return dest
