"""The live window's key map, kept as data so the README table and the `h` overlay agree.

``HOTKEYS`` is the single source of truth; ``action_for_key`` turns an OpenCV ``waitKeyEx``
code into an action name, ``markdown_table`` renders the README table and ``help_lines``
the on-screen help.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hotkey:
    action: str          # what live.py does: one of ACTIONS
    keys: tuple[str, ...]  # key labels as shown to the user
    description: str


# Key labels are single characters, or one of the names in _NAMED_KEYS.
HOTKEYS: tuple[Hotkey, ...] = (
    Hotkey("recalibrate", ("c",), "set your neutral face now: hold your resting face for half a second (kept until the next c)"),
    Hotkey("next_target", ("n",), "next portrait (several --target)"),
    Hotkey("previous_target", ("p",), "previous portrait"),
    Hotkey("strength_up", ("+", "="), "stronger expression (window.strength_step)"),
    Hotkey("strength_down", ("-", "_"), "weaker expression"),
    Hotkey("toggle_record", ("r",), "start / stop recording (to --record, else window.record_dir)"),
    Hotkey("toggle_hud", ("d",), "HUD on / off (fps, stage ms, AU bars)"),
    Hotkey("toggle_layout", ("s",), "portrait only / side by side (you | portrait)"),
    Hotkey("toggle_mirror", ("m",), "mirror your own panel"),
    Hotkey("toggle_pause", ("space",), "pause / resume the output"),
    Hotkey("toggle_help", ("h",), "show / hide this help"),
    Hotkey("quit", ("q", "Esc"), "quit (recordings are finalised)"),
)

ACTIONS = tuple(h.action for h in HOTKEYS)

_NAMED_KEYS = {"space": 32, "Esc": 27}


def _code(label: str) -> int:
    return _NAMED_KEYS[label] if label in _NAMED_KEYS else ord(label)


_ACTION_BY_CODE = {_code(label): h.action for h in HOTKEYS for label in h.keys}


def action_for_key(code: int) -> str | None:
    """The action bound to an OpenCV ``waitKeyEx`` code, or None.

    -1 means no key. Letters match in either case (Caps Lock must not break quitting). Only
    character keys act: arrows, Home, F-keys and keypad keys are ignored, never aliased to a
    letter by their low byte (GTK's Left is 0xFF51, whose low byte is 'Q').
    """
    if code is None or code < 0:
        return None
    key = code & 0xFFFF  # GTK puts the modifier state (Shift, Caps Lock, Num Lock) above bit 16
    if key == 0 or key > 0xFF:  # Windows special keys are VK << 16; GTK keysyms of non-characters are > 0xFF
        return None
    if key in _ACTION_BY_CODE:
        return _ACTION_BY_CODE[key]
    char = chr(key)
    return _ACTION_BY_CODE.get(ord(char.lower())) if char.isalpha() else None


def help_lines() -> list[str]:
    """One line per hotkey for the on-screen help overlay."""
    width = max(len(" / ".join(h.keys)) for h in HOTKEYS)
    return [f"{' / '.join(h.keys):<{width}}  {h.description}" for h in HOTKEYS]


def markdown_table() -> str:
    """The hotkeys as a Markdown table (README / docs/live.md)."""
    rows = ["| key | what it does |", "|---|---|"]
    for h in HOTKEYS:
        keys = ", ".join(f"`{k}`" for k in h.keys)
        description = h.description.replace("|", r"\|")  # a bare | would split the table cell
        rows.append(f"| {keys} | {description} |")
    return "\n".join(rows)
