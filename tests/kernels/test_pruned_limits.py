"""Limits of pruned networks (THEORY.md §0.5, §1 checks 1, 2)."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import theorycheck as tc


def _x(seed, n=6, d=10):
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


@given(depth=st.integers(1, 5), p=st.floats(0.0, 0.99), layers=st.sampled_from(["all", "hidden", "all_but_input"]),
       seed=st.integers(0, 999))
def test_relu_bias_free_scaling_identity(depth, p, layers, seed):
    """(1−p)^k identity: exact with the input layer dense, and for the d → ∞ recursion of a pruned input layer."""
    x = _x(seed)
    dense = tc.MLP(depth=depth, sigma_w=math.sqrt(2)).kernel(x)
    pruned = tc.MLP(depth=depth, sigma_w=math.sqrt(2), prune=p, prune_layers=layers, input_layer="gaussian").kernel(x)
    k = depth if layers == "all_but_input" else (depth + 1 if layers == "all" else depth)
    for kind in ("nngp", "ntk"):
        ref = (1 - p) ** k * getattr(dense, kind)
        assert float((getattr(pruned, kind) - ref).norm() / ref.norm()) < 1e-12


@pytest.mark.parametrize("act", ["relu", "erf", "tanh"])
def test_architectural_rescaling_gives_exactly_the_dense_limit(act):
    x = _x(1)
    kw = dict(depth=3, activation=act, sigma_w=1.3, sigma_b=0.4, quadrature_degree=16)
    d, a = tc.MLP(**kw).kernel(x), tc.MLP(prune=0.8, rescale=True, **kw).kernel(x)
    assert torch.equal(d.ntk, a.ntk) and torch.equal(d.nngp, a.nngp)


def test_value_rescaling_keeps_nngp_and_scales_weight_terms():
    x = _x(2)
    q = 0.3
    dense = tc.MLP(depth=2, sigma_w=math.sqrt(2)).kernel(x)
    b = tc.MLP(depth=2, sigma_w=math.sqrt(2), prune=1 - q, rescale="weights", prune_layers="all",
               input_layer="gaussian").kernel(x)
    assert torch.allclose(b.nngp, dense.nngp, rtol=1e-14)
    assert torch.allclose(b.ntk, q * dense.ntk, rtol=1e-13)  # σ_b = 0: every term is a weight term
    # with a bias the bias terms are not scaled, so there is no single factor
    bb = tc.MLP(depth=2, sigma_w=math.sqrt(2), sigma_b=0.5, prune=1 - q, rescale="weights", prune_layers="all",
                input_layer="gaussian").kernel(x)
    db = tc.MLP(depth=2, sigma_w=math.sqrt(2), sigma_b=0.5).kernel(x)
    assert float((bb.ntk - q * db.ntk).norm() / bb.ntk.norm()) > 0.05


def test_bias_breaks_the_scalar_factor():
    """THEORY.md §1 check 2: σ_b² = 0.1 gives ‖Θ_p − q^{L+1}Θ‖/‖Θ_p‖ > 0.1 (observed 0.33 at q = 0.5)."""
    x = _x(3)
    x = x / x.norm(dim=1, keepdim=True) * math.sqrt(10)
    for q in (0.5, 0.1):
        kw = dict(depth=2, sigma_w=math.sqrt(2), sigma_b=math.sqrt(0.1))
        p = tc.MLP(prune=1 - q, **kw).kernel(x).ntk  # input layer dense: L = 2 pruned matrices
        d = tc.MLP(**kw).kernel(x).ntk
        assert float((p - q**2 * d).norm() / p.norm()) > 0.1


def test_pruned_mp_agrees_with_float64():
    x = np.random.default_rng(0).normal(size=(4, 3))
    for rescale in (False, True, "weights"):
        spec = tc.MLP(depth=3, activation="erf", sigma_w=1.2, sigma_b=0.3, prune=0.4, rescale=rescale,
                      prune_layers=[0, 2])
        k, mp = spec.kernel(x), spec.kernel_mp(x, dps=40).to_torch()
        assert float(((k.ntk - mp.ntk).abs() / mp.ntk.abs()).max()) < 1e-13


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(prune=1.0), ValueError, r"prune must lie in \[0, 1\)"),
    (dict(prune=-0.1), ValueError, r"prune must lie in \[0, 1\)"),
    (dict(prune=float("nan")), ValueError, "prune must be a finite real number"),
    (dict(prune=0.5, mask="topk"), ValueError, "mask must be one of bernoulli, exact"),
    (dict(prune=0.5, rescale="yes"), ValueError, "rescale must be False, True or 'weights'"),
    (dict(prune=0.5, rescale=1), ValueError, "rescale must be"),
    (dict(prune=0.5, prune_layers="first"), ValueError, "prune_layers must be 'all', 'all_but_input', 'hidden'"),
    (dict(prune=0.5, prune_layers=[7]), ValueError, "prune_layers entry"),
    (dict(prune=0.5, prune_layers=3), TypeError, "prune_layers must be"),
])
def test_bad_pruning_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        tc.MLP(depth=2, **kwargs)
