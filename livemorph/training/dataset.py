"""Training data: a folder of face images -> square face crops + their 17 AUs, cached.

Labels come from an AU CSV in OpenFace's column layout keyed by file name (``image`` or
``file``/``filename``/``name``/``input`` column, then ``AU01_r`` ... ``AU45_r``), or, when
there is none, from livemorph itself: the same face tracker (IMAGE mode), crop and AU
estimator as inference, so a generator learns the AU scale it will be driven with.

Labelling is the slow part (a face tracker pass per image), so the result (crops as a
.npy the trainer memory-maps, AUs, names, skip reasons) is cached under a fingerprint of
the files and of every setting that changes the crops or labels; a second run reuses it.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import logging
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..atomic import atomic_write
from ..aus import AU_NAMES, NUM_AUS, au_index
from ..errors import InputUnreadable, TrainingDataError
from ..frames import is_image_path, load_image

log = logging.getLogger(__name__)

CACHE_VERSION = 1
CACHE_FOLDER_NAME = ".livemorph_cache"
KEY_COLUMNS = ("image", "file", "filename", "file_name", "name", "input", "path")
# A label above this is on another scale (0-100, a percentage), not OpenFace's 0-5 with some rounding.
OFF_SCALE_AU = 6.0


@dataclass(frozen=True)
class TrainingSet:
    """Crops (N, S, S, 3) uint8 RGB (possibly memory-mapped), AUs (N, 17) on 0..5, names."""

    images: np.ndarray
    aus: np.ndarray
    names: list[str]
    skipped: dict[str, str] = field(default_factory=dict)  # file name -> reason
    label_source: str = ""
    cache_path: Path | None = None

    def __len__(self) -> int:
        return len(self.names)

    def skip_summary(self) -> str:
        counts = Counter(self.skipped.values())
        return ", ".join(f"{n} {reason}" for reason, n in counts.most_common()) or "none"


def list_images(data_dir: Path, exclude: Path | None = None) -> list[str]:
    """Image files under ``data_dir`` (recursively; hidden folders and ``exclude`` left out) as sorted posix paths."""
    found = []
    skip = exclude.resolve() if exclude is not None else None
    for path in data_dir.rglob("*"):
        rel = path.relative_to(data_dir)
        if any(part.startswith(".") for part in rel.parts[:-1]):
            continue
        if skip is not None and path.resolve().is_relative_to(skip):
            continue  # a run folder inside the data folder: its sample grids are not faces
        if path.is_file() and is_image_path(path):
            found.append(rel.as_posix())
    return sorted(found)


def find_label_csv(data_dir: Path, labels: str | None) -> Path | None:
    """The AU CSV to use: the configured one, else the folder's only top-level .csv, else None."""
    if labels:
        path = Path(labels)
        if not path.is_absolute() and not path.exists():
            path = data_dir / labels
        if not path.is_file():
            raise TrainingDataError(f"label CSV not found: {labels}; fix train.labels or remove it to self-label")
        return path
    csvs = sorted(p for p in data_dir.glob("*.csv") if p.is_file())
    if len(csvs) > 1:
        names = ", ".join(p.name for p in csvs)
        raise TrainingDataError(f"{data_dir} holds several CSV files ({names}); set train.labels to the AU CSV")
    return csvs[0] if csvs else None


def read_label_csv(path: Path) -> dict[str, np.ndarray]:
    """file name -> (17,) AUs from a CSV in OpenFace's AU column layout keyed by file name."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise TrainingDataError(f"cannot read label CSV {path}: {exc}") from exc
    if not rows:
        raise TrainingDataError(f"label CSV {path} is empty; it needs a header with a file-name column and AU01_r..AU45_r")
    header = [h.strip() for h in rows[0]]  # OpenFace pads its header names with spaces
    lowered = [h.lower() for h in header]
    key_col = next((lowered.index(k) for k in KEY_COLUMNS if k in lowered), None)
    if key_col is None:
        raise TrainingDataError(
            f"label CSV {path} has no file-name column; name one of: {', '.join(KEY_COLUMNS)}"
        )
    au_cols: dict[int, int] = {}
    for col, name in enumerate(header):
        if name.upper().endswith("_R") and name.upper().startswith("AU"):
            try:
                au_cols[au_index(name)] = col
            except KeyError:
                continue  # an AU livemorph does not use (e.g. AU28_r)
    missing = [AU_NAMES[i] for i in range(NUM_AUS) if i not in au_cols]
    if missing:
        raise TrainingDataError(f"label CSV {path} lacks AU columns {', '.join(m + '_r' for m in missing)}")
    labels: dict[str, np.ndarray] = {}
    outside = 0  # values a little off the 0-5 scale (another tool's rounding), clipped
    for line_no, row in enumerate(rows[1:], start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        try:
            values = np.array([float(row[au_cols[i]]) for i in range(NUM_AUS)], dtype=np.float32)
        except (ValueError, IndexError) as exc:
            raise TrainingDataError(f"label CSV {path} line {line_no}: bad AU value ({exc})") from exc
        if not np.all(np.isfinite(values)):
            raise TrainingDataError(f"label CSV {path} line {line_no}: AU values must be finite numbers")
        if values.max() > OFF_SCALE_AU:
            worst = int(np.argmax(values))
            raise TrainingDataError(f"label CSV {path} line {line_no}: {AU_NAMES[worst]}_r is {values[worst]:g}; "
                                    f"livemorph reads AU intensities on OpenFace's 0-5 scale: rescale the labels")
        outside += int(np.count_nonzero((values < 0.0) | (values > 5.0)))
        labels[row[key_col].strip().replace("\\", "/")] = np.clip(values, 0.0, 5.0)
    if outside:
        log.warning("%d AU values in %s lie outside 0-5 and were clipped to it", outside, path)
    if not labels:
        raise TrainingDataError(f"label CSV {path} has a header but no rows; add a row per image, or remove it "
                                f"to self-label")
    return labels


def _lookup_label(labels: dict[str, np.ndarray], rel_name: str) -> np.ndarray | None:
    """Match by relative path, then by bare file name, then by stem (OpenFace writes stems)."""
    for key in (rel_name, Path(rel_name).name, Path(rel_name).stem):
        if key in labels:
            return labels[key]
    return None


def fingerprint(data_dir: Path, names: list[str], label_csv: Path | None, settings: dict) -> str:
    """Changes whenever a file, the labels or a crop/label setting changes."""
    h = hashlib.sha256()
    h.update(json.dumps({"version": CACHE_VERSION, "settings": settings}, sort_keys=True).encode())
    for name in names:
        st = (data_dir / name).stat()
        h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    if label_csv is not None:
        h.update(label_csv.read_bytes())
    return h.hexdigest()[:20]


def _source_digest(modules: list[str]) -> str:
    import importlib.util

    h = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(f"livemorph.{name}")
        if spec is not None and spec.origin:
            h.update(Path(spec.origin).read_bytes())
    return h.hexdigest()[:16]


def default_cache_root(data_dir: Path, run_dir: Path, cache_dir: str | None) -> Path:
    """train.cache_dir, else a hidden folder in the data folder, else the run folder when that is read-only."""
    if cache_dir:
        return Path(cache_dir)
    if os.access(data_dir, os.W_OK):
        return data_dir / CACHE_FOLDER_NAME
    return run_dir / "cache"


def load_training_set(data_dir: str | Path, config, *, run_dir: str | Path) -> TrainingSet:
    """Crops and labels for ``data_dir``, from the cache when nothing changed."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise TrainingDataError(f"training data folder not found: {data_dir}; pass --data with a folder of face images")
    names = list_images(data_dir, exclude=Path(run_dir))
    if not names:
        raise TrainingDataError(f"no images (.jpg/.png/...) in {data_dir}; put face images there")
    train = config.train
    label_csv = find_label_csv(data_dir, train.labels)
    settings = {
        "image_size": train.image_size,
        "crop_faces": train.crop_faces,
        "crop_scale": config.portrait.crop_scale,
        # Self-labels depend on the estimator's gains; CSV labels do not.
        "gains": None if label_csv else [float(g) for g in config.expression.gain_vector()],
        # A changed crop or estimator (a livemorph upgrade) must not reuse stale crops/labels.
        "code": _source_digest(["face_crop"] + ([] if label_csv else ["expression"])) if train.crop_faces or not label_csv else "",
    }
    key = fingerprint(data_dir, names, label_csv, settings)
    cache = default_cache_root(data_dir, Path(run_dir), train.cache_dir) / f"train_{key}"
    if (cache / "index.json").is_file():
        try:
            cached = _read_cache(cache)
            log.info("using cached crops and labels from %s", cache)
            return cached
        except (OSError, ValueError, KeyError, TypeError) as exc:  # cut short, or edited by hand
            log.warning("the cached crops in %s are damaged (%s); labelling again", cache, type(exc).__name__)
            shutil.rmtree(cache, ignore_errors=True)
    built = _label_folder(data_dir, names, label_csv, config)
    try:
        _write_cache(cache, built)
    except OSError as exc:  # a cache we cannot write only costs time next run
        log.warning("could not cache training crops in %s (%s); the next run will label again", cache, exc)
        return built
    return _read_cache(cache)


def _label_folder(data_dir: Path, names: list[str], label_csv: Path | None, config) -> TrainingSet:
    from tqdm import tqdm

    train = config.train
    labels = read_label_csv(label_csv) if label_csv else None
    need_tracker = train.crop_faces or labels is None
    crops: list[np.ndarray] = []
    aus: list[np.ndarray] = []
    kept: list[str] = []
    skipped: dict[str, str] = {}
    with _open_tracker(config) if need_tracker else contextlib.nullcontext() as tracker:
        for name in tqdm(names, desc="labelling", unit="img", disable=not train.progress, leave=False):
            label = None
            if labels is not None:
                label = _lookup_label(labels, name)
                if label is None:
                    skipped[name] = "without a label row"
                    continue
            try:
                image = load_image(data_dir / name)
            except InputUnreadable:
                skipped[name] = "unreadable"
                continue
            track = None
            if tracker is not None:
                faces = tracker.detect_all(image)
                if not faces:
                    skipped[name] = "without a detectable face"
                    continue
                track = faces[0]  # largest first
            crop = _crop(image, track, train, config) if train.crop_faces else _resize_whole(image, train.image_size)
            if label is None:
                label = _estimate(track, config)
            crops.append(crop)
            aus.append(np.asarray(label, np.float32))
            kept.append(name)
    if labels is not None:
        unused = set(labels) - {k for n in names for k in (n, Path(n).name, Path(n).stem)}
        if len(unused) == len(labels):
            raise TrainingDataError(
                f"no row of {label_csv.name} names an image in {data_dir} (rows name e.g. {sorted(labels)[0]}, "
                f"images are e.g. {names[0]}): its file-name column must hold the images' names or paths inside the folder")
        if unused:
            log.warning("%d label rows name no image in %s (e.g. %s)", len(unused), data_dir, sorted(unused)[0])
    if not kept:
        reasons = Counter(skipped.values()).most_common(1)[0][0]
        raise TrainingDataError(
            f"no usable faces in {data_dir}: all {len(names)} images were skipped (mostly {reasons}); "
            "use frontal face photos" + (" or set train.crop_faces: false for pre-cropped faces" if train.crop_faces else "")
        )
    return TrainingSet(
        images=np.stack(crops),
        aus=np.stack(aus).astype(np.float32),
        names=kept,
        skipped=skipped,
        label_source=f"csv:{label_csv.name}" if label_csv else "self-labelled",
    )


def _open_tracker(config):
    from ..face.tracking import FaceTracker

    return FaceTracker.from_config(config.tracking, mode="image")


def _crop(image: np.ndarray, track, train, config) -> np.ndarray:
    """The same square crop the GANimation engine feeds its generator at inference."""
    from ..engines.ganimation.face_crop import crop_box, extract_crop

    box = crop_box(track, image.shape, config.portrait.crop_scale)
    return np.ascontiguousarray(extract_crop(image, box, train.image_size), dtype=np.uint8)


def _resize_whole(image: np.ndarray, size: int) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(image).resize((size, size), Image.LANCZOS), dtype=np.uint8)


def _estimate(track, config) -> np.ndarray:
    """A training picture's AUs, read as the picture shows them (``face.tracking.as_seen``)."""
    from ..face.estimators import estimator_from_config
    from ..face.tracking import as_seen

    return np.asarray(estimator_from_config(config).estimate(as_seen(track)), np.float32)


def _write_cache(cache: Path, data: TrainingSet) -> None:
    """Write into a temporary sibling folder and rename it, so a half-written cache never exists."""
    try:
        with atomic_write(cache, folder=True, unique=True) as tmp:
            np.save(tmp / "crops.npy", data.images)
            np.save(tmp / "aus.npy", data.aus)
            index = {"names": data.names, "skipped": data.skipped, "label_source": data.label_source}
            (tmp / "index.json").write_text(json.dumps(index, indent=1), encoding="utf-8")
    except OSError:
        if (cache / "index.json").is_file():  # another process (torchrun rank) won the race
            return
        raise


def _read_cache(cache: Path) -> TrainingSet:
    index = json.loads((cache / "index.json").read_text(encoding="utf-8"))
    data = TrainingSet(
        images=np.load(cache / "crops.npy", mmap_mode="r"),
        aus=np.load(cache / "aus.npy").astype(np.float32),
        names=list(index["names"]),
        skipped=dict(index["skipped"]),
        label_source=index["label_source"],
        cache_path=cache,
    )
    if not len(data.images) == len(data.aus) == len(data.names):
        raise ValueError(f"{len(data.images)} crops, {len(data.aus)} labels and {len(data.names)} names")
    return data
