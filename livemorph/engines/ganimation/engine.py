"""The GANimation engine: the published generator re-renders the portrait's face crop.

``prepare`` (once per portrait, cached per image): the tight GANimation crop box, the 128px
network input on the device, the crop's full-resolution pixels and feather mask on the
device, and (first portrait on CUDA only) the choice of fp16/CUDA-graph fast path, checked
against fp32 on this real crop. ``render`` (per frame): AUs /5 -> generator -> colour map
and attention upsampled to the crop's native size and blended against the full-resolution
pixels (``compositing``) -> pasted into a copy of the portrait. Output = portrait size.
"""
from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import torch

from ...aus import AU_MAX, NUM_AUS, as_au_vector, fit_au_range
from .checkpoints import load_generator
from .compositing import blend_generated_torch, box_overlap, feather_mask
from ...devices import select_device
from ...errors import ConfigError, NoFaceInPortrait
from .face_crop import crop_region, extract_crop, upright_crop_box
from ...face.upright import quarter_turns_to_upright
from ...frames import check_rgb_uint8
from .runtime import PLAIN, GeneratorRunner, choose_runner
from .networks import GanimationGenerator

logger = logging.getLogger(__name__)

_PREPARED_CACHE_SIZE = 8  # portraits kept prepared per engine (switching back is instant)


@dataclass(frozen=True)
class GanimationPrepared:
    """Everything per portrait; ``render`` only reads it."""

    portrait: np.ndarray  # (H, W, 3) RGB uint8, full resolution (read-only view)
    source: str
    resting_aus: np.ndarray  # (17,) the portrait's own AUs
    box: tuple[int, int, int, int]  # square crop box in portrait pixels (may leave the image)
    crop: np.ndarray  # (S, S, 3) uint8 network input crop (S = generator image size)
    network_input: torch.Tensor  # (1, 3, S, S) float32 in [-1, 1] on the device
    region: torch.Tensor  # (1, 3, B, B) float32 0..255: the box's full-res pixels, edge-padded
    mask: torch.Tensor  # (1, 1, B, B) float32 feather weights
    image_slices: tuple[slice, slice]  # where the box overlaps the portrait ...
    crop_slices: tuple[slice, slice]  # ... and the same pixels inside the box
    turns: int = 0  # np.rot90 quarter turns that stand the face upright (face.upright); the crop is turned by them


class GanimationEngine:
    name = "ganimation"
    paints_mouth_hints = False  # engines.base: the generator draws its own mouth from the AUs

    def __init__(self, generator: GanimationGenerator, device: torch.device | str = "cpu", *,
                 half: str | bool = "auto", half_tolerance: float = 4.0, cuda_graph: bool = True,
                 feather: float = 0.12, crop_scale: float = 1.0, warm_up: bool = True):
        self.device = torch.device(device)
        self.generator = generator.eval()
        self.image_size = int(getattr(generator, "image_size", 128))
        self.half = half
        self.half_tolerance = float(half_tolerance)
        self.cuda_graph = bool(cuda_graph)
        self.feather = float(feather)
        self.crop_scale = float(crop_scale)
        # Plain fp32 until a real crop is available to validate the CUDA fast path on.
        self.runner = GeneratorRunner(self.generator, self.device, PLAIN, self.image_size)
        self._fast_path_checked = self.device.type != "cuda"
        self._prepared: OrderedDict[str, GanimationPrepared] = OrderedDict()
        if warm_up:
            self.runner.warm_up(iterations=2 if self.device.type == "cuda" else 1)

    def describe(self) -> str:
        """One line for logs and the HUD, e.g. 'ganimation on cuda:0 (fp16 + channels_last + CUDA graph)'."""
        return f"ganimation on {self.device} ({self.runner.settings.describe()})"

    # --------------------------------------------------------------------------------------
    def prepare(self, portrait) -> GanimationPrepared:
        """Once per portrait (a ``livemorph.portrait.PortraitFace``); cached per image and face."""
        image = portrait.image
        check_rgb_uint8(image, "portrait")
        if not portrait.track.present:
            raise NoFaceInPortrait(f"no face found in {portrait.source}; use a photo where one face is clearly visible")
        key = _portrait_key(image, portrait.track.landmarks)
        cached = self._prepared.get(key)
        if cached is not None:
            self._prepared.move_to_end(key)
            return cached
        prepared = self._prepare(portrait)
        self._prepared[key] = prepared
        while len(self._prepared) > _PREPARED_CACHE_SIZE:
            self._prepared.popitem(last=False)
        if not self._fast_path_checked:
            self._choose_fast_path(prepared)
        return prepared

    def render(self, prepared: GanimationPrepared, aus: np.ndarray, mouth_hint=None) -> np.ndarray:
        """The portrait showing ``aus`` (17,) retargeted AUs (squeezed into 0-5); RGB uint8, portrait size.
        ``mouth_hint`` (the driver's mouth) is ignored: the generator draws its own from the AUs."""
        aus = fit_au_range(as_au_vector(aus, clip=False)) / AU_MAX
        aus_t = torch.from_numpy(aus).view(1, NUM_AUS)
        color, attention = self.runner(prepared.network_input, aus_t)
        with torch.inference_mode():
            if prepared.turns:  # the generator drew the face upright: turned back to the portrait's way
                color, attention = (torch.rot90(t, -prepared.turns, dims=(2, 3)) for t in (color, attention))
            crop = blend_generated_torch(prepared.region, color, attention, prepared.mask)
            crop = crop.cpu().numpy()
        frame = prepared.portrait.copy()
        frame[prepared.image_slices] = crop[prepared.crop_slices]
        return frame

    def render_crop(self, prepared: GanimationPrepared, aus: np.ndarray) -> np.ndarray:
        """The generator's own 128px composite (for debugging and tests), RGB uint8."""
        aus_t = torch.from_numpy(fit_au_range(as_au_vector(aus, clip=False)) / AU_MAX).view(1, NUM_AUS)
        color, attention = self.runner(prepared.network_input, aus_t)
        with torch.inference_mode():
            out = GanimationGenerator.compose(prepared.network_input.float(), color, attention)
            out = ((out[0].permute(1, 2, 0) + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)
        return out.cpu().numpy()

    # --------------------------------------------------------------------------------------
    def _prepare(self, portrait) -> GanimationPrepared:
        image = portrait.image
        turns = quarter_turns_to_upright(portrait.track.landmarks)
        box = upright_crop_box(portrait.track, image.shape, self.crop_scale, turns)
        crop = np.ascontiguousarray(np.rot90(extract_crop(image, box, self.image_size), turns))
        region = crop_region(image, box)
        image_slices, crop_slices = box_overlap(box, image.shape)
        mask = feather_mask(box, image.shape, self.feather)
        frozen = image.view()
        frozen.flags.writeable = False
        return GanimationPrepared(
            portrait=frozen,
            source=str(portrait.source),
            resting_aus=np.asarray(portrait.resting_aus, np.float32).copy(),
            box=tuple(int(v) for v in box),
            crop=crop,
            network_input=_to_device_image(crop, self.device) / 127.5 - 1.0,
            region=_to_device_image(region, self.device),
            mask=torch.from_numpy(mask)[None, None].to(self.device),
            image_slices=image_slices,
            crop_slices=crop_slices,
            turns=turns,
        )

    def _choose_fast_path(self, prepared: GanimationPrepared) -> None:
        # Probe with the portrait at rest, a strong expression and a mixed one: fp16 error
        # grows with activations, so a single neutral probe could pass and mislead.
        probes = [
            torch.from_numpy(v.astype(np.float32) / AU_MAX).view(1, NUM_AUS)
            for v in (prepared.resting_aus, np.full(NUM_AUS, 3.0), np.linspace(0, AU_MAX, NUM_AUS))
        ]
        self.runner = choose_runner(
            self.generator, self.device, half=self.half, cuda_graph=self.cuda_graph,
            tolerance=self.half_tolerance, probe_image=prepared.network_input, probe_aus=probes,
            image_size=self.image_size,
        )
        self.runner.warm_up(iterations=2)
        self._fast_path_checked = True


def create(config, device: str | torch.device | None = None) -> GanimationEngine:
    """Factory used by ``create_engine("ganimation", config, device)``."""
    from .model_registry import resolve_checkpoint

    section = config.ganimation
    if not section.checkpoint:
        raise ConfigError("the ganimation engine needs a generator checkpoint: pass --checkpoint PATH or set "
                          "ganimation.checkpoint (see `livemorph models list`)")
    half = section.half  # "auto" or a bool: the config schema allows nothing else
    torch_device = device if isinstance(device, torch.device) else select_device(device or config.engine.device)
    path = resolve_checkpoint(section.checkpoint)
    generator = load_generator(path, device="cpu")
    return GanimationEngine(
        generator, torch_device, half=half, half_tolerance=section.half_tolerance,
        cuda_graph=section.cuda_graph, feather=section.feather, crop_scale=config.portrait.crop_scale,
    )


def _to_device_image(image: np.ndarray, device: torch.device) -> torch.Tensor:
    """(H, W, 3) uint8 -> (1, 3, H, W) float32 0..255 on ``device``."""
    return torch.from_numpy(np.ascontiguousarray(image)).to(device).permute(2, 0, 1)[None].float().contiguous()


def _portrait_key(image: np.ndarray, landmarks: np.ndarray) -> str:
    digest = hashlib.sha1(np.ascontiguousarray(image).data)
    digest.update(np.ascontiguousarray(landmarks, dtype=np.float32).data)
    return digest.hexdigest()
