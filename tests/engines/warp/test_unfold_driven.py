"""Skin pushed back from turning over moves with the face from frame to frame, never in jumps.

Driven by woman_expressions (jaw drops, grimaces, frowns), Trump's crowded mouth corners turn skin
over in many frames, and ``engines.warp.unfold`` pushes it back. Its push is measured per frame as
`run` draws it (the mesh before and after the unfolding). A push that swings between two frames
moves the mouth corner by itself: a pop in the video.

When each free corner of a squashed triangle gave back an equal share of the missing area, the
push was pointed along a sliver's side less than a pixel long, and that direction swung with
every sub-pixel change. The push then changed by over 2 px between frames 15 times, and by up to
19.5 px. Now each corner gives back in proportion to the side it is pushed across: 2 times, and
4.2 px at most.
"""
from __future__ import annotations

import numpy as np

from conftest import portrait_path, shared_path


def test_the_unfolding_push_moves_with_the_face_not_in_jumps(config, engine, monkeypatch):
    import livemorph.engines.warp.engine as warp_engine
    from livemorph.face.au_stream import video_readings
    from livemorph.portrait import load_portrait
    from livemorph.runtime.render import puppet_for

    puppet = puppet_for(engine, load_portrait(portrait_path("trump_official_2017.png"), config), config)
    pushes = []
    unfold = warp_engine.unfold_skin

    def recorded(displacement, vertices, skin):
        before = displacement.copy()
        unfold(displacement, vertices, skin)
        pushes.append(np.asarray(displacement - before)[:, :2])

    monkeypatch.setattr(warp_engine, "unfold_skin", recorded)
    per_frame = []
    for _, reading in video_readings(shared_path("assets/driving/woman_expressions.mp4"), config):
        if reading.aus is None:
            continue
        pushes.clear()
        engine.displaced_vertices(puppet.prepared, puppet.aus_for(reading))
        per_frame.append(pushes[-1])
    assert len(per_frame) > 300, len(per_frame)
    assert max(float(np.abs(push).max()) for push in per_frame) > 2.0  # skin is pushed back in this video
    changes = np.array([float(np.linalg.norm(b - a, axis=1).max()) for a, b in zip(per_frame, per_frame[1:])])
    assert changes.max() <= 6.0, f"the push changed by {changes.max():.1f} px between two frames"
    assert (changes > 2.0).sum() <= 5, f"the push changed by over 2 px between {(changes > 2.0).sum()} pairs of frames"
