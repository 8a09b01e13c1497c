"""Generator checkpoints by name: the known published ones and the ones the user added.

Known checkpoints are listed in ``model_registry.yaml`` next to this file (the top-level
``models/registry.yaml`` is the same file, kept identical by a test): where to get each one, its layout and licence. livemorph never
downloads them itself. ``livemorph models add FILE [--name N] [--replace]`` checks that FILE loads as a
generator and records its absolute path and sha256 in the user's registry
(``<user config dir>/livemorph/models.yaml``, or ``$LIVEMORPH_MODEL_REGISTRY``); then
``--checkpoint N`` / ``ganimation.checkpoint: N`` finds it; ``livemorph models remove N``
forgets it again (the file stays). Nothing user-specific is ever written into the repository.
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ...atomic import atomic_write
from ...errors import CheckpointError, ConfigError, InputNotFound, OutputNotWritable
from ...config.settings import read_yaml_mapping
from ...face.model_files import sha256_file

logger = logging.getLogger(__name__)

BUILTIN_REGISTRY = Path(__file__).with_name("model_registry.yaml")
USER_REGISTRY_ENV = "LIVEMORPH_MODEL_REGISTRY"
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class ModelEntry:
    name: str
    layout: str | None
    description: str = ""
    url: str | None = None
    sha256: str | None = None  # known checksum (built-in) or the recorded one (user)
    licence: str = ""
    path: Path | None = None  # local file, for checkpoints the user added
    builtin: bool = False


def user_registry_path() -> Path:
    override = os.environ.get(USER_REGISTRY_ENV)
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("livemorph")) / "models.yaml"


def builtin_models() -> dict[str, ModelEntry]:
    data = _read_yaml(BUILTIN_REGISTRY) if BUILTIN_REGISTRY.exists() else {}
    return {
        name: ModelEntry(name=name, layout=info.get("layout"), description=info.get("description", ""),
                         url=info.get("url"), sha256=info.get("sha256"), licence=info.get("licence", ""),
                         builtin=True)
        for name, info in data.items()
    }


def user_models() -> dict[str, ModelEntry]:
    path = user_registry_path()
    data = _read_yaml(path) if path.exists() else {}
    entries = {}
    for name, info in data.items():
        # Hand-edited entries: `path: null` or a list where text belongs must not crash every command.
        if not isinstance(info, dict) or not isinstance(info.get("path"), str) or not info["path"]:
            raise ConfigError(f"model registry {path}: entry {name!r} has no path; fix or delete that entry")
        for key in ("layout", "sha256", "description"):
            if not isinstance(info.get(key, ""), (str, type(None))):
                raise ConfigError(f"model registry {path}: entry {name!r} has a {key} that is not text; "
                                  "fix or delete that entry")
        entries[str(name)] = ModelEntry(name=str(name), layout=info.get("layout"), description=info.get("description", ""),
                                        sha256=info.get("sha256"), path=Path(info["path"]))
    return entries


def list_models() -> list[ModelEntry]:
    """Built-in entries (with the user's file where one was added under that name), then the user's own."""
    builtin, user = builtin_models(), user_models()
    rows = []
    for name, entry in builtin.items():
        mine = user.pop(name, None)
        rows.append(entry if mine is None else ModelEntry(**{**entry.__dict__, "path": mine.path, "sha256": mine.sha256}))
    return rows + sorted(user.values(), key=lambda e: e.name)


def add_model(path: str | Path, name: str | None = None, *, replace: bool = False) -> ModelEntry:
    """Validate ``path`` as a generator checkpoint and record it under ``name`` in the user registry.

    A name already added for another file is refused unless ``replace``; the same file again
    just records its sha256 anew.
    """
    from .checkpoints import build_generator, read_checkpoint_file

    path = Path(path).expanduser().resolve()
    raw = read_checkpoint_file(path)
    _, layout = build_generator(raw, source=str(path))
    digest = sha256_file(path)
    builtin = builtin_models()
    if name is None:
        known = [e.name for e in builtin.values() if e.sha256 and e.sha256 == digest]
        name = known[0] if known else _name_from_file(path)
    if not _NAME_PATTERN.match(name):
        raise ConfigError(f"model name {name!r} must be letters, digits, '.', '_' or '-' (at most 64)")
    expected = builtin.get(name)
    if expected is not None and expected.sha256 and expected.sha256 != digest:
        raise CheckpointError(f"{path} is not the published {name!r} checkpoint (sha256 {digest[:12]}... != "
                              f"{expected.sha256[:12]}...); choose another --name")
    if expected is not None and expected.layout and expected.layout != layout:
        raise CheckpointError(f"{path} is a {layout} checkpoint, but {name!r} is {expected.layout}; choose another --name")
    previous = user_models().get(name)
    if previous is not None and previous.path != path and not replace:
        raise ConfigError(f"a checkpoint is already added as {name!r} ({previous.path}); pass --replace to put "
                          f"{path} in its place, or choose another --name")
    registry_path = user_registry_path()
    data = _read_yaml(registry_path) if registry_path.exists() else {}
    data[name] = {"path": str(path), "layout": layout, "sha256": digest}
    _write_yaml_atomic(registry_path, data)
    logger.info("registered %s as %r in %s", path, name, registry_path)
    return ModelEntry(name=name, layout=layout, sha256=digest, path=path)


def remove_model(name: str) -> ModelEntry:
    """Forget a checkpoint the user added (the file itself is left where it is)."""
    registry_path = user_registry_path()
    entries = user_models()
    if name not in entries:
        added = ", ".join(sorted(entries)) or "none"
        raise InputNotFound(f"no added checkpoint is called {name!r} (added: {added}); see `livemorph models list`")
    data = _read_yaml(registry_path)
    data.pop(name, None)
    _write_yaml_atomic(registry_path, data)
    logger.info("removed %r from %s", name, registry_path)
    return entries[name]


def verify_models() -> list[tuple[ModelEntry, bool, str]]:
    """(entry, ok, status) for every checkpoint the user added: present, same sha256, loads."""
    from .checkpoints import build_generator, read_checkpoint_file

    results = []
    for entry in user_models().values():
        if entry.path is None or not entry.path.exists():
            results.append((entry, False, f"missing: {entry.path}"))
            continue
        digest = sha256_file(entry.path)
        if entry.sha256 and digest != entry.sha256:
            results.append((entry, False, "changed since it was added (sha256 differs); run `livemorph models add` again"))
            continue
        try:
            _, layout = build_generator(read_checkpoint_file(entry.path), source=str(entry.path))
        except CheckpointError as exc:
            results.append((entry, False, f"does not load: {exc}"))
            continue
        results.append((entry, True, f"ok ({layout})"))
    return results


def resolve_checkpoint(name_or_path: str | Path) -> Path:
    """A checkpoint file from a path or a registered name; clear errors for everything else."""
    candidate = Path(str(name_or_path)).expanduser()
    if candidate.exists():
        return candidate
    name = str(name_or_path)
    user = user_models()
    if name in user:
        path = user[name].path
        if path is None or not path.exists():
            raise CheckpointError(f"checkpoint {name!r} was registered at {path}, which no longer exists; "
                                  f"run `livemorph models add FILE --name {name} --replace`")
        return path
    builtin = builtin_models()
    if name in builtin:
        entry = builtin[name]
        raise CheckpointError(f"checkpoint {name!r} is not installed: download it from {entry.url} and run "
                              f"`livemorph models add FILE --name {name}`")
    raise InputNotFound(f"checkpoint {name!r} not found: not a file and not a registered name "
                        "(see `livemorph models list`)")


def _name_from_file(path: Path) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip("-.") or "checkpoint"
    return stem[:64]


def _read_yaml(path: Path) -> dict:
    return read_yaml_mapping(path, "model registry")


def _write_yaml_atomic(path: Path, data: dict) -> None:
    try:
        with atomic_write(path) as tmp:
            tmp.write_text(yaml.safe_dump(data, sort_keys=True), encoding="utf-8")
    except OSError as exc:
        raise OutputNotWritable(f"cannot write the model registry {path}: {exc.strerror or exc}") from exc
