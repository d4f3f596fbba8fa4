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
    assert mh < mu0 or mu0 == 0
    mags = np.unique(np.round(np.abs(dense), 9))[::-1]
    assert mh == pytest.approx(mags[1] if len(mags) > 1 else 0.0, abs=1e-8)


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
