"""Response curves: a user change is drawn as the change that reads as itself on this portrait."""
from __future__ import annotations

import numpy as np
import pytest

from livemorph.aus import AU, NUM_AUS
from livemorph.runtime.response import IN_COMPANY_MAX, OPEN_SMILE_AT, measure_response

from conftest import au_vector


def _curves(read_of_drawn, limit=2.0):
    """A toy portrait whose read change per AU is ``read_of_drawn(drawn change)``: the "image" is the AUs."""
    start = np.zeros(NUM_AUS, np.float32)
    return measure_response(lambda aus: aus.copy(), lambda aus: read_of_drawn(aus - start), start, limit)


def test_a_portrait_that_shows_half_of_each_change_gets_it_doubled_and_one_that_shows_double_halved():
    weak, strong = _curves(lambda d: 0.5 * d), _curves(lambda d: 2.0 * d)
    assert weak.shape(au_vector(AU26=1.5))[AU.AU26] == pytest.approx(3.0)
    assert strong.shape(au_vector(AU12=1.5))[AU.AU12] == pytest.approx(0.75)
    # Brows up is one group read on AU01: AU02 is scaled with it, whatever it reads itself.
    out = weak.shape(au_vector(AU01=1.0, AU02=0.6))
    assert out[AU.AU01] == pytest.approx(2.0) and out[AU.AU02] == pytest.approx(1.2)
    # AUs outside the groups (blinks and frowns among them) are drawn as asked.
    assert weak.shape(au_vector(AU45=1.0, AU04=2.0, AU15=2.0))[[AU.AU45, AU.AU04, AU.AU15]] == pytest.approx([1.0, 2.0, 2.0])


def test_a_steep_then_saturating_response_is_inverted_level_by_level_within_the_limit():
    # Reads 2x while small, saturates at 2.5: the inverse of 1 is 0.5; 2.2 lies 0.4 of the way between
    # the probes 1 -> 2.0 and 2 -> 2.5, so 1.4. The last probe (3) reads no more than the one before;
    # taken as reading 1/limit more (3.0: the drawn change never grows faster than limit times the
    # user's), its ratio 1.0 holds beyond it.
    curves = _curves(lambda d: np.minimum(2.0 * d, 2.0 + 0.5 * np.clip(d - 1.0, 0.0, 1.0)), limit=2.0)
    assert curves.shape(au_vector(AU26=1.0))[AU.AU26] == pytest.approx(0.5)
    assert curves.shape(au_vector(AU26=2.2))[AU.AU26] == pytest.approx(1.4)
    assert curves.shape(au_vector(AU26=4.0))[AU.AU26] == pytest.approx(4.0)
    # Relaxing (a negative change) uses the first segment's ratio: 0.5.
    assert curves.shape(au_vector(AU26=-1.0))[AU.AU26] == pytest.approx(-0.5)


def test_a_reading_that_stalls_midway_never_makes_the_drawn_change_jump():
    # Reads 2x up to 0.5 drawn, then nothing more until 2 drawn, then 1.5 per AU: as MediaPipe reads
    # a grinning portrait's lips and jaw (multi_face, test_response_no_snap) while they keep opening.
    # A user's change growing by a hundredth must not make the drawn one jump: it grows at most limit
    # times as fast. (Inverted probe by probe, it jumped from 0.5 to 2.0 as the user's crossed 1.0.)
    limit = 2.0
    curves = _curves(lambda d: np.where(d <= 0.5, 2.0 * d, np.where(d <= 2.0, 1.0, 1.0 + 1.5 * (d - 2.0))), limit=limit)
    users = np.arange(0.0, 4.0, 0.01)
    drawn = np.array([curves.shape(au_vector(AU26=u))[AU.AU26] for u in users])
    assert np.all(np.diff(drawn) >= 0.0)
    assert float(np.max(np.diff(drawn) / np.diff(users))) <= limit * 1.001


def test_a_group_is_scaled_at_its_largest_membersau_vector():
    # Brows up is read on AU01, but an outer-brow raise alone (AU02 +2.2, AU01 +0.1) is a raise of
    # 2.2: scaled as one, not at the factor for a raise of 0.1. This portrait reads small raises at
    # half (x2, the limit, for 0.1: a laughing driver's AU02 +1.8 drew +3.6) and grows steeper
    # beyond 1 (reads 1.5 at 2, 2.5 at 3): 2.2 reads as drawn 2.7, so x 2.7 / 2.2.
    curves = _curves(lambda d: np.where(d <= 1.0, 0.5 * d, 0.5 + (d - 1.0)), limit=2.0)
    out = curves.shape(au_vector(AU01=0.1, AU02=2.2))
    assert out[AU.AU02] == pytest.approx(2.7) and out[AU.AU01] == pytest.approx(0.1 * 2.7 / 2.2)


def test_the_smile_probed_alone_follows_its_own_reading_and_is_never_drawn_bigger_than_asked():
    # ``read`` (MediaPipe) reads every change at half; ``read_alone`` (the mouth corners) reads the
    # closed smile double on one portrait and at half on another.
    start = np.zeros(NUM_AUS, np.float32)

    def curves(corners_read):
        return measure_response(lambda aus: aus.copy(), lambda aus: 0.5 * (aus - start), start, 2.0,
                                read_alone={"AU12": lambda aus: corners_read * float(aus[AU.AU12] - start[AU.AU12])})
    over, under = curves(2.0), curves(0.5)
    assert over.shape(au_vector(AU12=1.5))[AU.AU12] == pytest.approx(0.75)
    assert under.shape(au_vector(AU12=1.5))[AU.AU12] == pytest.approx(1.5)  # x2 by its reading, at most x1
    # Lips parted (the smile in company) it follows ``read``: doubled on both.
    assert under.shape(au_vector(AU12=1.5, AU25=OPEN_SMILE_AT))[AU.AU12] == pytest.approx(3.0)
    assert over.shape(au_vector(AU12=1.5, AU25=OPEN_SMILE_AT))[AU.AU12] == pytest.approx(3.0)


def test_a_portrait_that_never_shows_a_change_or_loses_the_face_leaves_changes_as_asked():
    # Reading nothing says nothing of what more motion would show: drawn as asked, not at the limit
    # (a jaw drop doubled on a turned head tore its mouth). One that reads a tenth still gets the limit.
    flat = _curves(lambda d: 0.0 * d, limit=1.5)
    assert flat.shape(au_vector(AU01=2.0, AU26=2.0, AU12=1.0))[[AU.AU01, AU.AU26, AU.AU12]] == pytest.approx([2.0, 2.0, 1.0])
    faint = _curves(lambda d: 0.1 * d, limit=1.5)
    assert faint.shape(au_vector(AU26=2.0))[AU.AU26] == pytest.approx(3.0)
    lost = measure_response(lambda aus: aus, lambda aus: np.full(NUM_AUS, np.nan, np.float32),
                            np.zeros(NUM_AUS, np.float32), 2.0)
    assert lost.shape(au_vector(AU26=2.0, AU12=1.0))[[AU.AU26, AU.AU12]] == pytest.approx([2.0, 1.0])


def test_an_engine_cap_keeps_a_group_from_being_scaled_up_but_not_down():
    # A portrait that reads a tenth of each change would get the limit, 2; capped at 1 it gets 1,
    # and a cap does not touch other groups, nor a portrait that reads double (its jaw halved as
    # before; its brows are never drawn smaller than asked, see test_response_brows).
    start = np.zeros(NUM_AUS, np.float32)
    weak = measure_response(lambda aus: aus.copy(), lambda aus: 0.1 * (aus - start), start, 2.0, caps={AU.AU01: 1.0})
    strong = measure_response(lambda aus: aus.copy(), lambda aus: 2.0 * (aus - start), start, 2.0, caps={AU.AU01: 1.0})
    assert weak.shape(au_vector(AU01=1.5, AU02=1.0, AU26=1.0))[[AU.AU01, AU.AU02, AU.AU26]] == pytest.approx([1.5, 1.0, 2.0])
    assert strong.shape(au_vector(AU01=1.5, AU26=1.0))[[AU.AU01, AU.AU26]] == pytest.approx([1.5, 0.5])


def _lips_reading(in_a_laugh: float):
    """A toy portrait (the "image" is the AUs) whose lips parting (AU25) reads half of what is drawn on
    a still face and ``in_a_laugh`` of it beside a smile drawn past +2 (every other AU reads as drawn)."""
    def read(drawn: np.ndarray) -> np.ndarray:
        out = drawn.copy()
        out[AU.AU25] *= in_a_laugh if drawn[AU.AU12] > 2.0 else 0.5
        return out
    return read


def test_in_a_laugh_the_lips_part_as_a_laugh_shows_them():
    # Probed on a still face the lips-part curve doubles every parting; in a laugh it is probed again
    # from a laugh (``IN_COMPANY``), whose curve takes over as the smile grows to SMILE_HOLDS_AT
    # (+1.5). Here the laugh shows the lips as drawn: asked +2, they are drawn +4 alone, +2 in a
    # laugh, +3 halfway. (Before, the factor faded to 1 whatever the laugh showed.)
    as_drawn = _curves(_lips_reading(in_a_laugh=1.0))
    assert as_drawn.shape(au_vector(AU25=2.0))[AU.AU25] == pytest.approx(4.0)
    assert as_drawn.shape(au_vector(AU25=2.0, AU12=1.5))[AU.AU25] == pytest.approx(2.0)
    assert as_drawn.shape(au_vector(AU25=2.0, AU12=0.75))[AU.AU25] == pytest.approx(3.0)
    # A laugh that shows them at half draws them further in it, by at most IN_COMPANY_MAX (MediaPipe
    # reads a smile less as its lips part wider).
    half = _curves(_lips_reading(in_a_laugh=0.5))
    assert half.shape(au_vector(AU25=2.0, AU12=3.0))[AU.AU25] == pytest.approx(2.0 * IN_COMPANY_MAX)


def test_an_open_smile_is_drawn_as_an_open_smile_reads():
    # A toy portrait whose smile reads as drawn while its lips stay closed and at half once they part
    # past +1 (MediaPipe reads an open smile's teeth as less smile per unit of corner lift). Its smile
    # is probed closed and again with the lips parted (``IN_COMPANY``); the open curve takes over as
    # the user's lips part to OPEN_SMILE_AT. Asked +1.5: drawn +1.5 closed, +3 open, halfway between.
    def read(drawn: np.ndarray) -> np.ndarray:
        out = drawn.copy()
        out[AU.AU12] *= 0.5 if drawn[AU.AU25] > 1.0 else 1.0
        return out

    curves = _curves(read)
    assert curves.shape(au_vector(AU12=1.5))[AU.AU12] == pytest.approx(1.5)
    assert curves.shape(au_vector(AU12=1.5, AU25=OPEN_SMILE_AT))[AU.AU12] == pytest.approx(3.0)
    assert curves.shape(au_vector(AU12=1.5, AU25=0.5 * OPEN_SMILE_AT))[AU.AU12] == pytest.approx(2.25)
