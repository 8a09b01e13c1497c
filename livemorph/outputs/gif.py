"""GIF output.

GIF: loops forever; scaled down to ``render.gif_max_width``; resampled to at most
``render.gif_fps`` by dropping frames; one palette for the whole GIF, sampled from frames
across the recording (no colour flicker, and unchanged regions stay byte-identical, so
Pillow stores only the changed rectangle of each frame — small files for messengers).
GIF delays are whole centiseconds; they alternate (60/70 ms at 15 fps) to keep the rate.
A size budget (``render.gif_max_mb``) is met on close by lowering, in this order, the frame
rate, the size and the palette (see ``GifRecorder``). Kept frames wait in an anonymous
temporary file (nothing is left behind if the process is killed), at most
``render.gif_max_seconds`` of them. ``boomerang`` plays the clip forward then backward.
"""
from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import OutputNotWritable
from .sink import FileRecorder, OutputInfo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _GifPlan:
    """One way to encode the spooled frames: which frames, how wide, how many colours."""

    fps: float
    width: int
    colors: int


class GifRecorder(FileRecorder):
    """Looping, palette-optimised GIF, at most ``max_width`` wide and ``max_fps`` frames per second.

    Kept frames are spooled as raw RGB to an anonymous temporary file beside the output (at
    most ``max_seconds`` of them); on close one palette is built from up to
    ``PALETTE_SAMPLES`` frames spread over the whole recording and every frame is mapped onto
    it without dithering, so regions that do not move stay byte-identical and Pillow stores
    only each frame's changed rectangle.

    Size budget (``max_bytes``): if the GIF comes out larger, it is encoded again with, in this
    order, a lower frame rate (down to ``MIN_FPS``), a smaller size (down to ``MIN_WIDTH``),
    fewer colours (down to ``MIN_COLORS``). Within each, the mildest step that fits is found by
    a binary search of real encodes, starting where the size measured so far predicts (the
    prediction alone overshoots: halving the width cut one clip from 23.8 to 2.3 MB).
    What was lowered is in ``output_info().notes``; a GIF still over budget at the floor is
    written anyway and says so.
    """

    PALETTE_SAMPLES = 12
    FPS_STEPS = (15.0, 12.0, 10.0, 8.0)
    MIN_FPS = 8.0
    WIDTH_STEPS = (1.0, 0.85, 0.7, 0.6, 0.5)
    MIN_WIDTH = 160
    COLOR_STEPS = (256, 128, 64, 32)
    MIN_COLORS = 32

    def __init__(self, path: str | Path, fps: float, *, max_width: int, max_fps: float,
                 max_bytes: int | None = None, max_seconds: float | None = None, boomerang: bool = False):
        super().__init__(path)
        if not fps or fps <= 0:
            raise ValueError(f"GifRecorder fps must be positive, got {fps!r}")
        self.source_fps = float(fps)
        self.fps = min(self.source_fps, float(max_fps))
        self.max_width = int(max_width)
        self.max_bytes = int(max_bytes) if max_bytes else None
        # Never over max_seconds (0.5 s at 15 fps: 7 frames, not 8)
        self.max_frames = None if not max_seconds else max(1, int(float(max_seconds) * self.fps + 1e-9))
        self.boomerang = bool(boomerang)
        self.frames_kept = 0
        self.cut_after_s: float | None = None  # set when max_seconds stopped the GIF
        self._spool = None
        self._kept_shape: tuple[int, int, int] | None = None
        self._next_slot = 0.0  # source time (s) of the next frame to keep
        self._info: OutputInfo | None = None

    def _open(self) -> None:
        self._prepare_folder()
        try:
            # Anonymous (unlinked) file: a killed process leaves nothing behind.
            self._spool = tempfile.TemporaryFile(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".rgb")
        except OSError as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc.strerror}; choose another --out") from exc

    def _write(self, image: np.ndarray) -> None:
        import cv2

        t = self.frames_written / self.source_fps
        if t + 1e-9 < self._next_slot:
            return  # resampling down to self.fps
        if self.max_frames is not None and self.frames_kept >= self.max_frames:
            if self.cut_after_s is None:
                self.cut_after_s = self.frames_kept / self.fps
                log.warning("GIF %s stops at %.3g s (render.gif_max_seconds); record an MP4 for longer takes",
                            self.path, self.cut_after_s)
            return
        self._next_slot += 1.0 / self.fps
        h, w = image.shape[:2]
        if w > self.max_width:
            size = (self.max_width, max(1, round(h * self.max_width / w)))
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        self._kept_shape = image.shape
        try:
            self._spool.write(np.ascontiguousarray(image).tobytes())
        except OSError as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc.strerror}") from exc
        self.frames_kept += 1

    def _finish(self) -> None:
        if self.frames_kept == 0:
            log.warning("no frames were recorded; %s not written", self.path)
            self._release()
            return
        try:
            self._spool.flush()
            frames = np.memmap(self._spool, dtype=np.uint8, mode="r", shape=(self.frames_kept, *self._kept_shape))
            plan = _GifPlan(self.fps, self._kept_shape[1], 256)
            size = self._encode(frames, plan)
            notes = []
            for step in (self._fps_steps, self._width_steps, self._color_steps):
                if self.max_bytes is None or size <= self.max_bytes:
                    break
                plan, size = self._smallest_change_that_fits(frames, plan, size, step(plan))
            if self.max_bytes is not None and size > self.max_bytes:
                notes.append(f"over the {self.max_bytes / 1e6:.3g} MB budget even at the smallest setting")
                log.warning("GIF %s is %.3g MB, over render.gif_max_mb (%.3g MB) even at the smallest setting",
                            self.path, size / 1e6, self.max_bytes / 1e6)
            del frames
        except OSError as exc:
            raise OutputNotWritable(f"cannot write {self.path}: {exc}") from exc
        finally:
            self._release()
        first = _GifPlan(self.fps, self._kept_shape[1], 256)
        lowered = [f"{what} {a:g} -> {b:g}" for what, a, b in (("fps", first.fps, plan.fps),
                                                               ("width", first.width, plan.width),
                                                               ("colours", first.colors, plan.colors)) if a != b]
        if lowered and self.max_bytes is not None:
            notes.insert(0, f"{', '.join(lowered)} to fit {self.max_bytes / 1e6:.3g} MB")
        if self.cut_after_s is not None:
            notes.append(f"cut at {self.cut_after_s:.3g} s (render.gif_max_seconds)")
        if self.boomerang:
            notes.append("boomerang")
        height = round(self._kept_shape[0] * plan.width / self._kept_shape[1])
        self._info = OutputInfo(frames=self._frame_count(plan), size=(plan.width, height), fps=plan.fps,
                                bytes=size, notes=tuple(notes))
        self._rename_into_place()

    def _frame_count(self, plan: _GifPlan) -> int:
        return len(self._order(self._indices(plan.fps)))

    def _indices(self, fps: float) -> list[int]:
        """Spooled frames kept at ``fps`` (sample-and-hold: the frame showing at each new slot)."""
        if fps >= self.fps:
            return list(range(self.frames_kept))
        count = max(1, int(np.ceil(self.frames_kept * fps / self.fps - 1e-9)))
        return [min(self.frames_kept - 1, int(np.floor(k * self.fps / fps + 1e-9))) for k in range(count)]

    def _order(self, indices: list[int]) -> list[int]:
        # boomerang: forward, then backward without repeating either end frame
        return indices + indices[-2:0:-1] if self.boomerang else indices

    def _fps_steps(self, plan: _GifPlan) -> list[tuple[_GifPlan, float]]:
        """(plan, predicted size ratio), mildest first: size goes roughly with the frame count."""
        return [(_GifPlan(f, plan.width, plan.colors), f / plan.fps)
                for f in self.FPS_STEPS if self.MIN_FPS <= f < plan.fps]

    def _width_steps(self, plan: _GifPlan) -> list[tuple[_GifPlan, float]]:
        full = self._kept_shape[1]
        widths = dict.fromkeys(max(self.MIN_WIDTH, round(full * s)) for s in self.WIDTH_STEPS)
        return [(_GifPlan(plan.fps, w, plan.colors), (w / plan.width) ** 2) for w in widths if w < plan.width]

    def _color_steps(self, plan: _GifPlan) -> list[tuple[_GifPlan, float]]:
        return [(_GifPlan(plan.fps, plan.width, c), 1.0) for c in self.COLOR_STEPS if self.MIN_COLORS <= c < plan.colors]

    def _smallest_change_that_fits(self, frames, plan: _GifPlan, size: int, steps) -> tuple[_GifPlan, int]:
        """The mildest of ``steps`` that fits the budget (binary search with real encodes, starting
        from the predicted one), or the strongest if none does. The GIF on disk is the one returned."""
        if not steps:
            return plan, size
        need = self.max_bytes / size
        guess = next((i for i, (_, ratio) in enumerate(steps) if ratio <= need), len(steps) - 1)
        sizes: dict[int, int] = {}
        on_disk = None
        lo, hi = 0, len(steps) - 1
        while lo <= hi:
            mid = guess if lo <= guess <= hi else (lo + hi) // 2
            guess = -1
            sizes[mid] = self._encode(frames, steps[mid][0])
            on_disk = mid
            if sizes[mid] <= self.max_bytes:
                hi = mid - 1
            else:
                lo = mid + 1
        best = min(lo, len(steps) - 1)
        if on_disk != best:
            sizes[best] = self._encode(frames, steps[best][0])
        return steps[best][0], sizes[best]

    def _encode(self, frames: np.ndarray, plan: _GifPlan) -> int:
        """Write the GIF for ``plan`` to the temporary name; its size in bytes."""
        import cv2
        from PIL import Image

        def scaled(i: int) -> np.ndarray:
            frame = np.asarray(frames[i])
            if plan.width == frame.shape[1]:
                return frame
            height = max(1, round(frame.shape[0] * plan.width / frame.shape[1]))
            return cv2.resize(frame, (plan.width, height), interpolation=cv2.INTER_AREA)

        order = self._order(self._indices(plan.fps))
        picks = np.unique(np.linspace(0, self.frames_kept - 1, self.PALETTE_SAMPLES).round().astype(int))
        palette = Image.fromarray(np.concatenate([scaled(i) for i in picks], axis=0)).quantize(
            colors=plan.colors, method=Image.Quantize.MEDIANCUT)
        images = [Image.fromarray(scaled(i)).quantize(palette=palette, dither=Image.Dither.NONE) for i in order]
        images[0].save(self.temp_path, format="GIF", save_all=True, append_images=images[1:],
                       duration=self._durations_ms(len(images), plan.fps), loop=0, disposal=1)
        size = self.temp_path.stat().st_size
        log.info("GIF %s at %g fps, %d px wide, %d colours: %.2f MB", self.path.name, plan.fps, plan.width,
                 plan.colors, size / 1e6)
        return size

    @staticmethod
    def _durations_ms(count: int, fps: float) -> list[int]:
        # GIF delays are whole centiseconds: alternate them so the total keeps the true rate.
        ends = np.round(np.arange(count + 1) * 100.0 / fps).astype(int) * 10
        return [int(d) for d in np.diff(ends)]

    def _release(self) -> None:
        if self._spool is not None:
            self._spool.close()  # anonymous: closing it frees the space
            self._spool = None

    def output_info(self) -> OutputInfo:
        return self._info if self._info is not None else super().output_info()


def create(path, fps: float, options) -> GifRecorder:
    render = options.render
    return GifRecorder(path, fps, max_width=render.gif_max_width, max_fps=render.gif_fps,
                       max_bytes=round(render.gif_max_mb * 1e6) if render.gif_max_mb else None,
                       max_seconds=render.gif_max_seconds,
                       boomerang=render.gif_boomerang if options.boomerang is None else options.boomerang)
