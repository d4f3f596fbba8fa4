"""IHT/AIHT/sequential: the streamed step equals the dense formula, iterates are s-sparse, planted networks are
recovered, bad input is refused."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theorycheck.sparse_recovery import hard_threshold, iht, planted_network
from theorycheck.sparse_recovery.iht import _stream_step


@given(n=st.integers(2, 10), d=st.integers(1, 5), p=st.integers(1, 8), chunk=st.integers(1, 4),
       s=st.integers(1, 6), seed=st.integers(0, 1000))
def test_streamed_step_equals_dense_hard_threshold(n, d, p, chunk, s, seed):
    from theorycheck.sparse_recovery import ActivationPatternOperator

    rng = np.random.default_rng(seed)
    op = ActivationPatternOperator(rng.standard_normal((n, d)), p, seed=seed, chunk=chunk)
    s = min(s, d * p)
    w = hard_threshold(rng.standard_normal(d * p), s)
    idx = np.flatnonzero(w)
    r = rng.standard_normal(n)
    mu = float(rng.uniform(0.1, 2))
    got_i, got_v = _stream_step(op, idx, w[idx], r, mu, s)
    want = hard_threshold(w + mu * op.dense().T @ r, s)
    assert got_i.size == s
    dense = np.zeros(d * p)
    dense[got_i] = got_v
    # same kept magnitudes (the kept set can differ only among exact ties)
    assert np.allclose(np.sort(np.abs(dense)), np.sort(np.abs(want)), atol=1e-12)


def test_hard_threshold():
    assert np.array_equal(hard_threshold(np.array([1.0, -3.0, 2.0, 0.5]), 2), [0, -3.0, 2.0, 0])
    assert np.array_equal(hard_threshold(np.array([1.0, -1.0, 1.0]), 1), [1.0, 0, 0])  # tie → lower index
    with pytest.raises(ValueError, match="s must be"):
        hard_threshold(np.ones(3), 4)


@pytest.mark.parametrize("variant", ["aiht", "sequential"])
def test_recovers_a_planted_network_well_above_the_boundary(variant):
    net = planted_network(16, 2, 3, seed=1)
    prob = net.problem(200, 24, seed=2)
    res = iht(prob.op, prob.y, net.s, variant=variant, max_iter=200)
    assert res.converged
    assert np.linalg.norm(res.dense() - prob.w_star) <= 1e-8 * np.linalg.norm(prob.w_star)
    assert set(res.support_sizes) == {net.s} and set(res.nonzeros) == {net.s}


def test_no_recovery_below_s_samples():
    net = planted_network(16, 4, 3, seed=0)
    prob = net.problem(net.s - 1, 32, seed=3)
    res = iht(prob.op, prob.y, net.s, variant="aiht", max_iter=50)
    assert np.linalg.norm(res.dense() - prob.w_star) > 1e-3 * np.linalg.norm(prob.w_star)


def test_plain_iht_decreases_the_residual_and_stays_sparse():
    net = planted_network(10, 2, 2, seed=4)
    prob = net.problem(80, 12, seed=5)
    res = iht(prob.op, prob.y, net.s, variant="iht", max_iter=80, stall=0)
    assert res.residuals[-1] < res.residuals[0]
    assert set(res.support_sizes) == {net.s}


def test_sequential_leaves_the_operator_unchanged():
    net = planted_network(8, 2, 2, seed=6)
    prob = net.problem(60, 10, seed=7, planted_patterns=False)
    before = prob.op.dense().copy()
    res = iht(prob.op, prob.y, net.s, variant="sequential", max_iter=20)
    assert np.array_equal(prob.op.dense(), before) and res.generators


def test_same_seed_same_result():
    net = planted_network(10, 2, 2, seed=8)
    a = iht(net.problem(30, 8, seed=9).op, net.problem(30, 8, seed=9).y, net.s, max_iter=30)
    b = iht(net.problem(30, 8, seed=9).op, net.problem(30, 8, seed=9).y, net.s, max_iter=30)
    assert np.array_equal(a.indices, b.indices) and np.array_equal(a.values, b.values)


def test_validation():
    net = planted_network(6, 1, 2, seed=0)
    prob = net.problem(10, 3, seed=0)
    with pytest.raises(ValueError, match="s must be"):
        iht(prob.op, prob.y, 6 * 3 + 1)
    with pytest.raises(ValueError, match="variant must be one of"):
        iht(prob.op, prob.y, 2, variant="fast")
    with pytest.raises(ValueError, match="y must be"):
        iht(prob.op, prob.y[:3], 2)
    with pytest.raises(TypeError, match="op must be"):
        iht(np.ones((3, 3)), prob.y, 2)
