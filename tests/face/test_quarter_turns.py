"""Points carried through np.rot90's quarter turns: where numpy itself puts a pixel."""
import numpy as np
import pytest

from livemorph.face.quarter_turns import turned, turned_back


@pytest.mark.parametrize("turns", (0, 1, 2, 3, 5))
def test_a_pixels_centre_lands_where_np_rot90_puts_the_pixel(turns):
    height, width = 7, 11
    for x, y in ((0, 0), (10, 2), (3, 6)):
        picture = np.zeros((height, width), np.uint8)
        picture[y, x] = 1
        rows, cols = np.nonzero(np.rot90(picture, turns))
        centre = turned([[x + 0.5, y + 0.5]], turns, (height, width))[0]  # continuous: a pixel's centre
        np.testing.assert_allclose(centre, (cols[0] + 0.5, rows[0] + 0.5))
        turned_size = np.rot90(picture, turns).shape
        np.testing.assert_allclose(turned_back([centre], turns, turned_size)[0], (x + 0.5, y + 0.5))
