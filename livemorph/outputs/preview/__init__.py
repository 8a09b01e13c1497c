"""The live preview window: drawing, HUD, hotkeys."""
