"""A change of livemorph's AUs in py-feat's terms: which mesh-model column each AU drives, and how far.

livemorph's 17 AUs (OpenFace's 0-5 scale, GANimation's order) are the contract between the halves;
py-feat's AU -> mesh model (``au_mesh``) has 20 columns on a 0-1 scale. Before the change of AUs is
mapped, it is fitted to the portrait's resting face: brows resting in a frown release part of it as
they rise, brows resting high have less travel (``brow_change``), and a mouth frown undoes the
portrait's grin (``mouth_corner_change``). Lips parting is drawn with the jaw-drop geometry
(``feat_au_delta``, ``jaw_column``).
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ...aus import AU_MAX, AU_NAMES, NUM_AUS
from ...easing import smoothstep

# livemorph AU -> py-feat AU column it drives (same FACS unit unless noted).
#   AU45 (blink) -> AU43 (eyes closed): py-feat has no AU45 column; AU43 is its lid-closure unit.
#   AU25 (lips part) -> AU26 geometry: py-feat's AU25 column alone slightly CLOSES the lips
#   (-2.1 units of lip gap), so lip parting is drawn with the jaw-drop geometry instead, see
#   ``feat_au_delta``. py-feat's AU11, AU24, AU25, AU28 columns are never driven.
LIVEMORPH_TO_FEAT: dict[str, str] = {
    "AU01": "AU01", "AU02": "AU02", "AU04": "AU04", "AU05": "AU05", "AU06": "AU06",
    "AU07": "AU07", "AU09": "AU09", "AU10": "AU10", "AU12": "AU12", "AU14": "AU14",
    "AU15": "AU15", "AU17": "AU17", "AU20": "AU20", "AU23": "AU23", "AU25": "AU26",
    "AU26": "AU26", "AU45": "AU43",
}
assert tuple(LIVEMORPH_TO_FEAT) == AU_NAMES

# A raise releases this share of the portrait's resting frown ...
ANTAGONIST_RELEASE = 0.5
# ... coming in as the raise grows to this (from zero slope). Released from the first, the frown let
# go lifted the brows on top of a small raise: drawn as asked at +1, Obama's, Trump's and London 092's
# brows rose 1.5-2.1x as far as a real face's (0.025 eye spans per unit,
# ``runtime.response.BROW_RISE_PER_AU01``), the astronaut's and the Mona Lisa's 1.2-1.4x; without the
# release, 0.8-1.5x. A driver lifting his brows a little (man_smiling_short, AU01 +1) had Obama's and
# Trump's rise 2.3x and 1.7x as far as his (now 1.8x and 1.4x), and drop back as he relaxed.
RELEASE_FULL_AT = 2.0
# A raise gives up this share of the headroom a resting raise used (see ``brow_change``): a
# portrait read as resting raised is often one whose brows sit high by nature (london_042 reads
# AU01 3.2 at rest, MediaPipe browInnerUp 0.85). Scaled by all of it (x0.36 there), its brows'
# dark line rose 0.03 eye distances at AU01/AU02 +2 against 0.13-0.17 on neutral portraits (a
# reviewer: brows up barely visible); now 0.07. (All of it was set when a raise slid the brows
# over a forehead that stayed; the forehead now follows them.)
RAISE_HEADROOM_SHARE = 0.4
# A big raise on a face with no resting frown to release is drawn up to this much larger (fading
# in from a raise of BOOST_FROM to BOOST_FULL_AT), by the share of the raise the release does not
# cover. The release lifts a frowning face's brows on top of the raise: at AU01/AU02 +2.4, Obama's
# and Trump's brows rose 0.138 eye spans, the astronaut's and Grace Hopper's (resting AU04 0) 0.088-
# 0.090. Reviewers of the contact sheets called brows up weak on exactly the portraits resting with
# AU04 under 0.7 (6 of 15: the astronaut, Grace Hopper, lisa3, london_042, py-feat's 45-m7 and
# single_face), never on those resting in a frown; in a blind A/B a raise drawn x1.375 was preferred
# 5 to 0 (10 alike). Boosted on every face, Obama's stretched brow hairs streaked down the lids.
RAISE_WITHOUT_RELEASE_BOOST = 0.375
BOOST_FROM, BOOST_FULL_AT = 1.0, 3.0
# A rising AU15 takes back this share of the smile the portrait shows (its own or relaxed), up
# to all of it: a grinning portrait that only dropped its corners still grinned.
FROWN_RELEASES_SMILE = 0.8
FROWN_CLOSES_LIPS_AT = 2.5  # ... and closes the portrait's own lip parting in full at this AU15/AU17, see mouth_corner_change
LIP_CLOSING_PER_AU25 = 2.0  # AU25 closing that shuts a resting parting of one unit (measured: Obama 1.6 needs ~3, Trump 1.0 ~2)
# Of what the lips' seal has already closed over a grin's teeth (``lip_seal``), this share needs no
# more closing; the rest presses the shut lips together, as a pout does. With none of it counted,
# the shut mouth closed on through the jaw: the lower lip rose 0.15-0.16 eye spans (Obama, Trump; a
# driver's pout lifts hers 0.064), py-feat's single_face's chin bulged into a lump under a hard
# crease. A blind review of 6 grinning faces ranked none of it last on 3 (that lump, a flat Trump, a
# washed-out lower lip), all of it last on the other 3 (swollen, pasted-on lips), half never last.
SEAL_CLOSES = 0.5


@lru_cache(maxsize=4)
def mapping_matrix(au_columns: tuple[str, ...]) -> np.ndarray:
    """(20, 17) matrix: py-feat delta = M @ livemorph delta (0-5 scale in, 0-1 scale out).

    AU25 is left out here (its column stays zero); ``feat_au_delta`` adds it non-linearly.
    Cached: treat the result as read-only.
    """
    matrix = np.zeros((len(au_columns), NUM_AUS), np.float32)
    for j, name in enumerate(AU_NAMES):
        if name == "AU25":
            continue
        matrix[au_columns.index(LIVEMORPH_TO_FEAT[name]), j] = 1.0 / AU_MAX
    return matrix


_BROW_AUS = tuple(AU_NAMES.index(n) for n in ("AU01", "AU02", "AU04"))


def brow_change(delta17: np.ndarray, resting17: np.ndarray) -> np.ndarray:
    """A change of livemorph AUs with the brows' motion fitted to the portrait's resting brows.

    1. Antagonists: brow raisers (AU01/AU02, frontalis) and the lowerer (AU04, corrugator)
       pull against each other; a face resting with lowered brows (Obama reads AU04 3.6 at
       rest) releases part of that frown as it raises them. Drawn as the user's change alone,
       a raise on such a portrait only lifted the brows out of their resting frown and never
       read as raised (MediaPipe: browDown falls, browInnerUp stays 0). So a raise also lowers
       AU04 by ``ANTAGONIST_RELEASE`` of the raise, up to that share of the resting AU04 (less
       any frown the user adds: a worried brow, AU01 + AU04, stays), coming in by ``RELEASE_FULL_AT``.
       Half, not all: the whole resting frown released on top of the raise drew cartoon arches on
       Obama. (The mirror
       rule, a frown releasing a resting raise, folded london_042's brow tails: left out.)
    2. Headroom: brows that rest raised have less travel left; a raise is scaled down by
       ``RAISE_HEADROOM_SHARE`` of the share of the AU scale the resting value uses (london_042
       rests at AU01 3.2: x0.74; lisa3 at 0.9 / 1.6: x0.93 / x0.87).
    3. Without a frown to release, a big raise is drawn larger instead, by up to
       ``RAISE_WITHOUT_RELEASE_BOOST`` (the share of the raise the resting AU04 cannot release),
       so every face's brows travel about as far.
    """
    delta = np.array(delta17, np.float32, copy=True)
    resting = np.asarray(resting17, np.float32)
    i01, i02, i04 = _BROW_AUS
    raise_ = max(float(delta[i01]), float(delta[i02]), 0.0)
    frown = max(float(delta[i04]), 0.0)
    releasable = min(raise_, max(float(resting[i04]), 0.0))
    delta[i04] -= ANTAGONIST_RELEASE * float(smoothstep(0.0, RELEASE_FULL_AT, raise_)) * max(0.0, releasable - frown)
    unreleased = 1.0 - releasable / raise_ if raise_ > 0.0 else 0.0
    boost = 1.0 + RAISE_WITHOUT_RELEASE_BOOST * unreleased * float(smoothstep(BOOST_FROM, BOOST_FULL_AT, raise_))
    for i in (i01, i02):
        if delta[i] > 0.0:
            delta[i] *= boost * float(np.clip(1.0 - RAISE_HEADROOM_SHARE * resting[i] / AU_MAX, 0.0, 1.0))
    return delta


_SMILE, _FROWN, _CHIN, _LIPS = (AU_NAMES.index(n) for n in ("AU12", "AU15", "AU17", "AU25"))


def mouth_corner_change(delta17: np.ndarray, resting17: np.ndarray, sealed: float = 0.0) -> np.ndarray:
    """A change of livemorph AUs where a frown of the mouth also undoes the portrait's grin.

    1. A lip-corner depressor (AU15) takes back ``FROWN_RELEASES_SMILE`` of it from the smile
       the portrait shows (its resting AU12 plus the change already made): the corners'
       antagonists, as AU01/AU04 are the brows'.
    2. A depressor or chin raiser (AU15/AU17) closes the portrait's own lip parting, in full
       at ``FROWN_CLOSES_LIPS_AT`` (what the relaxed rest closed already counts): on a portrait
       grinning with its teeth, dropped corners over the teeth read as a grimace, not a frown.
       The warp draws one unit of AU25 as a smaller gap than the estimator reads it, so the
       parting takes ``LIP_CLOSING_PER_AU25`` units of closing per resting unit. ``sealed``
       (0..1): how far the warp has already closed the lips over a grin's teeth
       (``lip_seal.seal_share``); ``SEAL_CLOSES`` of that needs no more closing.
    """
    delta = np.array(delta17, np.float32, copy=True)
    resting = np.asarray(resting17, np.float32)
    shown_smile = max(0.0, float(resting[_SMILE]) + float(delta[_SMILE]))
    delta[_SMILE] -= FROWN_RELEASES_SMILE * min(max(float(delta[_FROWN]), 0.0), shown_smile)
    to_close = ((1.0 - SEAL_CLOSES * sealed)
                * max(0.0, LIP_CLOSING_PER_AU25 * float(resting[_LIPS]) + min(float(delta[_LIPS]), 0.0)))
    frown = max(float(delta[_FROWN]), float(delta[_CHIN]), 0.0)
    delta[_LIPS] -= min(frown / FROWN_CLOSES_LIPS_AT, 1.0) * to_close
    return delta


def feat_au_delta(delta17: np.ndarray, au_columns: tuple[str, ...], *, au25_to_jaw: float) -> np.ndarray:
    """A change of livemorph AUs (17, 0-5 scale) as a change of py-feat AUs (20, 0-1 scale).

    Lip parting (AU25) opens the mouth with jaw-drop geometry, so the jaw drop (AU26) and lips
    parting share py-feat's AU26 column (``jaw_column``).
    """
    delta17 = np.asarray(delta17, np.float32)
    out = mapping_matrix(tuple(au_columns)) @ delta17
    out[au_columns.index("AU26")] = jaw_column(delta17, au25_to_jaw).change
    return out


class JawColumn(NamedTuple):
    change: float  # py-feat's AU26 column (0-1 scale): the opening less what is left of the closing
    jaw_drop_share: float  # 0..1: how much of it the jaw drop makes, the rest being lips parting


# The closing left beside an opening fades out over this much more opening (py-feat scale) than
# the closing itself (see ``jaw_column``): about 0.1 AU.
CLOSING_FADES_OVER = 0.02


def jaw_column(delta17: np.ndarray, au25_to_jaw: float) -> JawColumn:
    """py-feat's jaw-drop column for a change of livemorph AUs, and the jaw drop's share of it.

    The jaw drop (AU26) and lips parting (``au25_to_jaw`` of AU25) each open or close the mouth.
    Two openings are not added (an estimator reads one mouth opening as both: drawn twice as wide),
    nor two closings: the larger of each counts. An opening beside a closing (a relaxed grin's
    parted lips closing while the user's jaw drops) wins, as a user opening the mouth sees it open,
    but not at once: the closing fades out as the opening grows to its own size (plus
    ``CLOSING_FADES_OVER``), so the column never rises faster than twice the opening. It jumped by
    the whole closing as the opening crossed 0 (Obama's chin 9.8 px between a user's AU26 +0.00 and
    +0.01; py-feat's 0-f1-su-ph, a surprised mouth, 46 px as a laugh's lips part), and so flipped
    from frame to frame with the sign of a still user's AU26 change of a rounding's size: a relaxed
    grin's closing lips were drawn in one frame and its own open lips in the next (Trump's lower lip
    17 px, 0-f15-hao-ph's 23 px, on woman_expressions). The column rises with either change, never
    falls.

    The jaw drop's share: of the opening, as much as AU26 makes of it, coming in as the closing
    fades (a closing mouth closes around the mouth line, as a relaxed grin does: share 0).
    """
    delta17 = np.asarray(delta17, np.float32)
    jaw = float(delta17[AU_NAMES.index("AU26")]) / AU_MAX
    lips = float(delta17[AU_NAMES.index("AU25")]) * au25_to_jaw / AU_MAX
    opening = max(jaw, lips, 0.0)
    closing = min(jaw, lips, 0.0)
    left = max(0.0, 1.0 - opening / (CLOSING_FADES_OVER - closing))  # of the closing, 1 at no opening
    share = max(jaw, 0.0) / opening * (1.0 - left) if opening > 0.0 else 0.0
    return JawColumn(opening + left * closing, share)


# Past the other reading by this much (py-feat scale), the wider of two readings of the jaw column
# is drawn as it says (``wider_column``); its share comes in over the margin.
SHARE_COMES_IN_OVER = 0.02


def wider_column(held: JawColumn, other: JawColumn) -> JawColumn:
    """The wider of two readings of the jaw column: ``held``'s share where it is at least as wide,
    ``other``'s once it is ``SHARE_COMES_IN_OVER`` wider, blended between, so the drawing never
    jumps as one overtakes the other."""
    taken = float(np.clip((other.change - held.change) / SHARE_COMES_IN_OVER, 0.0, 1.0))
    return JawColumn(max(held.change, other.change),
                     held.jaw_drop_share + taken * (other.jaw_drop_share - held.jaw_drop_share))
