"""GANimation networks (Pumarola et al., ECCV 2018), shared by the engine and the trainer.

Generator: RGB (3) + 17 AUs tiled over the image -> colour map C (tanh) and attention A
(sigmoid). The rendered image is A * input + (1 - A) * C: A = 1 keeps the source pixel.
The two norm/bias switches exist because the published checkpoints differ: the official
code uses affine InstanceNorm and bias-free convolutions, ganimation_replicate uses
non-affine InstanceNorm and convolutions with bias. Module names here are livemorph's own;
``checkpoints.py`` renames other layouts onto them.
"""
from __future__ import annotations

import torch
from torch import nn

from ...aus import NUM_AUS


def _norm(channels: int, affine: bool) -> nn.InstanceNorm2d:
    # Never track running stats: at inference InstanceNorm must use the per-image statistics.
    return nn.InstanceNorm2d(channels, affine=affine, track_running_stats=False)


class ResidualBlock(nn.Module):
    """Conv3x3 -> IN -> ReLU -> Conv3x3 -> IN, plus the identity skip."""

    def __init__(self, dim: int, *, norm_affine: bool, conv_bias: bool):
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(dim, dim, 3, 1, 1, bias=conv_bias),
            _norm(dim, norm_affine),
            nn.ReLU(inplace=True),
            nn.Conv2d(dim, dim, 3, 1, 1, bias=conv_bias),
            _norm(dim, norm_affine),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


class GanimationGenerator(nn.Module):
    """forward(image (N,3,H,W) in [-1,1], aus (N,17) on the /5 scale) -> (color, attention)."""

    def __init__(
        self,
        conv_dim: int = 64,
        num_aus: int = NUM_AUS,
        repeat_num: int = 6,
        *,
        norm_affine: bool = True,
        conv_bias: bool = False,
    ):
        super().__init__()
        self.conv_dim = conv_dim
        self.num_aus = num_aus
        self.repeat_num = repeat_num
        self.norm_affine = norm_affine
        self.conv_bias = conv_bias

        layers: list[nn.Module] = [
            nn.Conv2d(3 + num_aus, conv_dim, 7, 1, 3, bias=conv_bias),
            _norm(conv_dim, norm_affine),
            nn.ReLU(inplace=True),
        ]
        dim = conv_dim
        for _ in range(2):  # down-sampling
            layers += [
                nn.Conv2d(dim, dim * 2, 4, 2, 1, bias=conv_bias),
                _norm(dim * 2, norm_affine),
                nn.ReLU(inplace=True),
            ]
            dim *= 2
        for _ in range(repeat_num):  # bottleneck
            layers.append(ResidualBlock(dim, norm_affine=norm_affine, conv_bias=conv_bias))
        for _ in range(2):  # up-sampling
            layers += [
                nn.ConvTranspose2d(dim, dim // 2, 4, 2, 1, bias=conv_bias),
                _norm(dim // 2, norm_affine),
                nn.ReLU(inplace=True),
            ]
            dim //= 2
        self.trunk = nn.Sequential(*layers)
        # Heads have no bias in every published layout.
        self.color_head = nn.Sequential(nn.Conv2d(dim, 3, 7, 1, 3, bias=False), nn.Tanh())
        self.attention_head = nn.Sequential(nn.Conv2d(dim, 1, 7, 1, 3, bias=False), nn.Sigmoid())

    def forward(self, image: torch.Tensor, aus: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        n, _, h, w = image.shape
        tiled = aus.to(image.dtype).view(n, -1, 1, 1).expand(n, aus.shape[1], h, w)
        features = self.trunk(torch.cat([image, tiled], dim=1))
        return self.color_head(features), self.attention_head(features)

    @staticmethod
    def compose(image: torch.Tensor, color: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        """The rendered image: attention keeps the source, (1 - attention) takes the colour map."""
        return attention * image + (1.0 - attention) * color


class GanimationCritic(nn.Module):
    """PatchGAN critic with a real/fake map head and an AU-regression head (WGAN-GP, no norm)."""

    def __init__(self, image_size: int = 128, conv_dim: int = 64, num_aus: int = NUM_AUS, repeat_num: int = 6):
        super().__init__()
        if image_size % (2 ** repeat_num):
            raise ValueError(f"image_size {image_size} must be divisible by 2**{repeat_num}")
        layers: list[nn.Module] = [nn.Conv2d(3, conv_dim, 4, 2, 1), nn.LeakyReLU(0.01)]
        dim = conv_dim
        for _ in range(1, repeat_num):
            layers += [nn.Conv2d(dim, dim * 2, 4, 2, 1), nn.LeakyReLU(0.01)]
            dim *= 2
        self.trunk = nn.Sequential(*layers)
        self.realness_head = nn.Conv2d(dim, 1, 3, 1, 1, bias=False)
        self.au_head = nn.Conv2d(dim, num_aus, image_size // 2 ** repeat_num, bias=False)

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.trunk(image)
        return self.realness_head(h), self.au_head(h).flatten(1)
