"""Graphon NTK and spectral metrics (THEORY.md §4)."""

import math
import warnings

import numpy as np
import pytest
import torch

import theorycheck as tc
from theorycheck.claims import Context, get_claim
from theorycheck.spectral import linearized_loss, spectral_metrics


def _x(seed, n=5, d=12):
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


@pytest.mark.parametrize("act, sb", [("relu", 0.0), ("erf", 0.3), ("tanh", 0.2), ("abs", 0.1)])
def test_constant_graphons_equal_the_pruned_recursion(act, sb):
    """W ≡ c on every matrix is the §0.5 recursion with σ_w² → cσ_w² (any activation, with a bias)."""
    x = _x(0)
    kw = dict(depth=2, activation=act, sigma_w=1.3, sigma_b=sb, quadrature_degree=16)
    kw["input_layer"] = "gaussian"  # d → ∞ input layer on both sides (exact one: tests/kernels/test_input_layer.py)
    g = tc.MLP(graphons=[0.6, 0.6, 0.6], graphon_resolution=16, **kw).kernel(x)
    p = tc.MLP(prune=0.4, prune_layers="all", **kw).kernel(x)
    assert torch.allclose(g.ntk, p.ntk, rtol=1e-13) and torch.allclose(g.nngp, p.nngp, rtol=1e-12)


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
    """THEORY.md §4 check 2: the error shrinks from n = 256 to n = 2048 (its rate is tested by the claim)."""
    from theorycheck.claims.graphon import smooth_graphon

    x = _x(2)
    x = x / x.norm(dim=1, keepdim=True) * math.sqrt(12)
    spec = tc.MLP(depth=2, sigma_w=math.sqrt(2), graphons=[smooth_graphon] * 3, graphon_resolution=512)
    lim = spec.kernel(x).ntk
    err = {n: np.mean([float((tc.empirical_ntk(spec.network(n, 12, seed=s), x) - lim).norm() / lim.norm())
                       for s in range(4)]) for n in (256, 2048)}
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


@pytest.mark.parametrize("claim_id", ["graphon.constant_graphon", "graphon.ntk_matches_masks"])
def test_graphon_claims_pass(claim_id):
    r = get_claim(claim_id).run(Context())
    assert r.status == "passed", (r.summary, r.reason)
