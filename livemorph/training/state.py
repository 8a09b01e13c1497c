"""Resumable training state: RNG snapshots and the atomic state file.

The state file holds only tensors and plain Python values so it loads with
``torch.load(weights_only=True)``; numpy's RNG state is converted to lists for that reason.
"""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import torch

from ..atomic import atomic_write
from ..errors import CheckpointError

STATE_FORMAT = "livemorph-train-state"
STATE_FORMAT_VERSION = 1


def capture_rng(trainer_generator: torch.Generator) -> dict:
    """Every RNG the training loop may touch: python, numpy, torch CPU, CUDA, the trainer's own."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state = {
        "python": random.getstate(),
        "numpy": [kind, keys.tolist(), int(pos), int(has_gauss), float(cached)],
        "torch": torch.get_rng_state(),
        "trainer": trainer_generator.get_state(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict, trainer_generator: torch.Generator) -> None:
    random.setstate(_as_tuple(state["python"]))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"])
    trainer_generator.set_state(state["trainer"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _as_tuple(value):
    # random.setstate wants the exact nested tuple structure getstate gave.
    if isinstance(value, list):
        return tuple(_as_tuple(v) for v in value)
    if isinstance(value, tuple):
        return tuple(_as_tuple(v) for v in value)
    return value


def save_state(path: Path, payload: dict) -> Path:
    """torch.save to a temporary name in the same folder, then rename: never a half-written state."""
    with atomic_write(path) as tmp:
        torch.save({"format": STATE_FORMAT, "format_version": STATE_FORMAT_VERSION, **payload}, tmp)
    return path


def require_state_file(path: Path) -> None:
    """CheckpointError where ``path`` holds no training state to resume (said before labelling too)."""
    if not path.is_file():
        raise CheckpointError(f"no training state at {path}; run without --resume to start a new run")


def load_state(path: Path) -> dict:
    require_state_file(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 -- random bytes raise anything in the unpickler (IndexError, KeyError...)
        # torch's own text runs to paragraphs (and advises loading untrusted pickles): not passed on
        raise CheckpointError(f"training state {path} is damaged or truncated ({type(exc).__name__}); resume from "
                              f"a copy of the run, or start a new --out") from exc
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        raise CheckpointError(f"{path} is not a livemorph training state")
    if state.get("format_version") != STATE_FORMAT_VERSION:
        raise CheckpointError(f"{path} has training-state version {state.get('format_version')}; "
                              f"this livemorph reads version {STATE_FORMAT_VERSION}")
    return state
