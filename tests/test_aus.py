import numpy as np
import pytest

from livemorph.aus import AU, AU_NAMES, NUM_AUS, as_au_vector, au_index, retarget

GANIMATION_ORDER = "AU01 AU02 AU04 AU05 AU06 AU07 AU09 AU10 AU12 AU14 AU15 AU17 AU20 AU23 AU25 AU26 AU45".split()


def test_order_is_ganimations():
    assert list(AU_NAMES) == GANIMATION_ORDER
    assert NUM_AUS == 17
    assert [a.name for a in AU] == GANIMATION_ORDER
    assert AU.AU12 == GANIMATION_ORDER.index("AU12")


@pytest.mark.parametrize("name, index", [("AU12", 8), ("au45", 16), ("1", 0), ("AU26_r", 15), ("26", 15)])
def test_au_index(name, index):
    assert au_index(name) == index


def test_au_index_unknown():
    with pytest.raises(KeyError, match="AU03"):
        au_index("AU03")


@pytest.mark.parametrize("bad", [np.zeros(16), np.zeros((1, 17)), np.full(17, np.nan)])
def test_as_au_vector_rejects_bad_shapes(bad):
    with pytest.raises(ValueError):
        as_au_vector(bad)


def test_retarget_adds_the_change_from_neutral_and_clips():
    rng = np.random.default_rng(1)
    portrait = rng.uniform(0, 2, 17).astype(np.float32)
    user = rng.uniform(0, 5, 17).astype(np.float32)
    neutral = rng.uniform(0, 1, 17).astype(np.float32)
    gains = np.ones(17, np.float32)
    gains[3] = 2.0
    locks = np.zeros(17, bool)
    locks[16] = True
    out = retarget(portrait, user, neutral, strength=0.5, gains=gains, locks=locks)
    for i in range(17):
        expected = portrait[i] if locks[i] else min(5.0, max(0.0, portrait[i] + 0.5 * gains[i] * (user[i] - neutral[i])))
        assert out[i] == pytest.approx(expected, abs=1e-6)
