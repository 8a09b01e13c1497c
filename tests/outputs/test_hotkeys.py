"""Key codes as OpenCV's waitKeyEx reports them: only the documented keys act.

Codes are the ones HighGUI passes through: GTK and Qt-on-X11 give X keysyms (Left 0xFF51,
Up 0xFF52, Right 0xFF53, Home 0xFF50) with the modifier state shifted above bit 16; Windows
gives special keys as the virtual-key code << 16 (Left = 0x25 << 16).
"""
import pytest

from livemorph.outputs.preview.hotkeys import action_for_key

GTK_LOCK = 0x2 << 16  # Caps Lock in the GTK modifier state
GTK_NUMLOCK = 0x10 << 16


@pytest.mark.parametrize("name, code", [
    ("Left (X11)", 0xFF51),    # low byte 'Q': used to quit
    ("Up (X11)", 0xFF52),      # low byte 'R': used to toggle recording
    ("Right (X11)", 0xFF53),   # low byte 'S': used to switch the layout
    ("Home (X11)", 0xFF50),    # low byte 'P': used to switch the portrait
    ("Down (X11)", 0xFF54),
    ("F1 (X11)", 0xFFBE),
    ("Left (Windows)", 0x25 << 16),
    ("Left with Num Lock (X11)", 0xFF51 | GTK_NUMLOCK),
])
def test_arrows_home_and_function_keys_do_nothing(name, code):
    assert action_for_key(code) is None, name


@pytest.mark.parametrize("code, action", [
    (ord("q"), "quit"),
    (ord("Q"), "quit"),                       # Qt reports letters upper-case
    (ord("q") | GTK_NUMLOCK, "quit"),         # Num Lock on
    (ord("Q") | GTK_LOCK, "quit"),            # Caps Lock on
    (27, "quit"),
    (ord("r"), "toggle_record"),
    (ord("s"), "toggle_layout"),
    (ord("p"), "previous_target"),
    (32, "toggle_pause"),
])
def test_documented_keys_still_act(code, action):
    assert action_for_key(code) == action
