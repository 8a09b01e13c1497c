"""Running the generator fast at batch 1: fp16, channels_last and CUDA graphs, checked against fp32.

Live use renders one 128x128 crop per frame. On a GPU the eager fp32 forward is dominated by
kernel launches and fp32 maths, so on CUDA livemorph tries, in order:
fp16 + channels_last + CUDA graph, then fp32 + channels_last + CUDA graph, then plain eager
fp32, and keeps the first whose composed output on the real portrait crop stays within
``tolerance`` grey levels (0-255) of plain eager fp32. The check runs once, on the real crop,
because fp16 error depends on the input. On CPU (and MPS) plain eager fp32 is used: fp16
convolutions are slow there and channels_last measured slower on CPU (see FACTS.md).
"""
from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Callable, Sequence

import torch

from .networks import GanimationGenerator

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunSettings:
    half: bool
    channels_last: bool
    cuda_graph: bool

    def describe(self) -> str:
        parts = ["fp16" if self.half else "fp32"]
        if self.channels_last:
            parts.append("channels_last")
        parts.append("CUDA graph" if self.cuda_graph else "eager")
        return " + ".join(parts)


PLAIN = RunSettings(half=False, channels_last=False, cuda_graph=False)


class GeneratorRunner:
    """``runner(image, aus) -> (color, attention)`` in float32 on the device, batch 1, fixed size.

    ``image`` is (1, 3, S, S) in [-1, 1], ``aus`` (1, 17) on the /5 scale. With a CUDA graph the
    returned tensors are copies, so they stay valid after the next call.
    """

    def __init__(self, generator: GanimationGenerator, device: torch.device, settings: RunSettings, image_size: int):
        self.device = torch.device(device)
        self.settings = settings
        self.image_size = int(image_size)
        self.dtype = torch.float16 if settings.half else torch.float32
        self.memory_format = torch.channels_last if settings.channels_last else torch.contiguous_format
        model = copy.deepcopy(generator) if (settings.half or settings.channels_last) else generator
        self.model = model.to(self.device, dtype=self.dtype, memory_format=self.memory_format).eval()
        self._graph = None
        self._static_in: tuple[torch.Tensor, torch.Tensor] | None = None
        self._static_out: tuple[torch.Tensor, torch.Tensor] | None = None
        if settings.cuda_graph:
            self._capture_graph()

    def __call__(self, image: torch.Tensor, aus: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        with torch.inference_mode():
            image = image.to(self.device, dtype=self.dtype, memory_format=self.memory_format)
            aus = aus.to(self.device, dtype=self.dtype)
            if self._graph is not None:
                self._static_in[0].copy_(image)
                self._static_in[1].copy_(aus)
                self._graph.replay()
                color, attention = self._static_out
                return color.float().clone(), attention.float().clone()
            color, attention = self.model(image, aus)
            return color.float(), attention.float()

    def warm_up(self, iterations: int = 2) -> None:
        """Run a few dummy frames so the first real frame does not pay for allocation/autotuning."""
        image = torch.zeros(1, 3, self.image_size, self.image_size, device=self.device)
        aus = torch.zeros(1, self.model.num_aus, device=self.device)
        for _ in range(iterations):
            self(image, aus)
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def _capture_graph(self) -> None:
        # The graph records fixed buffers: inputs are copied into _static_in, outputs read
        # from _static_out. Warm up on a side stream first, as CUDA graph capture requires.
        size = self.image_size
        with torch.inference_mode():
            image = torch.zeros(1, 3, size, size, device=self.device, dtype=self.dtype).contiguous(
                memory_format=self.memory_format)
            aus = torch.zeros(1, self.model.num_aus, device=self.device, dtype=self.dtype)
            side = torch.cuda.Stream(self.device)
            side.wait_stream(torch.cuda.current_stream(self.device))
            with torch.cuda.stream(side):
                for _ in range(3):
                    self.model(image, aus)
            torch.cuda.current_stream(self.device).wait_stream(side)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                outputs = self.model(image, aus)
        self._graph, self._static_in, self._static_out = graph, (image, aus), outputs


def composed_difference(image: torch.Tensor, reference: tuple[torch.Tensor, torch.Tensor],
                        candidate: tuple[torch.Tensor, torch.Tensor]) -> float:
    """Max absolute difference, in grey levels (0-255), between the two composed crops."""
    a = GanimationGenerator.compose(image.float(), *reference)
    b = GanimationGenerator.compose(image.float(), *candidate)
    return float((a - b).abs().max()) * 127.5


def pick_settings(candidates: Sequence[RunSettings], difference_of: Callable[[RunSettings], float],
                  tolerance: float) -> tuple[RunSettings, float]:
    """The first candidate whose difference from plain fp32 is within ``tolerance``; else PLAIN."""
    for settings in candidates:
        if settings == PLAIN:
            return PLAIN, 0.0
        difference = difference_of(settings)
        if difference <= tolerance:
            return settings, difference
        logger.info("%s differs from fp32 by %.2f grey levels (> %.2f): not used",
                    settings.describe(), difference, tolerance)
    return PLAIN, 0.0


def fast_candidates(device: torch.device, half: str | bool, cuda_graph: bool) -> list[RunSettings]:
    """Settings worth trying on ``device``, fastest first (config ``ganimation.half``/``cuda_graph``)."""
    if torch.device(device).type != "cuda":
        if half is True:
            logger.warning("ganimation.half=true ignored on %s: fp16 is only used on CUDA", device)
        return [PLAIN]
    fp32_fast = RunSettings(half=False, channels_last=True, cuda_graph=cuda_graph)
    if half is True:
        return [RunSettings(half=True, channels_last=True, cuda_graph=cuda_graph)]
    if half is False or str(half).lower() == "false":
        return [fp32_fast, PLAIN]
    return [RunSettings(half=True, channels_last=True, cuda_graph=cuda_graph), fp32_fast, PLAIN]


def choose_runner(generator: GanimationGenerator, device: torch.device, *, half: str | bool, cuda_graph: bool,
                  tolerance: float, probe_image: torch.Tensor, probe_aus: Sequence[torch.Tensor],
                  image_size: int) -> GeneratorRunner:
    """The fastest runner for ``device`` whose output on the probes stays within ``tolerance``.

    ``probe_image`` is the real portrait crop (1, 3, S, S) in [-1, 1]; ``probe_aus`` a few
    (1, 17) AU vectors on the /5 scale. A forced ``half=True`` skips the check but reports it.
    """
    device = torch.device(device)
    candidates = fast_candidates(device, half, cuda_graph)
    if candidates == [PLAIN]:
        return GeneratorRunner(generator, device, PLAIN, image_size)
    reference = GeneratorRunner(generator, device, PLAIN, image_size)
    image = probe_image.to(device)
    reference_out = [reference(image, aus.to(device)) for aus in probe_aus]
    runners: dict[RunSettings, GeneratorRunner] = {}

    def difference_of(settings: RunSettings) -> float:
        runner = _build_runner(generator, device, settings, image_size)
        runners[settings] = runner
        return max(composed_difference(image, ref, runner(image, aus.to(device)))
                   for ref, aus in zip(reference_out, probe_aus))

    if half is True:
        settings = candidates[0]
        difference = difference_of(settings)
        if difference > tolerance:
            logger.warning("fp16 forced (ganimation.half=true) although it differs from fp32 by %.2f grey levels",
                           difference)
        chosen = runners[settings]
    else:
        settings, difference = pick_settings(candidates, difference_of, tolerance)
        chosen = runners.get(settings) or reference
    logger.info("generator fast path on %s: %s (max %.2f grey levels from fp32)", device, chosen.settings.describe(),
                difference)
    return chosen


def _build_runner(generator, device, settings: RunSettings, image_size: int) -> GeneratorRunner:
    try:
        return GeneratorRunner(generator, device, settings, image_size)
    except RuntimeError as exc:  # graph capture unsupported by this driver/op set: same maths, eager
        if not settings.cuda_graph:
            raise
        logger.warning("CUDA graph capture failed (%s); running %s eagerly", str(exc).splitlines()[0],
                       settings.describe())
        eager = RunSettings(half=settings.half, channels_last=settings.channels_last, cuda_graph=False)
        return GeneratorRunner(generator, device, eager, image_size)
