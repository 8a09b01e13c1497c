"""Generator checkpoints: livemorph's own format (saving). Loading of every layout is added here too.

livemorph's own checkpoint is a plain dict saved with torch.save and loadable with
``torch.load(..., weights_only=True)``:
    format: "livemorph-generator", format_version: 1, au_order: list of the 17 AU names,
    image_size: int, normalisation: "[-1,1]", aus_scale: 5.0, conv_dim, repeat_num,
    norm_affine, conv_bias, state_dict (our module names), meta: dict of str/int/float.
"""
from __future__ import annotations

import os
from pathlib import Path

import torch

from .aus import AU_NAMES, AU_MAX
from .networks import GanimationGenerator

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
    tmp = path.with_name(path.name + ".partial")
    torch.save(payload, tmp)
    os.replace(tmp, path)
    return path
