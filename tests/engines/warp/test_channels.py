"""Planes and colours spread over a picture's three channels (``warp.channels``): the per-frame
painters rely on these giving numpy broadcasting's values to the bit (renders are compared by hash
when they are sped up), in its result type too."""
import numpy as np
import pytest

from livemorph.engines.warp.channels import in_channels, plane_times_colour


@pytest.mark.parametrize("plane_type", [np.float32, np.float64])
def test_a_plane_in_three_channels_multiplies_as_broadcasting_does(plane_type):
    rng = np.random.default_rng(3)
    plane = rng.random((37, 53)).astype(plane_type)
    rgb = (rng.random((37, 53, 3)) * 255).astype(np.float32)
    spread = in_channels(plane)
    assert spread.shape == rgb.shape
    product = spread * rgb
    expected = plane[..., None] * rgb
    assert product.dtype == expected.dtype
    np.testing.assert_array_equal(product, expected)


@pytest.mark.parametrize("plane_type", [np.float32, np.float64])
def test_a_plane_times_a_colour_is_broadcastings_outer_product(plane_type):
    rng = np.random.default_rng(4)
    plane = rng.random((29, 41)).astype(plane_type)
    colour = np.array([0.75, 1.0, 1.15], np.float32) - 1.0
    product = plane_times_colour(plane, colour)
    expected = plane[..., None] * colour
    assert product.dtype == expected.dtype
    np.testing.assert_array_equal(product, expected)
