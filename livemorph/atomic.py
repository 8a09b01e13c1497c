"""Atomic writes: a file (or folder) appears under its name only when complete.

Everything is written under a hidden temporary name in the destination folder (``.NAME.partial``,
so the final rename never crosses file systems) and renamed onto NAME at the end; on failure the
temporary is deleted. One-shot writes use ``atomic_write``; writers that stay open (recorders, AU
tracks) use ``partial_path`` when they open and ``commit`` / ``discard`` when they finish.
The crash-safe live MP4 is the one exception: it is written in place so a killed process still
leaves a playable file (outputs/mp4.py). Files that must not take an existing name take the next
free one (``free_path``: NAME-2, -3 ...).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def free_path(base: Path, number: int = 1) -> Path:
    """``base`` (``number`` 1), or ``base``-2, -3 ... from ``number`` on: the first name no file has
    yet. A live recording is written in place from its start, so it never takes an existing name."""
    while numbered_path(base, number).exists():
        number += 1
    return numbered_path(base, number)


def numbered_path(base: Path, number: int) -> Path:
    return base if number == 1 else base.with_name(f"{base.stem}-{number}{base.suffix}")


def partial_path(path: str | Path) -> Path:
    """The hidden temporary name next to ``path``."""
    path = Path(path)
    return path.with_name(f".{path.name}.partial")


def commit(partial: Path, path: str | Path) -> None:
    """Rename the finished ``partial`` onto ``path`` (atomic on one file system)."""
    os.replace(partial, path)


def discard(partial: Path) -> None:
    """Delete a temporary file or folder; nothing to do if it is not there."""
    if partial.is_dir():
        shutil.rmtree(partial, ignore_errors=True)
    else:
        partial.unlink(missing_ok=True)


@contextmanager
def atomic_write(path: str | Path, *, folder: bool = False, unique: bool = False) -> Iterator[Path]:
    """Yield the temporary path to write; on a clean exit it becomes ``path``, on an error it is deleted.

    ``folder``: the temporary is a folder, created here. ``unique``: a fresh temporary name per call,
    for writers that may race (torchrun ranks building one cache); the loser's rename fails with OSError.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if unique:
        make = tempfile.mkdtemp if folder else tempfile.mkstemp
        made = make(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
        if not folder:
            os.close(made[0])
        partial = Path(made if folder else made[1])
    else:
        partial = partial_path(path)
        if folder:
            discard(partial)
            partial.mkdir()
    try:
        yield partial
        commit(partial, path)
    except BaseException:
        discard(partial)
        raise
