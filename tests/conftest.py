"""Shared test helpers: where the real assets live, and fixture factories.

Real faces and the MediaPipe model come from ../shared (override with LIVEMORPH_SHARED).
Outside CI a missing asset skips the test; under CI=true it fails, so CI can never pass by
silently skipping the tests that matter.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LIVEMORPH_SHARED", REPO_ROOT.parent / "shared")).resolve()
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# The tracker must find the model offline, from shared/, in every test. Only when that folder
# exists: $LIVEMORPH_MODELS naming a missing folder is an error (exit 6), not a "skip".
if (SHARED / "models").is_dir():
    os.environ.setdefault("LIVEMORPH_MODELS", str(SHARED / "models"))


def shared_path(relative: str) -> Path:
    """Path of a shared asset; skip (fail under CI) when it is missing."""
    path = SHARED / relative
    if not path.exists():
        message = f"shared asset missing: {path} (set LIVEMORPH_SHARED)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    shared_path("README.md")
    return SHARED


@pytest.fixture(scope="session")
def config():
    from livemorph.config import load_config

    return load_config()


def make_rgb(h: int = 64, w: int = 48, seed: int = 0) -> np.ndarray:
    """A random RGB uint8 image (for contract tests that need no real face)."""
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)
