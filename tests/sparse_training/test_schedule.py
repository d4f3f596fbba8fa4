"""The cosine drop schedule of DST (docs/theory/dynamic_sparse_training.md#update-rules)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theorycheck.sparse_training import CosineDropSchedule


def test_cosine_values_at_the_landmarks():
    s = CosineDropSchedule(0.3, 25, 345)
    assert abs(s.fraction(0) - 0.3) < 1e-15
    assert abs(s.fraction(345 / 2) - 0.15) < 1e-15
    assert abs(s.fraction(345)) < 1e-15 and s.fraction(346) == 0.0 and s.fraction(10**6) == 0.0
    # an independent route: TF cosine_decay(α, t, T_end, alpha=0) = α·½(1 + cos(π·min(t, T)/T))
    for t in (1, 7, 100, 200, 344):
        assert abs(s.fraction(t) - 0.3 * 0.5 * (1 + math.cos(math.pi * min(t, 345) / 345))) < 1e-15


def test_updates_every_interval_until_t_end_and_never_after():
    s = CosineDropSchedule(0.3, 25, 345)
    assert s.update_steps() == list(range(25, 326, 25)) and len(s.update_steps()) == 13
    assert [t for t in range(0, 1000) if s.is_update(t)] == s.update_steps()
    assert CosineDropSchedule(0.3, 25, 350).update_steps()[-1] == 350  # T_end itself may update (with k = 0)
    assert CosineDropSchedule(0.3, 25, 350).n_drop(350, 1000) == 0


@given(alpha=st.floats(0.01, 0.99), t_end=st.integers(1, 5000), nnz=st.integers(0, 10**6))
def test_n_drop_is_floor_of_fraction_times_nnz(alpha, t_end, nnz):
    s = CosineDropSchedule(alpha, 1, t_end)
    for t in (0, t_end // 3, t_end):
        k = s.n_drop(t, nnz)
        assert k == int(s.fraction(t) * nnz) and 0 <= k <= alpha * nnz
    assert s.fraction(0) >= s.fraction(t_end // 2) >= s.fraction(t_end)  # monotone anneal


@pytest.mark.parametrize("alpha", [0.0, 1.0, -0.1, 1.5, math.nan])
def test_drop_fraction_outside_open_unit_interval_is_rejected(alpha):
    with pytest.raises(ValueError, match="drop_fraction"):
        CosineDropSchedule(alpha, 10, 100)


def test_interval_and_t_end_are_validated():
    with pytest.raises(ValueError, match="interval"):
        CosineDropSchedule(0.3, 0, 100)
    with pytest.raises(ValueError, match="interval"):
        CosineDropSchedule(0.3, -5, 100)
    with pytest.raises(TypeError, match="interval"):
        CosineDropSchedule(0.3, 2.5, 100)
    with pytest.raises(ValueError, match="t_end"):
        CosineDropSchedule(0.3, 10, 0)
    with pytest.raises(TypeError, match="drop_fraction"):
        CosineDropSchedule("0.3", 10, 100)
    with pytest.raises(ValueError, match="t"):
        CosineDropSchedule(0.3, 10, 100).fraction(-1)
