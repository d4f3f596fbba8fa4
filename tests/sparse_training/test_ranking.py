"""PaI masks, mask metrics and the method-ranking statistic (docs/theory/pai_metrics.md)."""

import math

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from theorycheck.sparse_training import digits_mlp, digits_split
from theorycheck.sparse_training.ranking import (
    PAI_METHODS,
    bootstrap_rank_correlation,
    mask_metrics,
    n_prunable,
    pai_masks,
    rank_correlation,
)
from theorycheck.topology import imdb, layer_topology


@pytest.fixture(scope="module")
def setup():
    data = digits_split()
    return digits_mlp(seed=0), data.x_train[:256], data.y_train[:256]


@pytest.mark.parametrize("method", PAI_METHODS)
def test_every_method_keeps_the_global_density(method, setup):
    model, x, y = setup
    masks = pai_masks(method, model, 0.05, x, y, seed=0, synflow_iterations=10)
    n = n_prunable(model)
    nnz = sum(int(m.sum()) for m in masks)
    assert abs(nnz - round(0.05 * n)) <= (2 if method in ("rand", "erk") else 0)
    assert all(bool(((m == 0) | (m == 1)).all()) for m in masks)


def test_pai_masks_validates(setup):
    model, x, y = setup
    with pytest.raises(ValueError, match="method"):
        pai_masks("lottery", model, 0.1, x, y)
    with pytest.raises(ValueError, match="batch"):
        pai_masks("snip", model, 0.1)
    with pytest.raises(ValueError, match="grasp_temperature"):
        pai_masks("grasp", model, 0.1, x, y, grasp_temperature=0.0)
    with pytest.raises(ValueError, match="density"):
        pai_masks("rand", model, 0.0)


def test_mask_metrics_average_the_defined_layers(setup):
    model, x, y = setup
    masks = pai_masks("snip", model, 0.1, x, y)
    weights = [model[i].weight for i in (0, 2, 4)]
    met = mask_metrics(masks, weights)
    per = [layer_topology(m, w.detach()) for m, w in zip(masks, weights)]
    dr = [t.delta_r for t in per if t.delta_r is not None]
    assert met["delta_r"] == pytest.approx(np.mean(dr))
    assert met["weighted_gap"] == pytest.approx(np.mean([t.weighted_gap for t in per]))
    assert met["imdb"] == pytest.approx(np.mean([v for v in (imdb(m)["delta_r"] for m in masks) if v is not None]))
    assert met["densities"] == pytest.approx([float(m.mean()) for m in masks])


def test_rank_correlation_is_spearman_of_method_means_averaged_over_densities():
    rng = np.random.default_rng(0)
    metric, acc = rng.normal(size=(3, 5, 4)), rng.normal(size=(3, 5, 4))
    rho, per = rank_correlation(metric, acc)
    manual = [spearmanr(metric[i].mean(1), acc[i].mean(1)).statistic for i in range(3)]
    assert per == pytest.approx(manual) and rho == pytest.approx(np.mean(manual))
    # an increasing affine function of accuracy ranks perfectly; its negation perfectly backwards
    assert rank_correlation(3 * acc + 1, acc)[0] == pytest.approx(1.0)
    assert rank_correlation(-acc, acc)[0] == pytest.approx(-1.0)


def test_undefined_methods_drop_out_and_too_few_leave_a_density_undefined():
    acc = np.arange(30, dtype=float).reshape(2, 5, 3)
    metric = acc.copy()
    metric[0, :3] = np.nan  # only 2 methods left at density 0: ρ undefined there
    metric[1, 0] = np.nan  # 4 methods left at density 1
    rho, per = rank_correlation(metric, acc)
    assert math.isnan(per[0]) and per[1] == pytest.approx(1.0) and rho == pytest.approx(1.0)


def test_bootstrap_interval_contains_the_estimate_and_is_seeded():
    rng = np.random.default_rng(1)
    acc = rng.normal(size=(3, 5, 6)) + np.arange(5)[None, :, None]
    metric = acc + rng.normal(scale=0.5, size=acc.shape)
    rho, _ = rank_correlation(metric, acc)
    lo, hi = bootstrap_rank_correlation(metric, acc, resamples=200, seed=3)
    assert lo <= rho <= hi and (lo, hi) == bootstrap_rank_correlation(metric, acc, resamples=200, seed=3)
    with pytest.raises(ValueError, match="resamples"):
        bootstrap_rank_correlation(metric, acc, resamples=0)
    with pytest.raises(ValueError, match="metric and accuracy"):
        rank_correlation(metric[:, :, 0], acc[:, :, 0])


def test_grasp_temperature_changes_the_scores(setup):
    model, x, y = setup
    a = pai_masks("grasp", model, 0.05, x, y, grasp_temperature=1.0)
    b = pai_masks("grasp", model, 0.05, x, y, grasp_temperature=200.0)
    assert any(not torch.equal(m1, m2) for m1, m2 in zip(a, b))
