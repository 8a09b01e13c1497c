"""File outputs by kind and suffix: ``--out NAME`` picks its writer here.

A kind is a name (``mp4``), the suffixes that select it and a factory
``factory(path, fps, options) -> Sink`` (``options``: an ``OutputOptions``). The built-in kinds are
imported on first use, so `--help` never pays for PyAV or Pillow. A new output is one module with a
``create`` factory plus one ``register_output`` call (or one line in ``_BUILTIN``).
"""
from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..errors import ConfigError, OutputNotWritable
from ..atomic import partial_path
from .sink import Sink

FOLDER = "folder"  # an --out without a suffix (or ending in /): a folder of PNG frames


@dataclass(frozen=True)
class OutputOptions:
    """What a factory may use: the ``render`` section, and for live recordings the ``record`` one."""

    render: Any
    record: Any = None  # set: a live recording (MP4s are then crash-safe)
    x264_preset: str | None = None  # overrides render.x264_preset
    boomerang: bool | None = None  # overrides render.gif_boomerang


OutputFactory = Callable[[Path, float, OutputOptions], Sink]


@dataclass(frozen=True)
class OutputKind:
    name: str
    suffixes: tuple[str, ...]
    factory: OutputFactory | str  # a callable, or "module:attribute" imported on first use


_BUILTIN = (
    OutputKind("mp4", (".mp4", ".m4v", ".mov"), "livemorph.outputs.mp4:create"),
    OutputKind("gif", (".gif",), "livemorph.outputs.gif:create"),
    OutputKind("png", (".png",), "livemorph.outputs.png:create"),
    OutputKind(FOLDER, (), "livemorph.outputs.folder:create"),
)
_KINDS: dict[str, OutputKind] = {kind.name: kind for kind in _BUILTIN}


def register_output(name: str, suffixes: tuple[str, ...] | list[str], factory: OutputFactory) -> None:
    """Add (or replace) a file output kind; ``suffixes`` such as ``(".webm",)`` select it for --out."""
    _KINDS[name] = OutputKind(name, tuple(s.lower() for s in suffixes), factory)


def output_kind(path: str | Path) -> str:
    """The kind name for ``path`` by its suffix ('folder' for none); ConfigError for unknown suffixes."""
    text = str(path)
    p = Path(text)
    if text.endswith(("/", os.sep)) or p.suffix == "" or p.is_dir():
        return FOLDER
    for kind in _KINDS.values():
        if p.suffix.lower() in kind.suffixes:
            return kind.name
    raise ConfigError(f"unsupported output {p.name!r}: use {', '.join(k.suffixes[0] for k in _KINDS.values() if k.suffixes)} or a folder name")


def check_output_path(path: str | Path, *, inputs=()) -> None:
    """Refuse, before any work, an output that would overwrite an input or cannot be written.

    ``inputs``: (what, path) pairs, e.g. ("driver", "me.mp4"). Writability is tested by creating
    (and deleting) the hidden temporary file in the nearest existing folder, the only check
    that also holds for root and for special file systems such as /proc.
    """
    path = Path(path)
    for what, source in inputs:
        if same_file(path, Path(source)):
            raise ConfigError(f"--out {path} is your {what}; writing it would destroy it: choose another output name")
    if output_kind(path) == "folder" and path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise OutputNotWritable(f"{path} already exists and is not an empty folder; choose a new folder name")
    check_writable(path)


def check_writable(path: str | Path, flag: str = "--out") -> None:
    """OutputNotWritable, before any work, where ``path`` (given with ``flag``) cannot be written: its
    nearest existing folder is a file, or creating (and deleting) the hidden temporary file there
    fails -- the only check that also holds for root and special file systems such as /proc."""
    path = Path(path)
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise OutputNotWritable(f"cannot write {path}: {folder} is not a folder; choose another {flag}")
    probe = folder / (partial_path(path).name if folder == path.parent else f".{path.name}.probe")
    try:
        with open(probe, "xb"):
            pass
    except FileExistsError:
        pass  # a leftover temporary file of ours: the folder is writable, the recorder replaces it
    except OSError as exc:
        raise OutputNotWritable(f"cannot write {path}: {exc.strerror or exc}; choose another {flag}") from exc
    else:
        probe.unlink(missing_ok=True)


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one existing file (links followed)."""
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def open_recorder(path: str | Path, fps: float, render, *, x264_preset: str | None = None, record=None,
                  boomerang: bool | None = None) -> Sink:
    """The recorder for ``path`` by its suffix (not yet opened: use it in a ``with``).

    ``render`` is the ``render`` config section (crf, x264_preset, gif_*); ``x264_preset``
    overrides its preset. ``record`` (the ``record`` section) marks a live recording: MP4s are
    then crash-safe (fragmented, a keyframe every ``record.keyframe_seconds``).
    ``boomerang`` overrides ``render.gif_boomerang`` (GIFs only).
    """
    kind = _KINDS[output_kind(path)]
    factory = kind.factory
    if isinstance(factory, str):
        module_name, attr = factory.split(":")
        factory = getattr(importlib.import_module(module_name), attr)
    return factory(Path(path), fps, OutputOptions(render, record, x264_preset, boomerang))
