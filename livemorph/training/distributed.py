"""Process-group plumbing for torchrun: one process per GPU, env:// rendezvous, rank 0 talks.

Without torchrun (WORLD_SIZE unset or 1) everything here is a no-op and training runs in
this one process.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from ..errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DistContext:
    rank: int
    local_rank: int
    world_size: int

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def barrier(self) -> None:
        if self.enabled:
            dist.barrier()

    def all_gather_object(self, obj) -> list:
        if not self.enabled:
            return [obj]
        out: list = [None] * self.world_size
        dist.all_gather_object(out, obj)
        return out


SINGLE = DistContext(rank=0, local_rank=0, world_size=1)


def init_distributed(device_setting: str) -> DistContext:
    """Join the torchrun process group when launched by torchrun, else return SINGLE."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return SINGLE
    rank = int(os.environ["RANK"])
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if dist.is_initialized():
        return DistContext(rank, local_rank, world_size)
    use_nccl = torch.cuda.is_available() and device_setting != "cpu"
    if use_nccl:
        torch.cuda.set_device(local_rank)
    dist.init_process_group(backend="nccl" if use_nccl else "gloo", init_method="env://")
    log.info("joined process group: rank %d of %d (%s)", rank, world_size, dist.get_backend())
    return DistContext(rank, local_rank, world_size)


def shutdown_distributed(ctx: DistContext) -> None:
    if ctx.enabled and dist.is_initialized():
        dist.destroy_process_group()


def resolve_device(device_setting: str, ctx: DistContext) -> torch.device:
    """'auto' -> this process's GPU when there is one (never MPS); under torchrun cuda means cuda:LOCAL_RANK."""
    from ..devices import resolve_device as choose

    try:
        return torch.device(choose(device_setting, auto_mps=False, local_rank=ctx.local_rank if ctx.enabled else None,
                                   choose_with="--set train.device="))
    except ConfigError as exc:
        raise ConfigError(f"train.device: {exc}") from exc
