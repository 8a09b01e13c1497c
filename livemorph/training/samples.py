"""Sample grids: what the generator does to a few fixed training faces, written as a PNG.

Each row: input | output for each target expression | attention mask for each target
(white = pixel kept from the input, dark = pixel painted by the generator).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..atomic import atomic_write
from ..engines.ganimation.networks import GanimationGenerator


@torch.no_grad()
def render_grid(generator: GanimationGenerator, images: torch.Tensor, targets: torch.Tensor) -> np.ndarray:
    """images (R,3,S,S) in [-1,1]; targets (T,17) on the /5 scale -> an RGB uint8 grid."""
    rows = []
    for image in images:
        batch = image.unsqueeze(0).expand(len(targets), -1, -1, -1)
        color, attention = generator(batch, targets.to(batch.dtype))
        outputs = GanimationGenerator.compose(batch, color, attention)
        tiles = [image] + list(outputs) + [a.expand(3, -1, -1) * 2 - 1 for a in attention]
        rows.append(torch.cat([t.float() for t in tiles], dim=2))
    grid = torch.cat(rows, dim=1)
    return ((grid.clamp(-1, 1) + 1) * 127.5).round().byte().permute(1, 2, 0).cpu().numpy()


def write_png(path: Path, image: np.ndarray) -> Path:
    """Atomic PNG write (temporary name in the same folder, then rename)."""
    from PIL import Image

    with atomic_write(path) as tmp:
        Image.fromarray(image).save(tmp, format="PNG")
    return path
