"""livemorph: real-time expression puppeteering with facial Action Units."""
from __future__ import annotations

__version__ = "0.1.0"


def load_generator(path, device: str = "cpu"):
    """Load a GANimation generator from any supported checkpoint layout (see README)."""
    from .engines.ganimation.checkpoints import load_generator as _load

    return _load(path, device=device)


__all__ = ["__version__", "load_generator"]
