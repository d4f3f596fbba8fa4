"""Full-spectrum coordinates of sparse layers, the random control, PAGS selection and the leakage guard
(docs/theory/dynamic_sparse_training.md)."""

import math

import numpy as np
import pytest
import torch

from theorycheck.sparse_training import (
    held_out_correlation,
    layer_coordinates,
    pags_select,
    pearson_weights,
    random_control,
    weighted_distance,
)
from theorycheck.topology import full_spectrum_coordinate, layer_topology


def _layer(seed, shape=(40, 60), density=0.2):
    g = torch.Generator().manual_seed(seed)
    m = (torch.rand(shape, generator=g, dtype=torch.float64) < density).to(torch.float64)
    return m, torch.randn(shape, generator=g, dtype=torch.float64) * m, g


def test_coordinates_match_the_topology_module_and_the_manual_norm():
    m, w, _ = _layer(0)
    (row,) = layer_coordinates([m], [w])
    ref = full_spectrum_coordinate(m, w)
    assert [row[k] for k in ("delta_r", "weighted_gap", "imdb_delta_r", "imdb_weighted_gap")] == pytest.approx(ref)
    assert row["norm"] == pytest.approx(math.sqrt(sum((v or 0.0) ** 2 for v in ref)), rel=1e-14)
    assert row["nnz"] == int(m.sum())


def test_coordinates_survive_kept_connections_with_zero_weight():
    """DST's new connections have weight 0; a kept input whose weights are all 0 must not misalign the IMDB."""
    m, w, _ = _layer(1)
    col = int(torch.nonzero(m.sum(0) > 0)[0])
    w[:, col] = 0.0  # every kept connection of this input has weight 0
    w[:5][m[:5] > 0] = 0.0
    (row,) = layer_coordinates([m], [w])
    assert row["delta_r"] == pytest.approx(layer_topology(m).delta_r, abs=1e-12)
    # λ of the full graph: the 0-weight edges add only zero-weight nodes, which change neither μ0 nor μ̂
    assert row["weighted_gap"] == pytest.approx(layer_topology(m, w).weighted_gap, rel=1e-10)
    assert math.isfinite(row["imdb_weighted_gap"])


def test_random_control_has_the_layer_nnz_and_weights():
    m, w, g = _layer(2, (100, 80), 0.15)
    c = random_control(m, w, g)
    assert c["delta_r"] is not None and c["weighted_gap"] > 0
    # with all weights equal the control's λ is w·(μ0 − μ̂) of its own mask (THEORY scaling identity)
    c2 = random_control(m, 0.5 * m, torch.Generator().manual_seed(3))
    cm = torch.zeros(m.numel(), dtype=torch.float64)
    cm[torch.randperm(m.numel(), generator=torch.Generator().manual_seed(3))[: int(m.sum())]] = 1.0
    t = layer_topology(cm.reshape(m.shape))
    assert c2["weighted_gap"] == pytest.approx(0.5 * (t.mu0 - t.mu_hat), rel=1e-8)
    assert c2["delta_r"] == pytest.approx(t.delta_r, rel=1e-10)


def test_pags_keeps_the_largest_summed_norm():
    layers = [_layer(s)[0] for s in range(5)]
    w = [torch.ones_like(layers[0])]
    res = pags_select(lambda i: [layers[i]], 5, w)
    manual = [layer_coordinates([layers[i]], w)[0]["norm"] for i in range(5)]
    assert res.norms == pytest.approx(manual) and res.index == int(np.argmax(manual))
    assert torch.equal(res.masks[0], layers[res.index])
    with pytest.raises(ValueError, match="population"):
        pags_select(lambda i: [layers[0]], 0, w)
    with pytest.raises(TypeError, match="candidate"):
        pags_select(layers, 3, w)


def test_pearson_weights_and_distance():
    rng = np.random.default_rng(0)
    a = rng.normal(size=30)
    c = np.column_stack([a + 5, rng.normal(size=30) + 5, np.full(30, 2.0)])
    w = pearson_weights(c, a)
    r1 = abs(np.corrcoef(c[:, 1], a)[0, 1])
    assert w.sum() == pytest.approx(1.0) and w[2] == 0.0 and w[0] == pytest.approx(1 / (1 + r1))
    assert weighted_distance(c, [0, 0, 1]) == pytest.approx(np.full(30, 2.0))
    assert weighted_distance(c, [0.5, 0.5, 0]) == pytest.approx(np.sqrt(0.5 * c[:, 0] ** 2 + 0.5 * c[:, 1] ** 2))
    with pytest.raises(ValueError, match="accuracy"):
        pearson_weights(c, a[:5])
    with pytest.raises(ValueError, match="weights"):
        weighted_distance(c, [1, -1, 0])


def test_held_out_correlation_refuses_leakage():
    rng = np.random.default_rng(1)
    c, a = rng.normal(size=(12, 3)), rng.normal(size=12)
    with pytest.raises(ValueError, match="disjoint"):
        held_out_correlation(c, a, range(0, 6), range(5, 12))
    with pytest.raises(ValueError, match="≥ 3"):
        held_out_correlation(c, a, [0, 1], range(2, 12))
    # a coordinate that is the accuracy: weights fitted on one half rank the other half perfectly
    c2 = np.column_stack([a + 10, rng.normal(size=12)])
    assert held_out_correlation(c2, a, range(6), range(6, 12)) > 0.9
