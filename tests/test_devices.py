"""Device selection: automatic order CUDA > MPS > CPU, explicit names validated."""
from __future__ import annotations

import pytest
import torch

from livemorph import devices
from livemorph.devices import describe_device, select_device
from livemorph.errors import ConfigError


def _fake_hardware(monkeypatch, *, cuda: int, mps: bool):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda > 0)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: cuda)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    monkeypatch.setattr(devices, "_mps_available", lambda: mps)


@pytest.mark.parametrize(
    "cuda, mps, expected",
    [(1, True, "cuda"), (0, True, "mps"), (0, False, "cpu")],
)
def test_auto_prefers_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected):
    _fake_hardware(monkeypatch, cuda=cuda, mps=mps)
    assert select_device("auto").type == expected
    assert select_device(None).type == expected


def test_explicit_names(monkeypatch):
    _fake_hardware(monkeypatch, cuda=2, mps=False)
    assert select_device("cpu") == torch.device("cpu")
    assert select_device("CUDA:1") == torch.device("cuda", 1)
    assert select_device("cuda") == torch.device("cuda", 0)


@pytest.mark.parametrize("name, cuda, mps, match", [
    ("tpu", 0, False, "unknown device 'tpu'"),
    ("cuda", 0, False, "CUDA is not available"),
    ("cuda:3", 2, False, "has 2 CUDA device"),
    ("mps", 0, False, "MPS is not available"),
])
def test_bad_or_absent_devices_are_config_errors(monkeypatch, name, cuda, mps, match):
    _fake_hardware(monkeypatch, cuda=cuda, mps=mps)
    with pytest.raises(ConfigError, match=match):
        select_device(name)


def test_describe_cpu_is_one_line():
    text = describe_device("cpu")
    assert text.startswith("cpu (") and "\n" not in text and torch.__version__ in text
