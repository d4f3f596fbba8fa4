"""Graphon NTK and spectral metrics (docs/theory/graphon.md)."""

import math
import warnings

import numpy as np
import pytest
import torch

import theorycheck as tc
from theorycheck.fixtures import network_kernel_error, smooth_graphon
from theorycheck.kernels.graphon import graphon_kernels, graphon_values
from theorycheck.kernels.recursion import mlp_kernels
from theorycheck.kernels.steps import GraphonStep, KernelStep
from theorycheck.spectral import linearized_loss, spectral_metrics

from .graphon_reference import graphon_kernels_reference

U = 2.0**-53


def _x(seed, n=5, d=12):
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


@pytest.mark.parametrize("act, sb", [("relu", 0.0), ("erf", 0.3), ("tanh", 0.2), ("abs", 0.1)])
def test_constant_graphons_equal_the_pruned_recursion(act, sb):
    """W ≡ c on every matrix is the pruned recursion with σ_w² → cσ_w² (any activation, with a bias): the spec runs
    it through the same (c, c, c) steps, so the kernels are identical (1 − 0.4 == 0.6 in float64)."""
    x = _x(0)
    kw = dict(depth=2, activation=act, sigma_w=1.3, sigma_b=sb, quadrature_degree=16)
    kw["input_layer"] = "gaussian"  # d → ∞ input layer on both sides (exact one: tests/kernels/test_input_layer.py)
    g = tc.MLP(graphons=[0.6, 0.6, 0.6], graphon_resolution=16, **kw).kernel(x)
    p = tc.MLP(prune=0.4, prune_layers="all", **kw).kernel(x)
    assert torch.equal(g.ntk, p.ntk) and torch.equal(g.nngp, p.nngp)


def _constant_grid(cs, k, d):
    sizes = [d] + [k] * (len(cs) - 1) + [1]
    return [GraphonStep(torch.full((sizes[i + 1], sizes[i]), c, dtype=torch.float64)) for i, c in enumerate(cs)]


@pytest.mark.parametrize("act", ["relu", "erf", "tanh", "abs", "identity"])
def test_position_engine_on_constant_graphons_equals_the_pruned_engine(act):
    """Constant matrices through the position engine (K = 8 positions, GEMMs over the grid) give the (c, c, c)
    recursion to 1e-15 relative to the largest entry: only the sums of K equal terms round differently."""
    x, y = _x(0, n=12, d=7), _x(1, n=5, d=7)
    e = tc.get_activation(act).expectations(16)
    for cs in ([0.6, 0.6, 0.6], [0.3, 0.9, 0.45]):
        for x2 in (None, y):
            kw = dict(depth=2, sigma_w=1.3, sigma_b=0.2, expect=e)
            a = mlp_kernels(x, x2, steps=_constant_grid(cs, 8, 7), **kw)
            b = mlp_kernels(x, x2, steps=[KernelStep(c, c, c) for c in cs], **kw)
            for u, v in zip(a, b):
                assert float((u - v).abs().max() / v.abs().max()) <= 1e-15


@pytest.mark.parametrize("act, sb", [("relu", 0.0), ("erf", 0.3), ("tanh", 0.2), ("leaky_relu", 0.1)])
def test_blocked_engine_equals_the_backward_reference(act, sb):
    """The forward, row-blocked Θ̃ recursion equals the backward G-sum on whole [K, n, n] tensors
    (tests/kernels/graphon_reference.py) for non-constant graphons, any block size, one or two batches. Bound:
    K-term sums in a different order, compounded over 3 layers: 3·K·u relative to the largest entry."""
    x, y = _x(2, n=9, d=6), _x(3, n=4, d=6)
    k = 16
    e = tc.get_activation(act, negative_slope=-0.3).expectations(16)
    if act == "tanh":  # a fixed per-entry rule: the adaptive quadrature grades its panels per block
        from theorycheck.kernels.quadrature import GaussHermite

        e = GaussHermite(tc.get_activation(act), 16)
    fns = [lambda v, u: 0.2 + 0.7 * v * u, lambda v, u: (0.9 - 0.8 * (v - u).abs()), lambda v, u: 0.3 + 0.6 * u]
    mats = [graphon_values(fns[0], k, 6), graphon_values(fns[1], k, k), graphon_values(fns[2], 1, k)]
    for x2 in (None, y):
        ref = graphon_kernels_reference(x, x2, mats, sigma_w=1.2, sigma_b=sb, expect=e)
        for be in (None, 1, k * 5, k * 37):
            out = graphon_kernels(x, x2, mats, sigma_w=1.2, sigma_b=sb, expect=e, block_elements=be)
            for o, r in zip(out, ref):
                assert float((o - r).abs().max() / r.abs().max()) <= 3 * k * U
        if x2 is None:
            assert torch.equal(out[1], out[1].T) and torch.equal(out[0], out[0].T)


def test_spec_with_mixed_graphons_equals_the_backward_reference():
    """A function graphon beside None and a constant: every matrix goes on the grid ([K, d], [K, K], [1, K])."""
    x = _x(4, n=7, d=5)
    gs = [lambda v, u: 0.2 + 0.6 * v * u, None, 0.5]
    spec = tc.MLP(depth=2, activation="erf", sigma_w=1.3, sigma_b=0.2, graphons=gs, graphon_resolution=12,
                  input_layer="gaussian")  # the reference is the d → ∞ input layer (exact one: test_input_layer.py)
    k = spec.kernel(x)
    mats = [graphon_values(gs[0], 12, 5), graphon_values(None, 12, 12), graphon_values(0.5, 1, 12)]
    ref = graphon_kernels_reference(x, None, mats, sigma_w=1.3, sigma_b=0.2, expect=spec.activation.expectations())
    for o, r in zip((k.nngp, k.ntk), ref):
        assert float((o - r).abs().max() / r.abs().max()) <= 3 * 12 * U


def test_graphon_network_samples_its_masks_and_matches_the_jacobian():
    spec = tc.MLP(depth=2, graphons=[lambda v, u: 0.2 + 0.6 * v * u, None, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        net = spec.network(512, 12, seed=3)
    masks = net.masks()
    assert masks[1] is None
    # mask density follows the graphon: rows near v = 1 are denser than rows near v = 0
    assert float(masks[0][-64:].mean()) > float(masks[0][:64].mean()) + 0.2
    x = _x(1)
    small = spec.network(16, 12, seed=4)
    assert torch.allclose(tc.empirical_ntk(small, x), tc.empirical_ntk(small, x, method="jacobian"), rtol=1e-12)


def test_smooth_graphon_error_decreases_with_width():
    """The error shrinks from n = 256 to n = 2048 (its rate is tested by graphon.ntk_matches_masks)."""
    x = _x(2)
    x = x / x.norm(dim=1, keepdim=True) * math.sqrt(12)
    spec = tc.MLP(depth=2, sigma_w=math.sqrt(2), graphons=[smooth_graphon] * 3, graphon_resolution=512)
    lim = spec.kernel(x).ntk
    err = {n: np.mean([network_kernel_error(spec, x, n, s, reference=lim) for s in range(4)]) for n in (256, 2048)}
    assert err[2048] < err[256]


def test_spectral_metrics_are_scale_invariant_and_gf_time_scales():
    x = _x(3, n=20)
    th = tc.MLP(depth=2, activation="erf", sigma_b=0.2).kernel(x).ntk
    a, b = spectral_metrics(th), spectral_metrics(0.3 * th)
    for f in ("decay_alpha", "effective_rank", "spectral_gap", "top5_energy"):
        assert getattr(a, f) == pytest.approx(getattr(b, f), rel=1e-10)
    r0 = torch.ones(20, dtype=torch.float64)
    t = np.array([0.0, 0.1, 1.0, 5.0])
    assert np.allclose(linearized_loss(th, r0, t), linearized_loss(0.3 * th, r0, t / 0.3), rtol=1e-12)
    assert linearized_loss(th, r0, [0.0])[0] == pytest.approx(10.0)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(graphons=[0.5, 0.5]), ValueError, "one entry per weight matrix"),
    (dict(graphons=[0.5, 1.5, None]), ValueError, r"graphons\[1\] must lie in \[0, 1\]"),
    (dict(graphons=[0.5, 0.5, 0.5], prune=0.3), ValueError, "graphons and prune are exclusive"),
])
def test_bad_graphons(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        tc.MLP(depth=2, **kwargs)


def test_graphon_values_outside_unit_interval_are_rejected():
    spec = tc.MLP(depth=1, graphons=[lambda v, u: 2 * v, None])
    with pytest.raises(ValueError, match=r"graphons\[0\] must take values in \[0, 1\]"):
        spec.kernel(_x(0))
