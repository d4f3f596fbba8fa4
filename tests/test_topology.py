"""Graph metrics of masks (docs/theory/topology.md)."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given

from theorycheck import strategies as tcs
from theorycheck import topology as T
from theorycheck.fixtures import biregular_mask, er_mask, left_regular_mask


def test_complete_bipartite():
    t = T.layer_topology(np.ones((9, 4)))
    assert t.mu0 == pytest.approx(6.0, abs=1e-12) and t.mu_hat < 1e-10
    assert t.delta_r == pytest.approx(math.sqrt(3) + math.sqrt(8), abs=1e-12)


@given(m=tcs.masks((12, 9), min_density=0.3))
def test_mu_hat_is_strictly_below_mu0_and_spectrum_symmetric(m):
    b = T.filter_isolated(T.as_biadjacency(m))
    dense = np.linalg.eigvalsh(T._adjacency(b).toarray())
    assert np.allclose(np.sort(dense), np.sort(-dense), atol=1e-9)  # bipartite: symmetric spectrum
    mu0, mh = T.mu_hat(T.spectrum_top(b))
    assert mh <= mu0


def test_weight_scaling_and_conv_unrolling():
    rng = np.random.default_rng(0)
    m = er_mask(rng, 40, 60, 0.2)
    t = T.layer_topology(m, weights=2.5 * np.ones_like(m))
    assert t.weighted_gap == pytest.approx(2.5 * (t.mu0 - t.mu_hat), rel=1e-10)
    conv = torch.from_numpy(rng.random((8, 3, 3, 3)) < 0.5).double()
    assert T.layer_topology(conv) == T.layer_topology(conv.reshape(8, 27))


def test_biregular_near_ramanujan_and_left_regular_imdb():
    rng = np.random.default_rng(1)
    t = T.layer_topology(biregular_mask(rng, 1000, 6))
    assert t.mu0 == pytest.approx(6.0, abs=1e-8) and t.mu_hat <= 2 * math.sqrt(5) + 0.15
    ml = left_regular_mask(rng, 256, 512, 8)
    i = T.imdb(ml)
    assert i["n_subgraphs"] == 1 and i["delta_r"] == pytest.approx(T.layer_topology(ml).delta_r, abs=1e-10)
    weighted = T.imdb(ml, np.abs(rng.normal(size=ml.shape)), expansion_weighted=True)
    assert weighted["weighted_gap"] is not None


def test_gates_and_narc_convention():
    rng = np.random.default_rng(2)
    sparse = er_mask(rng, 512, 1024, 0.004)
    assert T.layer_topology(sparse).delta_r is None
    dense = er_mask(rng, 512, 1024, 0.2)
    assert T.narc(dense) < -0.02  # with |E| = 2·#edges; with #edges it would be positive at every density


def test_full_spectrum_norm():
    assert T.full_spectrum_norm((3.0, float("inf"), None, 4.0)) == 5.0
    assert T.full_spectrum_norm((float("nan"), 0.0)) == 0.0


def test_bad_input():
    with pytest.raises(ValueError, match="mask must be 2-D"):
        T.layer_topology(np.ones(5))
    with pytest.raises(ValueError, match="non-negative"):
        T.layer_topology(-np.ones((3, 3)))
    with pytest.raises(ValueError, match="weights must have the mask's shape"):
        T.layer_topology(np.ones((3, 3)), weights=np.ones((2, 3)))
    with pytest.raises(ValueError, match="no edges"):
        T.narc(np.zeros((3, 3)))


def test_repeated_top_eigenvalue_counts_with_multiplicity():
    """Two disjoint K₃,₃: μ̂ = 3 and Δ_r = 2√2 − 3 = −0.17 as in both reference codes (before: μ̂ = 0, Δ_r = +2.83).
    A disconnected graph with equal components has no spectral gap."""
    t = T.layer_topology(np.kron(np.eye(2), np.ones((3, 3))))
    assert t.mu0 == pytest.approx(3.0, abs=1e-12) and t.mu_hat == pytest.approx(3.0, abs=1e-12)
    assert t.delta_r == pytest.approx(2 * math.sqrt(2) - 3, abs=1e-12)
    # large enough for the sparse path: two identical 800 × 700 random blocks (an all-ones start vector cannot
    # see the second copy); the answer equals the single block's μ₀
    rng = np.random.default_rng(3)
    blk = (rng.random((800, 700)) < 0.02).astype(float)
    two = np.kron(np.eye(2), blk)
    mu0, mh = T.mu_hat(T.spectrum_top(T.filter_isolated(T.as_biadjacency(two))))
    assert mh == pytest.approx(mu0, rel=1e-9)


def test_arpack_errors_fall_back_and_results_do_not_depend_on_call_history():
    """Two copies of one 10 × 8 block made ARPACK raise "No shifts could be applied"; now dense, and the sparse path
    starts from a seeded vector, so the same mask gives the same numbers before and after other calls."""
    rng = np.random.default_rng(0)
    blk = (rng.random((10, 8)) < 0.5).astype(float)
    two = np.kron(np.eye(2), blk)
    coord = T.full_spectrum_coordinate(two, np.abs(rng.normal(size=two.shape)))
    assert coord[0] is not None
    big = (rng.random((1200, 900)) < 0.01).astype(float)
    first = T.layer_topology(big)
    T.layer_topology((rng.random((1000, 1000)) < 0.02).astype(float))  # unrelated ARPACK work in between
    assert T.layer_topology(big) == first


@given(m=tcs.masks((12, 9), min_density=0.3))
def test_mu_hat_is_the_top_nontrivial_eigenvalue_with_multiplicity(m):
    b = T.filter_isolated(T.as_biadjacency(m))
    if b.nnz == 0:
        return
    dense = np.linalg.eigvalsh(T._adjacency(b).toarray())
    mags = np.sort(np.abs(dense))[::-1]
    mu0, mh = T.mu_hat(T.spectrum_top(b))
    assert mu0 == pytest.approx(mags[0], abs=1e-9) and mh == pytest.approx(mags[2] if mags.size > 2 else 0.0,
                                                                           abs=1e-8)


def test_imdb_weighted_gap_keeps_the_mask_indexing_when_a_kept_weight_is_zero():
    """A kept connection of weight exactly 0 (a fresh DST connection) once dropped a column from |W ⊙ M| only, so the
    weighted sub-graphs were cut from the wrong columns. Zero weight must read as a vanishing edge: the same numbers
    as a weight of 1e-300, and the same sub-graphs as the mask."""
    rng = np.random.default_rng(3)
    mask = er_mask(rng, 60, 50, 0.15)  # out-degrees vary: several IMDB sub-graphs
    w = np.abs(rng.standard_normal(mask.shape)) + 0.5
    deg = mask.sum(0)
    common = np.bincount(deg.astype(int)).argmax()  # the largest sub-graph
    col = int(np.flatnonzero(deg == common)[0])
    w[mask[:, col] > 0, col] = 0.0  # every kept weight of one input is zero: that input vanishes from |W ⊙ M| only
    tiny = np.where(w == 0, 1e-300, w)
    got, ref = T.imdb(mask, w), T.imdb(mask, tiny)
    assert got["n_subgraphs"] == ref["n_subgraphs"] == T.imdb(mask)["n_subgraphs"]
    assert got["weighted_gap"] == pytest.approx(ref["weighted_gap"], rel=1e-12, abs=1e-12)
