"""The one place that chooses a torch device: CUDA > Apple MPS > CPU unless the user names one.

torch is imported inside the functions: the warp engine on a machine without an NVIDIA driver
never needs it, and `resolve_device(..., torch_optional=True)` answers 'cpu' without it.
"""
from __future__ import annotations

import logging
import os
import re
import sys
from typing import TYPE_CHECKING

from .errors import ConfigError

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    import torch

_VALID = "auto, cpu, cuda, cuda:N, mps"


def resolve_device(setting: str | None, *, torch_optional: bool = False, local_rank: int | None = None,
                   auto_mps: bool = True, choose_with: str = "--device ") -> str:
    """``setting`` ('auto', 'cpu', 'cuda', 'cuda:N', 'mps') made concrete, e.g. 'cuda:0'.

    ``torch_optional``: the caller runs without torch on the CPU, so 'auto' on a machine without an
    NVIDIA driver is 'cpu' without the seconds-long torch import. ``local_rank``: under torchrun a
    bare 'cuda' (or 'auto' on a GPU) means this process's GPU. ``auto_mps=False``: 'auto' never picks
    Apple MPS (training, whose ops MPS does not all support). ``choose_with``: how the user picks
    another device, for the error's advice.
    """
    if torch_optional and (setting or "auto").strip().lower() == "auto" and not _nvidia_driver_present():
        return "cpu"
    device = select_device(setting, choose_with)
    if device.type == "mps" and not auto_mps and (setting or "auto").strip().lower() == "auto":
        return "cpu"
    if device.type == "cuda" and local_rank is not None and (setting or "auto").strip().lower() in ("auto", "cuda"):
        return f"cuda:{local_rank}"
    return str(device)


def _nvidia_driver_present() -> bool:
    return sys.platform == "win32" or os.path.exists("/proc/driver/nvidia/version")


def select_device(name: str | None = "auto", choose_with: str = "--device ") -> torch.device:
    """The device called ``name`` (config ``engine.device``); a ConfigError if unknown or absent here
    (its advice names ``choose_with``, the flag that picks another: "--device " or "--set train.device=")."""
    import torch

    name = (name or "auto").strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", torch.cuda.current_device())
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name == "cpu":
        return torch.device("cpu")
    match = re.fullmatch(r"cuda(?::(\d+))?", name)
    if match:
        if not torch.cuda.is_available():
            raise ConfigError(f"device {name!r} requested but CUDA is not available here; "
                              f"use {choose_with}auto or {choose_with}cpu")
        index = int(match.group(1) or 0)
        count = torch.cuda.device_count()
        if index >= count:
            raise ConfigError(f"device {name!r} does not exist: this machine has {count} CUDA device(s)")
        return torch.device("cuda", index)
    if name == "mps":
        if not _mps_available():
            raise ConfigError(f"device 'mps' requested but Apple MPS is not available here; "
                              f"use {choose_with}auto or {choose_with}cpu")
        return torch.device("mps")
    raise ConfigError(f"unknown device {name!r}; valid: {_VALID}")


def describe_device(device: torch.device | str | None = None) -> str:
    """One line naming the device and what matters about it, e.g. for `livemorph doctor`."""
    import torch

    device = select_device("auto") if device is None else torch.device(device)
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        props = torch.cuda.get_device_properties(index)
        return (f"cuda:{index} ({props.name}, {props.total_memory / 2**30:.0f} GiB, "
                f"compute {props.major}.{props.minor}, torch {torch.__version__}, CUDA {torch.version.cuda})")
    if device.type == "mps":
        return f"mps (Apple GPU, torch {torch.__version__})"
    return f"cpu ({torch.get_num_threads()} threads, torch {torch.__version__})"


def _mps_available() -> bool:
    import torch

    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())
