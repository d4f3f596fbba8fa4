"""theorycheck.data: the digits, read once per process, read-only, the same arrays every family prepares."""

import numpy as np
import pytest

from theorycheck.data import digits_arrays


def test_digits_arrays_shapes_values_and_read_only():
    pixels, images, target = digits_arrays()
    assert pixels.shape == (1797, 64) and images.shape == (1797, 8, 8) and target.shape == (1797,)
    assert pixels.dtype == images.dtype == np.float64 and target.dtype == np.int64
    np.testing.assert_array_equal(pixels, images.reshape(1797, 64))
    assert pixels.min() == 0 and pixels.max() == 16 and set(np.unique(target)) == set(range(10))
    with pytest.raises(ValueError):
        pixels[0, 0] = 1.0  # shared by every caller: no in-place change
    assert digits_arrays()[0] is pixels  # loaded once
