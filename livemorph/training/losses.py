"""The GANimation objective (Pumarola et al. 2018) as separate, testable terms.

Conventions: images in [-1, 1]; AUs on the generator's /5 scale; attention A = 1 keeps the
input pixel (``GanimationGenerator.compose``). Every weight comes from ``config.train``.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class LossWeights:
    adversarial: float
    gradient_penalty: float
    au: float
    au_per_image: bool
    cycle: float
    attention: float
    tv: float

    @classmethod
    def from_config(cls, train_config) -> "LossWeights":
        return cls(
            adversarial=train_config.lambda_adversarial,
            gradient_penalty=train_config.lambda_gp,
            au=train_config.lambda_au,
            au_per_image=train_config.au_loss_per_image,
            cycle=train_config.lambda_cycle,
            attention=train_config.lambda_attention,
            tv=train_config.lambda_tv,
        )


def wasserstein_critic(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """Critic side of WGAN: push real scores up and fake scores down."""
    return fake_scores.float().mean() - real_scores.float().mean()


def wasserstein_generator(fake_scores: torch.Tensor) -> torch.Tensor:
    return -fake_scores.float().mean()


def gradient_penalty(scores: torch.Tensor, interpolated: torch.Tensor) -> torch.Tensor:
    """WGAN-GP: (||d score / d x||_2 - 1)^2 at points between real and fake images.

    ``scores`` must come from a critic forward on ``interpolated`` (which requires grad);
    create_graph keeps the penalty differentiable w.r.t. the critic's weights. Give it fp32
    scores (the trainer runs this forward outside autocast): in fp16 the double backward overflows.
    """
    (grad,) = torch.autograd.grad(scores.float().sum(), interpolated, create_graph=True)
    norms = grad.flatten(1).norm(2, dim=1)
    return ((norms - 1.0) ** 2).mean()


def au_regression(predicted: torch.Tensor, target: torch.Tensor, *, per_image: bool) -> torch.Tensor:
    """Mean squared AU error; ``per_image`` adds the official code's extra 1/batch factor."""
    loss = F.mse_loss(predicted.float(), target.float())
    return loss / predicted.shape[0] if per_image else loss


def cycle(reconstructed: torch.Tensor, original: torch.Tensor) -> torch.Tensor:
    return F.l1_loss(reconstructed.float(), original.float())


def attention_mean(attention: torch.Tensor) -> torch.Tensor:
    """Penalises A (A = 1 keeps the input), so the mask cannot saturate to 'change nothing'."""
    return attention.float().mean()


def total_variation(attention: torch.Tensor) -> torch.Tensor:
    """Summed absolute neighbour differences of a (N,1,H,W) mask (a sum, as the official
    code takes it, hence the tiny default weight)."""
    a = attention.float()
    dh = (a[:, :, 1:, :] - a[:, :, :-1, :]).abs()
    dw = (a[:, :, :, 1:] - a[:, :, :, :-1]).abs()
    return dh.sum() + dw.sum()
