"""Generator checkpoints: livemorph's own format (saving) and loading of every published layout.

livemorph's own checkpoint is a plain dict saved with torch.save and loadable with
``torch.load(..., weights_only=True)``:
    format: "livemorph-generator", format_version: 1, au_order: list of the 17 AU names,
    image_size: int, normalisation: "[-1,1]", aus_scale: 5.0, conv_dim, repeat_num,
    norm_affine, conv_bias, state_dict (our module names), meta: dict of str/int/float.
"""
from __future__ import annotations

import itertools
import logging
import pickle
import re
import reprlib
import tarfile
import zipfile
from pathlib import Path

import torch

from ...atomic import atomic_write
from ...aus import AU_MAX, AU_NAMES, NUM_AUS
from ...errors import CheckpointError, InputNotFound
from ...training.state import STATE_FORMAT as TRAIN_STATE_FORMAT
from .networks import GanimationGenerator

logger = logging.getLogger(__name__)

LIVEMORPH_FORMAT = "livemorph-generator"
LIVEMORPH_FORMAT_VERSION = 1


def save_generator(path: str | Path, generator: GanimationGenerator, *, image_size: int, meta: dict | None = None) -> Path:
    """Write ``generator`` in livemorph's checkpoint format, atomically (temp file + rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": LIVEMORPH_FORMAT,
        "format_version": LIVEMORPH_FORMAT_VERSION,
        "au_order": list(AU_NAMES),
        "image_size": int(image_size),
        "normalisation": "[-1,1]",
        "aus_scale": float(AU_MAX),
        "conv_dim": generator.conv_dim,
        "repeat_num": generator.repeat_num,
        "norm_affine": generator.norm_affine,
        "conv_bias": generator.conv_bias,
        "state_dict": {k: v.detach().cpu() for k, v in generator.state_dict().items()},
        "meta": dict(meta or {}),
    }
    with atomic_write(path) as tmp:
        torch.save(payload, tmp)
    return path


# ----------------------------------------------------------------------------------------
# Loading: every published layout, renamed onto GanimationGenerator's names.
#
# Module names on our side: trunk.{i} (same indices as the original ``main``/``model``
# Sequential), trunk.{k}.block.{0,1,3,4} for residual blocks, color_head.0, attention_head.0.

PUBLISHED_IMAGE_SIZE = 128  # every published GANimation generator was trained on 128x128 crops
# Bounds on livemorph headers, far beyond any trained generator (published: 128 px, conv_dim 64, 6 blocks).
MAX_IMAGE_SIZE = 1024
MAX_CONV_DIM = 1024
MAX_REPEAT_NUM = 64
LAYOUT_LIVEMORPH = "livemorph"
LAYOUT_REPLICATE = "ganimation_replicate"
LAYOUT_OFFICIAL = "official GANimation"
LAYOUT_VIPERMU = "vipermu/ganimation"
# Generator files as each release names them, to point at the one inside a folder or archive.
_GENERATOR_FILE_NAME = re.compile(r"(_net_gen\.pth|_id_G\.pth|-G\.ckpt|(^|/)generator[^/]*\.pt)$")
_FOLDER_SCAN_LIMIT = 10_000  # entries looked at in a folder given as a checkpoint

# Each external layout: regex renames applied in order, keys to drop, and the signature keys
# that identify it (used for detection and for "closest layout" in error messages).
_RENAMES: dict[str, list[tuple[str, str]]] = {
    LAYOUT_REPLICATE: [
        (r"^model\.(\d+)\.conv_block\.", r"trunk.\1.block."),
        (r"^model\.", "trunk."),
        (r"^color_top\.", "color_head."),
        (r"^au_top\.", "attention_head."),
    ],
    LAYOUT_OFFICIAL: [
        (r"^main\.(\d+)\.main\.", r"trunk.\1.block."),
        (r"^main\.", "trunk."),
        (r"^img_reg\.", "color_head."),
        (r"^attetion_reg\.", "attention_head."),  # sic: the official code's spelling
    ],
    LAYOUT_VIPERMU: [
        (r"^main\.(\d+)\.main\.", r"trunk.\1.block."),
        (r"^main\.", "trunk."),
        (r"^im_reg\.", "color_head."),
        (r"^im_att\.", "attention_head."),
    ],
}
# Dropped: buffers that old PyTorch / track_running_stats wrote next to InstanceNorm parameters.
# The reference code always normalises with the per-image statistics (official: PyTorch 0.3
# InstanceNorm ignores them; vipermu: the generator is never put in eval mode).
_DROP: dict[str, str] = {
    LAYOUT_REPLICATE: r"\.(running_mean|running_var|num_batches_tracked)$",
    LAYOUT_OFFICIAL: r"\.(running_mean|running_var|num_batches_tracked)$",
    LAYOUT_VIPERMU: r"(^debug\d+\.)|(\.(running_mean|running_var|num_batches_tracked)$)",
}
_SIGNATURES: dict[str, tuple[str, ...]] = {
    LAYOUT_REPLICATE: ("model.0.weight", "color_top.0.weight", "au_top.0.weight"),
    LAYOUT_OFFICIAL: ("main.0.weight", "img_reg.0.weight", "attetion_reg.0.weight"),
    LAYOUT_VIPERMU: ("main.0.weight", "im_reg.0.weight", "im_att.0.weight"),
}
_KEY_PREFIXES: dict[str, tuple[str, ...]] = {
    LAYOUT_REPLICATE: ("model.", "color_top.", "au_top."),
    LAYOUT_OFFICIAL: ("main.", "img_reg.", "attetion_reg."),
    LAYOUT_VIPERMU: ("main.", "im_reg.", "im_att.", "debug"),
}


def load_generator(path: str | Path, device: str | torch.device = "cpu") -> GanimationGenerator:
    """Load a GANimation generator from any supported checkpoint file, in eval mode on ``device``.

    The module also carries ``image_size``: the crop size it was trained on (128 for the
    published generators).

    Supported: ganimation_replicate ``*_net_gen.pth``, the official GANimation
    ``net_epoch_*_id_G.pth``, vipermu/ganimation ``*-G.ckpt`` and livemorph's own format.
    The file is untrusted input: it is read with ``weights_only=True`` and strictly matched.
    """
    path = Path(path)
    raw = read_checkpoint_file(path)
    generator, layout = build_generator(raw, source=str(path))
    logger.info("loaded %s generator from %s (conv_dim=%d, %d residual blocks)",
                layout, path, generator.conv_dim, generator.repeat_num)
    return generator.to(device).eval()


def read_checkpoint_file(path: Path):
    """``torch.load`` with ``weights_only=True``; every failure becomes a one-line CheckpointError."""
    if not path.exists():
        raise InputNotFound(f"checkpoint not found: {path}; pass an existing .pth/.ckpt file or a registered name")
    if path.is_dir():
        # Bounded: a home folder passed by mistake must not be walked for minutes.
        names = [p.relative_to(path).as_posix() for p in itertools.islice(path.rglob("*"), _FOLDER_SCAN_LIMIT)]
        raise CheckpointError(f"checkpoint {path} is a folder; {_generator_inside(names, path)}")
    if path.stat().st_size == 0:
        raise CheckpointError(f"checkpoint {path} is empty (0 bytes); download it again")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 -- damaged bytes raise anything in the unpickler (IndexError, TypeError...)
        raise _unloadable(path, exc) from exc


def _unloadable(path: Path, exc: BaseException) -> CheckpointError:
    """Why torch.load failed, in one line a user can act on."""
    # Both corrupt bytes and unsafe globals arrive as "Weights only load failed"; only the
    # latter names a GLOBAL that would have to be imported and run.
    if isinstance(exc, pickle.UnpicklingError) and "unsupported global" in str(exc).lower():
        return CheckpointError(f"refusing to load checkpoint {path}: it needs arbitrary code to unpickle "
                               f"({_unsafe_global(exc)}); only plain tensor state dicts are accepted")
    archive = _archive_members(path)
    if archive is not None:
        kind, names = archive
        return CheckpointError(f"checkpoint {path} is a {kind} archive, not a checkpoint; unpack it and "
                               f"{_generator_inside(names)}")
    if isinstance(exc, pickle.UnpicklingError):
        return CheckpointError(f"checkpoint {path} is corrupt or not a PyTorch file "
                               f"({_weights_unpickler_reason(exc)}); download it again")
    return CheckpointError(f"checkpoint {path} is truncated or not a PyTorch file ({_reason(exc)}); download it again")


def _archive_members(path: Path) -> tuple[str, list[str]] | None:
    """("zip" | "tar", member names) for an archive of files, such as the authors' ``ckpts`` folder as
    Google Drive delivers it; None for anything else."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
            # A PyTorch file is itself a zip, holding data.pkl: that one is damaged, not an archive.
            return None if any(name.endswith("data.pkl") for name in names) else ("zip", names)
        if tarfile.is_tarfile(path):
            with tarfile.open(path) as archive:
                return "tar", [name.removeprefix("./") for name in archive.getnames()]
    except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError):
        pass  # not a readable archive either
    return None


def _generator_inside(names: list[str], folder: Path | None = None) -> str:
    """What to pass instead of a folder or archive holding ``names``: the generator files among them,
    shallowest first (a run folder's generator.pt before its checkpoints/)."""
    found = sorted((n for n in names if _GENERATOR_FILE_NAME.search(n)), key=lambda n: (n.count("/"), n))
    shown = [str(folder / n) if folder is not None else n for n in found]
    if len(shown) == 1:
        return f"pass the generator file inside it: {shown[0]}"
    if shown:
        return f"pass one of the generator files inside it: {_preview(shown)}"
    return "pass the generator file inside it (e.g. *_net_gen.pth); none was found there"


def build_generator(raw, *, source: str = "checkpoint") -> tuple[GanimationGenerator, str]:
    """Detect the layout of a loaded checkpoint object and return (generator on CPU, layout name)."""
    if isinstance(raw, dict) and raw.get("format") == TRAIN_STATE_FORMAT:
        from ...training.trainer import GENERATOR_FILE  # here, not at the top: the trainer imports this module

        raise CheckpointError(f"{source} is a livemorph training state (what train --resume reads), not a "
                              f"generator; pass {Path(source).with_name(GENERATOR_FILE)}")
    if isinstance(raw, dict) and raw.get("format") == LIVEMORPH_FORMAT:
        return _build_livemorph(raw, source), LAYOUT_LIVEMORPH
    state = _unwrap_state_dict(raw, source)
    layout = _detect_layout(state)
    if layout is None:
        closest, _ = _closest_layout(state)
        raise CheckpointError(
            f"{source}: not a GANimation generator of any known layout (closest: {closest}); "
            f"first keys: {_preview(sorted(state))}; expected e.g. {_preview(_SIGNATURES[closest])}"
        )
    renamed, origin = _rename(state, layout)
    shapes = _infer_shapes(renamed, layout, source)
    generator = _build_strict(renamed, origin, layout, source, **shapes,
                              norm_affine="trunk.1.weight" in renamed, conv_bias="trunk.0.bias" in renamed)
    generator.image_size = PUBLISHED_IMAGE_SIZE
    return generator, layout


def _build_livemorph(payload: dict, source: str) -> GanimationGenerator:
    version = payload.get("format_version")
    if not isinstance(version, int) or version > LIVEMORPH_FORMAT_VERSION:
        raise CheckpointError(
            f"{source}: livemorph checkpoint format_version {version!r} is newer than this livemorph "
            f"understands ({LIVEMORPH_FORMAT_VERSION}); upgrade livemorph"
        )
    au_order = payload.get("au_order")
    if not isinstance(au_order, (list, tuple)) or list(au_order) != list(AU_NAMES):
        raise CheckpointError(f"{source}: AU order {reprlib.repr(au_order)} differs from livemorph's {list(AU_NAMES)}")
    # The header is untrusted too: checked before anything is built from it.
    # image_size: a multiple of 4, as the generator halves it twice.
    image_size = _header_int(payload, "image_size", 16, MAX_IMAGE_SIZE, source, step=4, default=PUBLISHED_IMAGE_SIZE)
    arch = {
        "conv_dim": _header_int(payload, "conv_dim", 1, MAX_CONV_DIM, source),
        "repeat_num": _header_int(payload, "repeat_num", 0, MAX_REPEAT_NUM, source),
        "norm_affine": _header_bool(payload, "norm_affine", source),
        "conv_bias": _header_bool(payload, "conv_bias", source),
    }
    state = _tensor_dict(payload.get("state_dict"), source)
    generator = _build_strict(state, {k: k for k in state}, LAYOUT_LIVEMORPH, source, **arch)
    generator.image_size = image_size
    return generator


def _header_int(payload: dict, key: str, low: int, high: int, source: str, *, step: int = 1,
                default: int | None = None) -> int:
    value = payload.get(key, default)
    if type(value) is not int or not low <= value <= high or value % step:  # type(): True is an int to isinstance
        multiple = f", a multiple of {step}" if step > 1 else ""
        raise CheckpointError(f"{source}: livemorph checkpoint field {key} is {_header_value(payload, key)}, "
                              f"expected an integer from {low} to {high}{multiple}; the file is damaged or was "
                              "not written by livemorph")
    return value


def _header_bool(payload: dict, key: str, source: str) -> bool:
    value = payload.get(key)
    if type(value) is not bool:
        raise CheckpointError(f"{source}: livemorph checkpoint field {key} is {_header_value(payload, key)}, "
                              "expected true or false; the file is damaged or was not written by livemorph")
    return value


def _header_value(payload: dict, key: str) -> str:
    return reprlib.repr(payload[key]) if key in payload else "missing"


def _unwrap_state_dict(raw, source: str) -> dict[str, torch.Tensor]:
    # Some training scripts wrap the weights: {"state_dict": ...} / {"G": ...} / {"model": ...}.
    if isinstance(raw, dict):
        for wrapper in ("state_dict", "G", "generator", "net_G"):
            inner = raw.get(wrapper)
            if isinstance(inner, dict) and inner and all(isinstance(v, torch.Tensor) for v in inner.values()):
                raw = inner
                break
    # DataParallel wrote "module." in front of every key.
    return {key.removeprefix("module."): value for key, value in _tensor_dict(raw, source).items()}


def _tensor_dict(raw, source: str) -> dict[str, torch.Tensor]:
    """``raw`` itself when it is a non-empty dict of name -> tensor (a state dict); else a CheckpointError."""
    if not isinstance(raw, dict) or not raw:
        got = "an empty dict" if isinstance(raw, dict) else f"a {type(raw).__name__}"
        raise CheckpointError(f"{source}: expected a dict of tensors (a state dict), got {got}")
    for key, value in raw.items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            raise CheckpointError(f"{source}: entry {reprlib.repr(key)} is not a tensor; not a generator state dict")
    return raw


def _detect_layout(state: dict) -> str | None:
    for layout, signature in _SIGNATURES.items():
        if all(key in state for key in signature):
            return layout
    return None


def _closest_layout(state: dict) -> tuple[str, float]:
    def score(layout: str) -> float:
        prefixes = _KEY_PREFIXES[layout]
        signature_hits = sum(key in state for key in _SIGNATURES[layout])
        prefix_hits = sum(key.startswith(prefixes) for key in state) / max(len(state), 1)
        return signature_hits + prefix_hits

    best = max(_SIGNATURES, key=score)
    return best, score(best)


def _rename(state: dict, layout: str) -> tuple[dict, dict]:
    """(renamed state dict, new name -> original name) with the layout's junk keys dropped."""
    drop = re.compile(_DROP[layout])
    renamed, origin = {}, {}
    for key, value in state.items():
        if drop.search(key):
            continue
        new = key
        for pattern, replacement in _RENAMES[layout]:
            new, count = re.subn(pattern, replacement, new)
            if count:
                break
        renamed[new] = value
        origin[new] = key
    return renamed, origin


def _infer_shapes(renamed: dict, layout: str, source: str) -> dict[str, int]:
    first = renamed.get("trunk.0.weight")
    if first is None or first.ndim != 4:
        raise CheckpointError(f"{source}: {layout} checkpoint has no first convolution weight")
    expected_in = 3 + NUM_AUS
    if first.shape[1] != expected_in:
        raise CheckpointError(
            f"{source}: {layout} generator takes {first.shape[1]} input channels, livemorph needs {expected_in} "
            f"(RGB + {NUM_AUS} AUs); it was trained for a different AU set"
        )
    blocks = {int(m.group(1)) for k in renamed if (m := re.match(r"trunk\.(\d+)\.block\.", k))}
    return {"conv_dim": int(first.shape[0]), "repeat_num": max(len(blocks), 1)}


def _build_strict(state: dict, origin: dict, layout: str, source: str, **arch) -> GanimationGenerator:
    """The generator ``arch`` describes, holding ``state``, which must match it exactly and be finite."""
    # Built on the meta device first (shapes, no memory): a header claiming conv_dim 4096 over
    # small tensors fails on its shapes instead of allocating gigabytes.
    with torch.device("meta"):
        generator = GanimationGenerator(num_aus=NUM_AUS, **arch)
    expected = generator.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [origin.get(k, k) for k in state if k not in expected]
    mismatched = [
        f"{origin.get(k, k)} {tuple(state[k].shape)} != {tuple(v.shape)}"
        for k, v in expected.items()
        if k in state and tuple(state[k].shape) != tuple(v.shape)
    ]
    if missing or unexpected or mismatched:
        parts = []
        if mismatched:
            parts.append(f"wrong shapes: {_preview(mismatched)}")
        if missing:
            parts.append(f"missing: {_preview(_original_names(missing, layout))}")
        if unexpected:
            parts.append(f"unexpected: {_preview(unexpected)}")
        raise CheckpointError(f"{source}: does not match the {layout} generator layout; " + "; ".join(parts))
    # NaN/inf weights would render every face as a black square.
    broken = next((origin.get(k, k) for k, v in state.items() if not torch.isfinite(v).all()), None)
    if broken is not None:
        raise CheckpointError(f"{source}: holds NaN/inf weights, first in {broken} (a training run that diverged?); "
                              "use an earlier checkpoint, or download it again")
    generator.to_empty(device="cpu").load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
    return generator


def _original_names(keys: list[str], layout: str) -> list[str]:
    """Our names back in the layout's own naming, for error messages a user can grep for."""
    back = {
        LAYOUT_REPLICATE: [(r"^trunk\.(\d+)\.block\.", r"model.\1.conv_block."), (r"^trunk\.", "model."),
                           (r"^color_head\.", "color_top."), (r"^attention_head\.", "au_top.")],
        LAYOUT_OFFICIAL: [(r"^trunk\.(\d+)\.block\.", r"main.\1.main."), (r"^trunk\.", "main."),
                          (r"^color_head\.", "img_reg."), (r"^attention_head\.", "attetion_reg.")],
        LAYOUT_VIPERMU: [(r"^trunk\.(\d+)\.block\.", r"main.\1.main."), (r"^trunk\.", "main."),
                         (r"^color_head\.", "im_reg."), (r"^attention_head\.", "im_att.")],
    }.get(layout, [])
    out = []
    for key in keys:
        for pattern, replacement in back:
            key, count = re.subn(pattern, replacement, key)
            if count:
                break
        out.append(key)
    return out


def _preview(items, limit: int = 3) -> str:
    items = list(items)
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


def _reason(exc: BaseException) -> str:
    """torch's error in a few words: its first sentence, without the advice and boilerplate that follow."""
    text = str(exc).strip()
    if not text:
        return "the file ends too soon" if isinstance(exc, EOFError) else type(exc).__name__
    sentence = re.split(r"(?<=\.)\s", text.splitlines()[0], maxsplit=1)[0].rstrip(".")
    if len(sentence) > 200:
        sentence = sentence[:200].rsplit(" ", 1)[0] + "..."
    return f"{type(exc).__name__}: {sentence}"


def _weights_unpickler_reason(exc: BaseException) -> str:
    match = re.search(r"WeightsUnpickler error:\s*([^\n]+)", str(exc))
    return match.group(1).strip() if match else _reason(exc)


def _unsafe_global(exc: BaseException) -> str:
    # torch names the offending global as "GLOBAL module.Class" in its message.
    match = re.search(r"GLOBAL ([\w.]+)", str(exc))
    return f"it references {match.group(1)}" if match else "it is not a plain state dict"
