"""The prepared-portrait cache: a setting that changes the resting AUs must not be served stale."""
import numpy as np

from conftest import shared_path
from livemorph.aus import AU_NAMES
from livemorph.config.settings import load_config
from livemorph.portrait import load_portrait

PORTRAIT = "assets/portraits/mona_lisa.jpg"  # a resting face with a slight smile: some AUs read above 0


def test_expression_gains_reach_the_portraits_resting_aus_in_the_same_process():
    plain = load_portrait(shared_path(PORTRAIT), load_config()).resting_aus
    au = int(np.argmax(np.where(plain < 2.0, plain, 0)))  # a non-zero AU that doubling cannot clip at 5
    assert plain[au] > 0.05
    doubled = load_portrait(shared_path(PORTRAIT), load_config(overrides=[f"expression.gains.{AU_NAMES[au]}=2"])).resting_aus
    # A gain multiplies the mapped AU: the resting value doubles, every other AU is as before.
    assert abs(doubled[au] - 2 * plain[au]) < 1e-5
    others = np.arange(len(plain)) != au
    np.testing.assert_array_equal(doubled[others], plain[others])
