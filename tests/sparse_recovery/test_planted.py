"""Planted networks: the generator meets its conditions, the violations violate them, A w* = y exactly."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theorycheck.sparse_recovery import pattern_conditions, planted_network, violating_network


@given(d=st.integers(4, 20), k=st.integers(1, 5), s=st.integers(1, 4), seed=st.integers(0, 1000))
def test_planted_meets_conditions_and_reformulation_is_exact(d, k, s, seed):
    s = min(s, d)
    try:
        net = planted_network(d, k, s, seed, min_separation=0.1, max_tries=200)
    except ValueError:
        return  # no separated draw exists for these sizes (e.g. k large, s = 1): the generator says so
    assert net.s == k * s and np.all(np.count_nonzero(net.u, axis=0) == s)
    un = net.u / np.linalg.norm(net.u, axis=0)
    if k > 1:
        ang = np.arccos(np.clip(un.T @ un, -1, 1))[~np.eye(k, dtype=bool)]
        assert ang.min() / np.pi >= 0.1
    prob = net.problem(40, k + 3, seed)
    assert np.abs(prob.op.matvec(prob.w_star) - prob.y).max() <= 1e-12 * max(1.0, np.abs(prob.y).max())
    assert prob.support.size == net.s


def test_measured_conditions_match_the_population_values():
    """Separation → θ/π and coverage → 1/2 on a large Gaussian sample (independent route: the angle formula)."""
    net = planted_network(10, 3, 4, seed=5)
    x = net.inputs(200_000, 1)
    c = pattern_conditions(x, net.u)
    un = net.u / np.linalg.norm(net.u, axis=0)
    theta = np.arccos(np.clip(un.T @ un, -1, 1))[~np.eye(3, dtype=bool)].min() / np.pi
    assert abs(c["min_separation"] - theta) < 0.005
    assert abs(c["min_coverage"] - 0.5) < 0.005


def test_violations_violate():
    dup = violating_network(12, 4, 3, seed=0, kind="duplicate")
    low = violating_network(12, 4, 3, seed=0, kind="low_coverage", coverage=0.02)
    x = dup.inputs(20_000, 2)
    assert pattern_conditions(x, dup.u)["min_separation"] < 0.05
    c = pattern_conditions(low.inputs(20_000, 2), low.u)
    assert abs(c["min_coverage"] - 0.02) < 0.005 and c["min_separation"] > 0.05
    assert np.all(low.inputs(5, 0)[:, -1] == 1.0)


def test_validation():
    with pytest.raises(ValueError, match="s_per_neuron"):
        planted_network(4, 2, 5, 0)
    with pytest.raises(ValueError, match="kind must be one of"):
        violating_network(4, 2, 2, 0, kind="nope")
    with pytest.raises(ValueError, match="k must be even"):
        violating_network(4, 3, 2, 0, kind="duplicate")
    with pytest.raises(ValueError, match="min_separation"):
        planted_network(2, 6, 1, 0, min_separation=0.4, max_tries=5)
    net = planted_network(6, 2, 2, 0)
    with pytest.raises(ValueError, match="n must be"):
        net.problem(0, 4, 0)
    with pytest.raises(ValueError, match="p must be"):
        net.problem(5, 1, 0)
