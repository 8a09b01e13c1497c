"""Big mouths that stay this face's mouth: jaw drops on toothy portraits, broad smiles.

Everything is judged by MediaPipe run afresh on the rendered image (its landmarks and
blendshapes), not by the engine's own geometry. Reference values come from drivers measured
the same way (woman_expressions.mp4, man_smiling_short.mp4, pexels_woman_laughing.mp4).
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import render_and_track, shared_face
from face_regions import LOWER_OUTER, UPPER_INNER



def _opening_profile(image, track) -> np.ndarray:
    """Mean brightness down the middle fifth of the mouth, upper inner lip to lower OUTER lip (30 rows).

    To the outer edge because MediaPipe puts the lower inner lip anywhere from the lower teeth's
    top to the lip's inner edge; the profile then ends on the lower lip itself.
    """
    lm = track.landmarks[:, :2]
    upper, lower = lm[list(UPPER_INNER)], lm[list(LOWER_OUTER)]
    left, right = upper[0, 0], upper[-1, 0]
    xs = np.linspace(left + 0.4 * (right - left), left + 0.6 * (right - left), 7)
    top, bottom = np.interp(xs, upper[:, 0], upper[:, 1]), np.interp(xs, lower[:, 0], lower[:, 1])
    ys = top[None] + np.linspace(0.02, 0.98, 30)[:, None] * (bottom - top)[None]
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return cv2.remap(gray, np.broadcast_to(xs[None], ys.shape).astype(np.float32), ys.astype(np.float32),
                     cv2.INTER_LINEAR).mean(axis=1)


def _render_and_track(name, config, engine, image_tracker, **change):
    """The shared portrait, its render at ``change``, and MediaPipe's track of the render."""
    portrait = shared_face(name, config, image_tracker)
    out, track = render_and_track(engine, portrait, image_tracker, **change)
    return portrait, out, track


@pytest.mark.parametrize("name", ["obama_official_2012.jpg", "astronaut_small_face.png"])
def test_a_jaw_drop_on_a_toothy_portrait_opens_onto_lower_teeth_not_a_flat_band(name, config, engine, image_tracker):
    # Before: upper teeth, then one flat dark band down to the lower lip (Obama: 27..40 grey
    # levels all the way down; the astronaut 37..48).
    portrait, out, track = _render_and_track(name, config, engine, image_tracker, AU26=3, AU25=3)
    profile = _opening_profile(out, track)
    cavity = int(np.argmin(profile))
    assert profile[:cavity].max() > 180  # the portrait's own upper teeth on top
    # Below the cavity: a bright row (the lower teeth) with a darker seam right under it, before
    # the lip. Without teeth the profile only climbs from the cavity onto the lip (removed, the
    # rows after the first bright one rose 27..69 grey levels instead of falling 14..40).
    below = profile[cavity:]
    bright = below > profile[cavity] + 80
    assert bright.any(), f"below the upper teeth: {np.round(below).astype(int).tolist()}"
    peak = int(np.argmax(bright)) + int(np.argmax(below[np.argmax(bright):np.argmax(bright) + 4]))
    seam = below[peak + 1:peak + 5]
    assert len(seam) and below[peak] - seam.min() > 8, f"no lower teeth above the lip: {np.round(below).astype(int).tolist()}"


@pytest.mark.parametrize("name", ["obama_official_2012.jpg", "trump_official_2017.png"])
def test_a_jaw_drop_takes_the_chin_down_with_the_lower_lip(name, config, engine, image_tracker):
    # On a driver the lower lip, its lower edge and the chin go down alike (0.37 eye-distances
    # each at jawOpen 0.6). Before, with the chin held by the collar, the lip ran into it: the
    # skin between lip and chin shrank to 0.56 (Obama) / 0.61 (Trump) of its height (with the jaw
    # drop holding the nose and upper lip still, as a driver's do: 0.62 / 0.61 without
    # mouth_motion.jaw_limit, 0.68 / 0.77 with it).
    portrait, out, track = _render_and_track(name, config, engine, image_tracker, AU26=3, AU25=3)

    def lip_to_chin(t):
        return float(np.linalg.norm(t.landmarks[17, :2] - t.landmarks[152, :2]))

    assert track.blendshape("jawOpen") > portrait.track.blendshape("jawOpen") + 0.05  # the mouth opened
    assert lip_to_chin(track) > 0.65 * lip_to_chin(portrait.track), (lip_to_chin(portrait.track), lip_to_chin(track))


def _corner_lift(track) -> tuple[float, float]:
    lm = track.landmarks[:, :2]
    width = float(np.linalg.norm(lm[291] - lm[61]))
    up = (lm[10] - lm[152]) / np.linalg.norm(lm[10] - lm[152])
    return float(((0.5 * (lm[61] + lm[291]) - 0.5 * (lm[13] + lm[14])) @ up) / width), width


def test_a_big_smile_lifts_the_corners_as_far_as_a_face_does(config, engine, image_tracker):
    # Drivers' corner lift (above the lip centre, over the mouth width): a broad smile 0.13, a
    # full laugh 0.195 (mouthSmile 0.98). The Mona Lisa rests at 0.09; the brief's big smile
    # (AU12 +5 with AU06, lips parting) read 0.20 before: a U swinging up past her cheeks,
    # and its parted lips read 0.07 (a laughing driver's 0.2-0.34). Painted teeth shaded at the
    # roots under the upper lip (as real ones are) read partly as lip: 0.09 since.
    portrait, out, track = _render_and_track("mona_lisa.jpg", config, engine, image_tracker, AU12=5, AU06=2.5, AU25=1.6)
    rest, rest_width = _corner_lift(portrait.track)
    lift, width = _corner_lift(track)
    # Still a smile (MediaPipe's mouthSmile: smiling faces median 0.67, see shared/FACTS.md),
    # corners up and back, lips parted.
    smile = 0.5 * (track.blendshape("mouthSmileLeft") + track.blendshape("mouthSmileRight"))
    assert smile > 0.5 and lift > rest and width > 1.1 * rest_width, (smile, rest, lift, rest_width, width)
    gap = float(np.linalg.norm(track.landmarks[14, :2] - track.landmarks[13, :2])) / width
    assert gap > 0.085, f"lips parted by {gap:.3f} mouth widths"
    assert lift < 0.17, f"corner lift {rest:.3f} -> {lift:.3f} mouth widths"


# No collar under these chins. The bound per portrait: MediaPipe reads the chin less surely on
# london_042 (chin and neck shadow alike); without mouth_motion.chin_following_the_lip it reads
# 0.78 (Mona Lisa) and 0.71 (london_042), with it 0.88 and 0.79. london_042's reading also moves
# with what is painted in the opening, the mesh's motion the same (0.759 under faint lines between the
# painted teeth, 0.745 under clear ones), and with how straight its chin drops (held at the silhouette
# in its own direction, silhouette.limit: above 0.75 again under clear lines).
@pytest.mark.parametrize("name, least", [("mona_lisa.jpg", 0.83), ("london_042_grayscale.png", 0.75)])
def test_a_jaw_drop_moves_the_chin_as_far_as_the_lips_lower_edge(name, least, config, engine, image_tracker):
    # On a driver the lip's lower edge and the chin go down alike (0.37 eye-distances each at
    # jawOpen 0.6). py-feat's AU26 moved the chin ~0.78x as far, bunching the skin between them.
    portrait, out, track = _render_and_track(name, config, engine, image_tracker, AU26=1)
    rest = portrait.track.landmarks[:, :2]
    up = (rest[10] - rest[152]) / np.linalg.norm(rest[10] - rest[152])
    lip_edge, chin = (float((rest[p] - track.landmarks[p, :2]) @ up) for p in (17, 152))
    assert lip_edge > 0.02 * np.linalg.norm(rest[10] - rest[152])  # the mouth opened
    assert chin > least * lip_edge, f"chin {chin:.1f} px, lip edge {lip_edge:.1f} px"


@pytest.mark.parametrize("name", ["mona_lisa.jpg", "obama_official_2012.jpg", "london_092_beard.jpg"])
def test_a_jaw_drop_leaves_the_nose_where_it_is(name, config, engine, image_tracker):
    # A driver dropping her jaw (woman_expressions.mp4, MediaPipe on her frames, eyes aligned, at
    # jawOpen 0.55-0.62) moved her nose tip -0.01..+0.01, the skin under it +0.01..+0.03 and her
    # upper lip +0.03 of her eye-to-chin height, her lower lip +0.23..+0.27. py-feat's jaw drop
    # slid them down too (nose tip +0.04, under it +0.05, upper lip +0.08..+0.09 on these
    # outputs): a long, stretched face.
    portrait, out, track = _render_and_track(name, config, engine, image_tracker, AU26=3.5, AU25=2)
    rest = portrait.track.landmarks[:, :2]
    up = (rest[10] - rest[152]) / np.linalg.norm(rest[10] - rest[152])
    height = float(np.linalg.norm(rest[152] - 0.5 * (rest[33] + rest[263])))

    def down(point):
        """How far ``point`` went down the face, eyes held where they were (head motion out)."""
        eyes = 0.5 * ((rest[33] - track.landmarks[33, :2]) + (rest[263] - track.landmarks[263, :2]))
        return float((rest[point] - track.landmarks[point, :2] - eyes) @ up) / height

    assert down(17) > 0.15, f"the lower lip went down {down(17):+.3f}"  # the jaw dropped
    moved = {"nose tip": down(1), "under the nose": down(2), "upper lip": down(0)}
    assert moved["nose tip"] < 0.02 and moved["under the nose"] < 0.03 and moved["upper lip"] < 0.06, moved
