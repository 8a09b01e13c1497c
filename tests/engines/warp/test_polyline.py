"""The polyline reader the brow band, brow hood, brow raise and glasses code share."""
import numpy as np

from livemorph.engines.warp.polyline import values_at, y_at


def test_y_at_reads_an_unsorted_polyline_and_holds_its_ends():
    # A brow-like arch given out of order: (0, 10) (4, 6) (10, 8).
    points = np.array([[10.0, 8.0], [0.0, 10.0], [4.0, 6.0]])
    assert np.allclose(y_at(points, np.array([-5.0, 0.0, 2.0, 4.0, 7.0, 10.0, 20.0])),
                       [10.0, 10.0, 8.0, 6.0, 7.0, 8.0, 8.0])


def test_values_at_reads_every_column_of_a_vertex_field():
    xs = np.array([3.0, 1.0])
    field = np.array([[30.0, -3.0], [10.0, -1.0]])  # (dx, dy) per vertex
    assert np.allclose(values_at(xs, field, np.array([1.0, 2.0, 3.0])), [[10, -1], [20, -2], [30, -3]])
    assert values_at(xs, field, 2.0).shape == (2,)
