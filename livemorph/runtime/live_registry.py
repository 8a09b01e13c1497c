"""Live outputs by kind: what ``livemorph run`` feeds, opened from one table.

A kind is a name, what it is fed (``feed``), when it opens (``phase``) and a factory
``factory(request) -> output or None`` (None: this run does not want it, e.g. ``vcam.enabled``
is off). Feeds:

- ``window``: the preview window, run by the loop on the main thread (HighGUI wants it):
  ``show(frame, stats, controls, recording) -> key``, ``poll()``, ``closed_by_user()``, ``close()``;
- ``frames``: an ``OutputWorker`` given every rendered ``LiveFrame`` (the virtual camera);
- ``readings``: an ``OutputWorker`` given ``(index, time_s, reading)`` for every analysed frame
  (the AU track: rows are tiny and a track should miss none, rendered or not);
- ``takes``: what the record hotkey starts and stops (``recording.Recording``); each take is a
  ``frames`` worker.

Phases: ``first`` kinds open before the portrait is prepared (the window says "preparing"
meanwhile); ``ready`` kinds once the source is open (a recording takes the source's fps).
Built-in kinds are imported on first use. Adding a live output is one module with a worker and
a factory, plus one ``register_live_output`` call (or one line in ``_BUILTIN``).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable

FEEDS = ("window", "frames", "readings", "takes")
PHASES = ("first", "ready")


@dataclass(frozen=True)
class LiveRequest:
    """What a factory may use: the config (CLI flags folded in) and this run's output flags."""

    config: Any
    stats: Any  # the session's LiveStats
    window: bool  # the preview window is wanted (no --no-window)
    record: str | None = None  # --record PATH
    record_aus: str | None = None  # --record-aus PATH
    source_fps: float | None = None  # the opened source's fps (``ready`` phase only; None when unknown)

    @property
    def has_other_outputs(self) -> bool:
        """A window or a file is wanted besides the virtual camera (which may then be skipped)."""
        return bool(self.window or self.record or self.record_aus)


LiveFactory = Callable[[LiveRequest], Any]


@dataclass(frozen=True)
class LiveOutputKind:
    name: str
    feed: str
    phase: str
    factory: LiveFactory | str  # a callable, or "module:attribute" imported on first use


_BUILTIN = (
    LiveOutputKind("window", "window", "first", "livemorph.outputs.preview.window:create_live"),
    LiveOutputKind("vcam", "frames", "ready", "livemorph.runtime.live_outputs:create_vcam"),
    LiveOutputKind("aus", "readings", "ready", "livemorph.runtime.live_outputs:create_au_track"),
    LiveOutputKind("record", "takes", "ready", "livemorph.runtime.recording:create"),
)
_KINDS: dict[str, LiveOutputKind] = {kind.name: kind for kind in _BUILTIN}


def register_live_output(name: str, factory: LiveFactory, *, feed: str = "frames", phase: str = "ready") -> None:
    """Add (or replace) a live output kind; ``livemorph run`` opens it on every run from now on."""
    if feed not in FEEDS:
        raise ValueError(f"live output {name!r}: feed must be one of {', '.join(FEEDS)}, got {feed!r}")
    if phase not in PHASES:
        raise ValueError(f"live output {name!r}: phase must be one of {', '.join(PHASES)}, got {phase!r}")
    if feed in ("window", "takes") and any(k.feed == feed and k.name != name for k in _KINDS.values()):
        raise ValueError(f"live output {name!r}: there is already a {feed!r} output; replace it by its name")
    _KINDS[name] = LiveOutputKind(name, feed, phase, factory)


def unregister_live_output(name: str) -> None:
    _KINDS.pop(name, None)


def live_output_kinds() -> list[str]:
    return list(_KINDS)


@dataclass
class LiveOutputs:
    """The outputs one run opened, by feed."""

    window: Any = None
    frames: list = field(default_factory=list)
    readings: list = field(default_factory=list)
    takes: Any = None

    def open(self, request: LiveRequest, phase: str) -> None:
        """Open every kind of ``phase`` in registration order; what opened before a failure stays
        here for ``abort``."""
        for kind in list(_KINDS.values()):
            if kind.phase != phase:
                continue
            output = _factory(kind)(request)
            if output is None:
                continue
            if kind.feed in ("frames", "readings"):
                getattr(self, kind.feed).append(output)
            else:
                setattr(self, kind.feed, output)

    def abort(self) -> None:
        """The loop never ran: close what was opened (no partial file is left)."""
        for output in self.frames + self.readings:
            output._abort()
        if self.window is not None:
            self.window.close()


def _factory(kind: LiveOutputKind) -> LiveFactory:
    if isinstance(kind.factory, str):
        module_name, attr = kind.factory.split(":")
        return getattr(importlib.import_module(module_name), attr)
    return kind.factory
