"""theorycheck.stats: chunked Monte Carlo means (the same numbers at any chunk size) and their standard errors."""

import math

import numpy as np
import pytest

from theorycheck.stats import chunked_mean


@pytest.mark.parametrize("chunk", [1, 7, 1000, 5000])
def test_chunked_mean_is_the_sample_mean_and_standard_error(chunk):
    values = np.random.default_rng(0).exponential(size=1000)
    stream = iter(np.split(values, range(chunk, 1000, chunk)))
    mean, se = chunked_mean(lambda b: next(stream), 1000, chunk)
    assert mean == pytest.approx(values.mean(), rel=1e-13)
    assert se == pytest.approx(values.std(ddof=1) / math.sqrt(1000), rel=1e-10)


def test_chunked_mean_of_constants_has_zero_error():
    mean, se = chunked_mean(lambda b: np.full(b, 2.5), 10, 3)
    assert (mean, se) == (2.5, 0.0)
