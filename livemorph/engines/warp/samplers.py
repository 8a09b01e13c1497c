"""Sampling the portrait through the warp engine's backward map: OpenCV on the CPU, torch on CUDA."""
from __future__ import annotations

import cv2
import numpy as np

from . import raster

class RemapSampler:
    """CPU: cv2.remap of the full-res portrait inside the region. Past the picture's edge it repeats
    the edge's pixels, or (``mirrored``: a bottom edge left open under the chin, which a rising chin
    pulls up past it) mirrors the picture there: repeated, the edge row hung down as streaks."""

    def __init__(self, image: np.ndarray, mirrored: bool = False):
        self.image = image
        self.border = cv2.BORDER_REFLECT if mirrored else cv2.BORDER_REPLICATE

    def warp(self, map_xy: np.ndarray, region: tuple[int, int, int, int]) -> np.ndarray:
        x0, y0, x1, y1 = region
        out = self.image.copy()
        # Written straight into the frame's region (no temporary patch to copy in) ...
        patch = out[y0:y1, x0:x1]
        written = cv2.remap(self.image, map_xy, None, raster.SAMPLING, patch, self.border)
        if not np.may_share_memory(written, patch):  # ... unless cv2 made an array of its own
            patch[:] = written
        return out


class TorchSampler:
    """CUDA: torch grid_sample of the portrait kept on the device."""

    def __init__(self, image: np.ndarray, device: str, mirrored: bool = False):
        import torch

        self.torch = torch
        self.padding = "reflection" if mirrored else "border"  # as the CPU's (align_corners=False: BORDER_REFLECT)
        self.device = torch.device(device)
        self.image = image
        self.height, self.width = image.shape[:2]
        self.tensor = torch.from_numpy(image).to(self.device).permute(2, 0, 1)[None].float()

    def warp(self, map_xy: np.ndarray, region: tuple[int, int, int, int]) -> np.ndarray:
        torch = self.torch
        x0, y0, x1, y1 = region
        grid = torch.from_numpy(map_xy).to(self.device)
        # Pixel coordinates -> [-1, 1] with align_corners=False (pixel centres at (i + 0.5) / n).
        grid = torch.stack([(grid[..., 0] + 0.5) / self.width * 2 - 1,
                            (grid[..., 1] + 0.5) / self.height * 2 - 1], dim=-1)[None]
        # Bicubic as on the CPU (raster.SAMPLING); torch's kernel is OpenCV's (a = -0.75).
        patch = torch.nn.functional.grid_sample(self.tensor, grid, mode="bicubic",
                                                padding_mode=self.padding, align_corners=False)
        patch = patch[0].permute(1, 2, 0).round_().clamp_(0, 255).to(torch.uint8).cpu().numpy()
        out = self.image.copy()
        out[y0:y1, x0:x1] = patch
        return out


def make_sampler(image: np.ndarray, device: str, mirrored: bool = False):
    if str(device).startswith("cuda"):
        return TorchSampler(image, device, mirrored)
    return RemapSampler(image, mirrored)
