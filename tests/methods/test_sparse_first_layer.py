"""Sparse first layers at equal nonzeros (Davelouis et al. 2025) and the spatial mask as a graphon."""

import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import theorycheck as tc
from theorycheck.fixtures import digits
from theorycheck.methods.data import digits_split
from theorycheck.methods.sparse_first_layer import (
    first_layer_mask,
    fixed_features_accuracy,
    learned_accuracy,
    n_patches,
    spatial_graphon,
    units_at_budget,
)


def test_units_at_equal_budget():
    assert units_at_budget("dense", 2048, 64, 9) == 32
    assert units_at_budget("random", 2048, 64, 9) == units_at_budget("spatial", 2048, 64, 9) == 227
    assert n_patches((8, 8), 3) == 36


@settings(max_examples=15)
@given(h=st.integers(2, 9), w=st.integers(2, 9), patch=st.integers(1, 4), seed=st.integers(0, 1000))
def test_masks_have_the_fan_in_and_spatial_rows_are_patches(h, w, patch, seed):
    patch = min(patch, h, w)
    for kind in ("random", "spatial"):
        m = first_layer_mask(kind, 7, (h, w), patch, seed=seed)
        assert m.shape == (7, h * w) and torch.all(m.sum(dim=1) == patch * patch)
    m = first_layer_mask("spatial", 7, (h, w), patch, seed=seed).reshape(7, h, w)
    for img in m:
        r, c = torch.nonzero(img, as_tuple=True)
        assert int(r.max() - r.min()) == int(c.max() - c.min()) == patch - 1  # one contiguous p×p window
    assert torch.all(first_layer_mask("dense", 3, (h, w), patch) == 1)


@settings(max_examples=10)
@given(h=st.integers(3, 8), w=st.integers(3, 8), patch=st.integers(1, 3), m=st.integers(1, 3))
def test_spatial_graphon_on_the_grid_gives_every_patch_once_per_block(h, w, patch, m):
    """At n_out = P·m rows, the graphon's values are exactly the P spatial windows, each m times."""
    g = spatial_graphon((h, w), patch)
    p = n_patches((h, w), patch)
    vals = tc.MLP(depth=1, graphons=[g, None]).graphon_matrix(0, p * m, h * w)
    assert torch.all(vals.sum(dim=1) == patch * patch)
    windows = {tuple(r.tolist()) for r in first_layer_mask("spatial", 400, (h, w), patch, seed=0)}
    rows = [tuple(r.tolist()) for r in vals]
    assert set(rows) == windows and all(rows.count(r) == m for r in set(rows))


def test_spatial_graphon_kernel_equals_the_explicit_patch_average():
    """Identity activation, depth 1: NNGP = σ_w²(σ_w²/d · mean_p Σ_{j∈p} x_j x'_j + σ_b²) + σ_b², enumerated."""
    x, _ = digits(6)
    sw, sb, patch = 1.3, 0.2, 3
    spec = tc.MLP(depth=1, activation="identity", sigma_w=sw, sigma_b=sb,
                  graphons=[spatial_graphon((8, 8), patch), None], graphon_resolution=36 * 4)
    windows = first_layer_mask("spatial", 2000, (8, 8), patch, seed=1).unique(dim=0)
    assert len(windows) == 36
    gram = torch.stack([(x * w) @ x.T for w in windows]).mean(dim=0)
    expected = sw**2 * (sw**2 / 64 * gram + sb**2) + sb**2
    assert torch.allclose(spec.kernel(x).nngp, expected, rtol=1e-12)
    broken = sw**2 * (sw**2 * 9 / 64**2 * (x @ x.T) + sb**2) + sb**2  # the constant-density kernel differs
    assert float((spec.kernel(x).nngp - broken).norm() / expected.norm()) > 0.05


def test_mlp_with_the_spatial_graphon_runs_and_finite_networks_approach_it():
    x, _ = digits(8)
    spec = tc.MLP(depth=2, sigma_w=math.sqrt(2), sigma_b=0.1, graphons=[spatial_graphon(), None, None],
                  graphon_resolution=288)
    lim = spec.kernel(x).ntk
    assert lim.shape == (8, 8) and bool(torch.isfinite(lim).all())

    def err(width, seed):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            net = spec.network(width, 64, seed=seed)
        assert torch.all(net.masks()[0].sum(dim=1) == 9)
        return float((tc.empirical_ntk(net, x) - lim).norm() / lim.norm())

    small, large = (np.mean([err(w, s) for s in range(3)]) for w in (144, 2304))
    assert large < small / 2  # the m^(-1/2) rate predicts a factor 4 from 144 to 2304
    assert large < 0.1


def test_fixed_and_learned_accuracy_run_and_are_seeded():
    xtr, ytr, xte, yte = digits_split(0)
    mask = first_layer_mask("random", 50, seed=0)
    a = fixed_features_accuracy(xtr, ytr, xte, yte, mask, seed=1)
    assert a == fixed_features_accuracy(xtr, ytr, xte, yte, mask, seed=1) and a > 0.8
    b = learned_accuracy(xtr[:300], ytr[:300], xte, yte, mask, epochs=3, lr=1e-2, seed=1)
    assert b == learned_accuracy(xtr[:300], ytr[:300], xte, yte, mask, epochs=3, lr=1e-2, seed=1) and b > 0.3


@pytest.mark.parametrize("call, match", [
    (lambda: units_at_budget("conv", 100, 64, 9), "kind must be one of dense, random, spatial"),
    (lambda: units_at_budget("dense", 10, 64, 9), r"budget must be an integer in \[64"),
    (lambda: units_at_budget("random", 100, 64, 65), r"fan_in must be an integer in \[1, 64\]"),
    (lambda: first_layer_mask("spatial", 3, (4, 4), 5), r"patch must be an integer in \[1, 4\]"),
    (lambda: first_layer_mask("spatial", 0), r"n_units must be an integer in \[1"),
    (lambda: spatial_graphon((8,), 3), "image_shape must be a pair"),
    (lambda: first_layer_mask("random", 3, seed=2**64), r"seed must be an integer in \[0, 18446744073709551615\]"),
    (lambda: first_layer_mask("spatial", 3, seed=-1), r"seed must be an integer in \[0"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_training_arguments():
    xtr, ytr, xte, yte = digits_split(0)
    mask = first_layer_mask("random", 5, seed=0)
    with pytest.raises(ValueError, match=r"lr must lie in \(0"):
        learned_accuracy(xtr, ytr, xte, yte, mask, lr=-1e-3)
    with pytest.raises(ValueError, match="x_train and x_test must be"):
        fixed_features_accuracy(xtr[:, :10], ytr, xte, yte, mask)
    with pytest.raises(ValueError, match=r"c must lie in \(0"):
        fixed_features_accuracy(xtr, ytr, xte, yte, mask, c=0.0)
