"""Frame-rate conversion that keeps a clip's duration (``render --fps``).

Output frame j (at time j / out_fps) shows the driver frame on screen at that moment, frame
floor(j * source_fps / out_fps): a higher rate repeats driver frames, a lower one skips them.
The clip plays at its own speed at any --fps; frames no output shows are never rendered.
"""
from __future__ import annotations

import math


def output_count(index: int, source_fps: float, out_fps: float) -> int:
    """How many output frames show driver frame ``index`` (0 = it is skipped)."""
    ratio = source_fps / out_fps
    first = math.ceil(index / ratio - 1e-9)  # first output slot at or after this frame's start
    end = math.ceil((index + 1) / ratio - 1e-9)  # first slot at or after the next frame's start
    return max(0, end - first)
