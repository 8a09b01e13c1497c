"""The engine protocol and registry.

``prepare(portrait_face)`` does all once-per-portrait work (crop, features, maps, masks);
``render(prepared, aus, mouth_hint=None)`` does only per-frame work and returns an RGB uint8 frame
of the portrait's full size. ``aus`` are the AUs to show on the portrait, already retargeted: the
portrait's resting AUs + strength x the user's change from neutral. They are not clipped and
may leave 0-5 (a smiling portrait driven by a smile); each engine bounds them as it can show
them (``livemorph.aus.fit_au_range`` for engines with a 0-5 input). ``mouth_hint`` is an optional
``livemorph.face.mouth_hint.MouthHint``: the driver's own open mouth interior when a driver
image showed one (never for AU tracks); an engine may paint with it or ignore it, and must
render from the AUs alone when it is None. Hints are cut from the driver only for an engine
that says it paints them (``paints_mouth_hints = True``, see ``paints_mouth_hints``): cutting
one costs ~0.3 ms a frame, and engines written against AUs alone never see one. Likewise an engine
with ``draws_winks = True`` is called with ``wink=`` (``livemorph.face.wink.wink_offsets``: each
side's AU offsets, (2, 17) the subject's right then left, for AU45, AU04, AU10 and AU12) when
the driver showed a face; AU45, AU04, AU10 and AU12 alone cannot say that one eye shuts and its
brow comes down and its upper lip rises, or that one mouth corner lifts. An engine with
``moves_gaze = True`` is called with ``gaze=`` (``livemorph.face.gaze``: (2,) eye widths across
and down from the driver's resting gaze) when the driver showed a face: no AU says where the eyes look. An engine may also offer
``response_caps(prepared) -> {AU index: largest factor}``: caps on the per-portrait response
curves (``runtime.response``) where drawing more would look wrong on this portrait, and
``at_neutral(prepared, aus) -> prepared``: the AUs the portrait shows while the user is neutral
(its resting AUs, relaxed: ``aus.relaxed_rest``), for an engine that draws some changes from there
rather than from the portrait's rest.

Engines register by name with a factory ``factory(config, device) -> Engine``. Built-in
factories are "module:attribute" strings imported on first use, so `--help` and the warp engine
never pay for torch. Each entry also says when ``engine.name=auto`` picks it (``auto_reason``,
tried in ``auto_rank`` order) and what it needs from the config (``check``): the CLI's choices
and the auto rule both come from here.
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Protocol, runtime_checkable

from ..errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)


@runtime_checkable
class Engine(Protocol):
    name: str

    def prepare(self, portrait: Any) -> Any:
        """Once per portrait: ``portrait`` is a ``livemorph.portrait.PortraitFace``."""

    def render(self, prepared: Any, aus: np.ndarray, mouth_hint: Any = None) -> np.ndarray:
        """Per frame: the portrait showing ``aus`` (17,), RGB uint8 at the portrait's size
        (``mouth_hint``: the driver's open mouth, optional, may be ignored)."""


EngineFactory = Callable[..., Engine]


def paints_mouth_hints(engine: Any) -> bool:
    """Whether ``engine`` paints the driver's mouth hint: its ``paints_mouth_hints``, False if it has none."""
    return bool(getattr(engine, "paints_mouth_hints", False))


def draws_winks(engine: Any) -> bool:
    """Whether ``engine`` draws the driver's wink: its ``draws_winks``, False if it has none."""
    return bool(getattr(engine, "draws_winks", False))


def moves_gaze(engine: Any) -> bool:
    """Whether ``engine`` moves the portrait's eyes where the driver looks: its ``moves_gaze``, False if it has none."""
    return bool(getattr(engine, "moves_gaze", False))


@dataclass(frozen=True)
class EngineEntry:
    name: str
    factory: EngineFactory | str  # a callable, or "module:attribute" imported on first use
    auto_reason: Callable[[Any], str | None] | None = None  # why auto picks it for this config; None: not picked
    auto_rank: int = 100  # auto tries engines from the lowest rank up
    check: Callable[[Any], None] | None = None  # raises ConfigError when the config cannot drive it
    torch_free_on_cpu: bool = False  # device 'auto' without an NVIDIA driver: 'cpu', without importing torch


def _ganimation_auto(config) -> str | None:
    return f"checkpoint {config.ganimation.checkpoint}" if config.ganimation.checkpoint else None


def _ganimation_check(config) -> None:
    if not config.ganimation.checkpoint:
        raise ConfigError("the ganimation engine needs a generator checkpoint: pass --checkpoint PATH "
                          "(see `livemorph models list` and the README), or use --engine warp")


def _warp_auto(config) -> str:
    return "no GANimation checkpoint configured; --checkpoint CKPT selects GANimation"


def _warp_check(config) -> None:
    """A checkpoint beside --engine warp is left unused: said once, as the user asked for both."""
    if config.ganimation.checkpoint:
        _announce(f"--checkpoint {config.ganimation.checkpoint} is not used: the warp engine needs no weights "
                  f"(--engine ganimation, or auto, uses it)", logging.WARNING)


_ENTRIES: dict[str, EngineEntry] = {
    entry.name: entry for entry in (
        EngineEntry("ganimation", "livemorph.engines.ganimation.engine:create",
                    auto_reason=_ganimation_auto, auto_rank=10, check=_ganimation_check),
        EngineEntry("warp", "livemorph.engines.warp:create", auto_reason=_warp_auto, auto_rank=90,
                    check=_warp_check, torch_free_on_cpu=True),
    )
}
_announced: set[str] = set()


def register_engine(name: str, factory: EngineFactory, *, auto_reason=None, auto_rank: int = 100,
                    check=None, torch_free_on_cpu: bool = False) -> None:
    """Add (or replace) an engine; it becomes a valid ``--engine`` / ``engine.name`` at once."""
    _ENTRIES[name] = EngineEntry(name, factory, auto_reason, auto_rank, check, torch_free_on_cpu)


def _announce(message: str, level: int) -> None:
    """Log ``message`` once per process (the engine is resolved more than once per command)."""
    if message not in _announced:
        _announced.add(message)
        log.log(level, message)


def available_engines() -> list[str]:
    return sorted(_ENTRIES)


def resolve_engine_name(config) -> str:
    """``engine.name``, or for ``auto`` the first engine (by rank) whose ``auto_reason`` applies.

    The automatic choice is logged once per process (info: the default is not a problem).
    """
    name = config.engine.name.strip().lower()
    if name == "auto":
        for entry in sorted(_ENTRIES.values(), key=lambda e: (e.auto_rank, e.name)):
            why = entry.auto_reason(config) if entry.auto_reason else None
            if why is not None:
                name = entry.name
                _announce(f"engine: {name} ({why})", logging.INFO)
                break
        else:
            raise ConfigError(f"no engine can run this config automatically; choose one of "
                              f"{', '.join(available_engines())}")
    elif name not in _ENTRIES:
        raise ConfigError(f"unknown engine {name!r}; valid: auto, {', '.join(available_engines())}")
    if _ENTRIES[name].check is not None:
        _ENTRIES[name].check(config)
    return name


def create_engine(name: str, config, device: str = "cpu") -> Engine:
    """Build the engine called ``name`` on ``device``; an unknown name is a ConfigError listing valid ones."""
    entry = _ENTRIES.get(name)
    if entry is None:
        raise ConfigError(f"unknown engine {name!r}; valid: {', '.join(available_engines())}")
    factory = entry.factory
    if isinstance(factory, str):
        module_name, attr = factory.split(":")
        factory = getattr(importlib.import_module(module_name), attr)
    return factory(config, device)


def engine_from_config(config, engine_name: str | None = None) -> tuple[str, Engine]:
    """(name, engine) for ``config``: ``engine_name`` or the configured/automatic one, on its device."""
    from ..devices import resolve_device

    name = engine_name or resolve_engine_name(config)
    device = resolve_device(config.engine.device, torch_optional=_ENTRIES[name].torch_free_on_cpu)
    return name, create_engine(name, config, device)
