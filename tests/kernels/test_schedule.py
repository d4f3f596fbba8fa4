"""σ_w schedules: validation, the depth-increasing family and the ReLU variance profile (docs/theory/depth_init.md)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theorycheck.kernels.schedule import depth_schedule, layer_sigma_w, relu_variance_profile, schedule_product


def test_layer_sigma_w_broadcasts_and_validates():
    assert layer_sigma_w(1.5, 3) == (1.5,) * 4
    assert layer_sigma_w([1, 2.0], 1) == (1.0, 2.0)
    with pytest.raises(ValueError, match=r"sigma_w must not be empty"):
        layer_sigma_w([], 2)
    with pytest.raises(ValueError, match=r"sigma_w\[2\] must lie in \(0"):
        layer_sigma_w([1.0, 1.0, 0.0], 2)
    with pytest.raises(ValueError, match=r"sigma_w must lie in \(0"):
        layer_sigma_w(-1.0, 2)
    with pytest.raises(TypeError, match=r"sigma_w must be a real number > 0 or a sequence"):
        layer_sigma_w(None, 2)


def test_depth_schedule_is_the_documented_family():
    sch = depth_schedule(4, 16.0)
    assert len(sch) == 5 and sch[0] == math.sqrt(2)
    assert all(math.isclose(s * s, 2 * 16 ** 0.25, rel_tol=1e-15) for s in sch[1:])
    assert depth_schedule(3, 1.0) == [math.sqrt(2)] * 4
    assert depth_schedule(2, 4.0, base=1.0)[0] == 1.0
    for kw, match in [(dict(depth=0, r=2.0), "depth"), (dict(depth=2, r=0.0), "r must lie"),
                      (dict(depth=2, r=float("nan")), "r must be a finite"), (dict(depth=2, r=2.0, base=-1.0), "base")]:
        with pytest.raises(ValueError, match=match):
            depth_schedule(**kw)


@given(st.integers(1, 40), st.floats(1e-3, 1e3))
def test_schedule_product_is_r(depth, r):
    assert math.isclose(schedule_product(depth_schedule(depth, r)), r, rel_tol=1e-12)


@given(st.lists(st.floats(0.1, 3.0), min_size=2, max_size=12), st.floats(0.1, 10.0))
def test_relu_profile_product_is_constant(scales, q_in):
    """q_l·D_l = q_in σ_w²[0] Π_{k≥1} σ_w²[k]/2 at every hidden layer (the invariant of the docs page)."""
    prof = relu_variance_profile(scales, q_in)
    expected = q_in * scales[0] ** 2 * math.prod(s * s / 2 for s in scales[1:])
    for q, d in zip(prof["q"], prof["delta2"]):
        assert math.isclose(q * d, expected, rel_tol=1e-12)


def test_relu_profile_values():
    prof = relu_variance_profile([2.0, 1.0, 3.0], 0.5)  # L = 2
    assert prof["q"] == [2.0, 1.0]  # q_1 = 4·0.5; q_2 = 1/2·1·2
    assert prof["delta2"] == [0.5 * 4.5, 4.5]  # D_2 = 9/2, D_1 = 1/2 · 9/2
    with pytest.raises(ValueError, match="at least one hidden layer"):
        relu_variance_profile([1.0], 1.0)
