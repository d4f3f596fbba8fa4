"""Properties of the analytic NNGP/NTK recursion (THEORY.md §0.2–0.3)."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import theorycheck as tc
from theorycheck.kernels.recursion import expectations_for, mlp_kernels

U = 2.0**-53
CLOSED = ["relu", "leaky_relu", "abs", "erf", "identity"]


def _x(seed, n=6, d=5, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return scale * torch.randn(n, d, generator=g, dtype=torch.float64)


@pytest.mark.parametrize("act", CLOSED)
def test_symmetric_input_gives_exactly_symmetric_kernels_equal_to_the_two_argument_call(act):
    x = _x(1, n=40)
    spec = tc.MLP(depth=4, activation=act, sigma_w=1.3, sigma_b=0.2, negative_slope=0.1)
    k, k2 = spec.kernel(x), spec.kernel(x, x.clone())
    assert torch.equal(k.ntk, k.ntk.T) and torch.equal(k.nngp, k.nngp.T)
    assert torch.allclose(k.ntk, k2.ntk, rtol=64 * U * 5, atol=0)


@pytest.mark.parametrize("act", CLOSED)
def test_block_size_does_not_change_the_result(act):
    """Only the BLAS accumulation order of the first Gram product changes: agreement to a few ulps a layer."""
    x, y = _x(2, n=37), _x(3, n=29)
    e = expectations_for(tc.get_activation(act, negative_slope=0.3))
    for x2 in (None, y):
        ref = mlp_kernels(x, x2, depth=3, sigma_w=1.2, sigma_b=0.3, expect=e, block_elements=1 << 20)
        for be in (1, 50, 400):
            out = mlp_kernels(x, x2, depth=3, sigma_w=1.2, sigma_b=0.3, expect=e, block_elements=be)
            for o, r in zip(out, ref):
                assert float((o - r).abs().max() / r.abs().max()) <= 16 * 4 * U


def test_relu_bias_free_is_positively_homogeneous_of_degree_two():
    """With σ_b = 0 every ReLU layer is 1-homogeneous, so Θ(λx, λx') = λ² Θ(x, x') exactly in exact arithmetic."""
    x = _x(4)
    spec = tc.MLP(depth=5, activation="relu", sigma_w=1.4, sigma_b=0.0)
    k1, k2 = spec.kernel(x), spec.kernel(3.0 * x)
    assert torch.allclose(k2.ntk, 9.0 * k1.ntk, rtol=1e-13, atol=0)


@pytest.mark.parametrize("scale", [1e150, 1e-150])
@pytest.mark.parametrize("act", CLOSED + ["tanh"])
def test_extreme_input_scales_are_finite(act, scale):
    x = _x(5, scale=scale)
    k = tc.MLP(depth=3, activation=act, sigma_w=1.1, sigma_b=0.0, quadrature_degree=16).kernel(x)
    assert torch.isfinite(k.ntk).all() and torch.isfinite(k.nngp).all()
    if act == "relu":  # homogeneity: same correlation structure as the unit-scale kernel
        ref = tc.MLP(depth=3, activation="relu", sigma_w=1.1).kernel(_x(5))
        assert torch.allclose(k.ntk / scale**2, ref.ntk, rtol=1e-12, atol=0)


def test_erf_at_huge_scale_matches_the_saturated_limit():
    """As a → ∞ the first erf layer's NNGP tends to (2/π) arcsin(ρ) (sign-like units)."""
    x = _x(6, n=4)
    k = tc.MLP(depth=1, activation="erf", sigma_w=1.0, sigma_b=0.0).kernel(1e150 * x)
    rho = (x @ x.T) / torch.outer(x.norm(dim=1), x.norm(dim=1))
    expected = (2 / math.pi) * torch.asin(rho.clamp(-1, 1))
    assert torch.allclose(k.nngp, expected, atol=1e-12)


@pytest.mark.parametrize("act", CLOSED + ["gelu"])
def test_zero_input_gives_zero_not_nan(act):
    x = _x(7)
    x[2] = 0.0
    k = tc.MLP(depth=3, activation=act, sigma_w=1.5, sigma_b=0.0, quadrature_degree=16).kernel(x)
    assert torch.isfinite(k.ntk).all() and torch.isfinite(k.nngp).all()
    if act in ("relu", "leaky_relu", "abs", "identity", "erf", "gelu"):  # φ(0) = 0: the zero input stays at 0
        assert float(k.ntk[2].abs().max()) == 0.0 and float(k.nngp[:, 2].abs().max()) == 0.0


def test_duplicate_and_antipodal_rows_are_exact():
    """ρ = ±1 exactly: duplicates give the diagonal value, x' = −x gives κ at ρ = −1 (snapping, THEORY.md §0.3)."""
    x = _x(8, n=3)
    x2 = torch.stack([x[0], -x[0], x[1]])
    spec = tc.MLP(depth=4, activation="relu", sigma_w=1.4, sigma_b=0.0)
    k = spec.kernel(x, x2)
    mp = spec.kernel_mp(x, x2, dps=40).to_torch()
    assert torch.allclose(k.ntk, mp.ntk, rtol=1e-14, atol=1e-300)
    one = tc.MLP(depth=1, activation="relu", sigma_w=1.4, sigma_b=0.0).kernel(x, x2)
    assert float(one.nngp[0, 1]) == 0.0  # E[relu(u) relu(−u)] = 0 exactly


def test_depth_100_is_finite_and_matches_mpmath():
    x = _x(9, n=3)
    spec = tc.MLP(depth=100, activation="relu", sigma_w=math.sqrt(2), sigma_b=0.05)
    k = spec.kernel(x)
    mp = spec.kernel_mp(x, dps=30).to_torch()
    assert torch.isfinite(k.ntk).all()
    # correlations approach 1 with depth, where arccos is ill-conditioned: the error grows like L·u/sin θ
    assert float(((k.ntk - mp.ntk).abs() / mp.ntk.abs()).max()) < 1e-9


def test_depth_zero_is_the_linear_model():
    x = _x(10)
    k = tc.MLP(depth=0, sigma_w=2.0, sigma_b=0.5).kernel(x)
    expected = 4.0 * (x @ x.T) / x.shape[1] + 0.25
    assert torch.allclose(k.ntk, expected, rtol=1e-15) and torch.allclose(k.nngp, expected, rtol=1e-15)


def test_one_hidden_layer_relu_matches_theory_0_3():
    """§0.3: σ_w² = 2, σ_b = 0, ‖x‖² = d: Θ = 2(ρκ0 + κ1), diagonal 4."""
    d = 7
    x = _x(11, n=5, d=d)
    x = x / x.norm(dim=1, keepdim=True) * math.sqrt(d)
    k = tc.MLP(depth=1, activation="relu", sigma_w=math.sqrt(2)).kernel(x)
    rho = ((x @ x.T) / d).clamp(-1, 1)
    kappa0 = (math.pi - torch.arccos(rho)) / math.pi
    kappa1 = (torch.sqrt(1 - rho**2) + (math.pi - torch.arccos(rho)) * rho) / math.pi
    assert torch.allclose(k.ntk, 2 * (rho * kappa0 + kappa1), atol=1e-7)  # arccos near ρ=1 limits the reference
    assert torch.allclose(k.ntk.diagonal(), torch.full((5,), 4.0, dtype=torch.float64), rtol=1e-15)


@given(depth=st.integers(1, 6), sw=st.floats(0.3, 3.0), sb=st.floats(0.0, 2.0), seed=st.integers(0, 10_000),
       act=st.sampled_from(CLOSED))
def test_psd_property(depth, sw, sb, seed, act):
    x = _x(seed, n=20, d=3)
    k = tc.MLP(depth=depth, activation=act, sigma_w=sw, sigma_b=sb).kernel(x)
    for m in (k.nngp, k.ntk):
        ev = torch.linalg.eigvalsh(m)
        # Weyl bound on round-off: |Δλ| ≤ n·32(L+1)·u·max|K|
        assert float(ev[0]) >= -20 * 32 * (depth + 1) * U * float(m.abs().max())


@pytest.mark.parametrize("act", CLOSED)
def test_agrees_with_mpmath_to_roundoff(act):
    rng = np.random.default_rng(3)
    x, x2 = rng.normal(size=(4, 3)), rng.normal(size=(2, 3))
    spec = tc.MLP(depth=3, activation=act, sigma_w=1.2, sigma_b=0.4, negative_slope=-0.2)
    for other in (None, x2):
        k, mp = spec.kernel(x, other), spec.kernel_mp(x, other, dps=50).to_torch()
        assert float(((k.ntk - mp.ntk).abs() / mp.ntk.abs()).max()) < 1e-13
        assert float(((k.nngp - mp.nngp).abs() / mp.nngp.abs()).max()) < 1e-13


# --------------------------------------------------------------- issue 10: nearly colinear inputs
_EPS = 2.0**-23
_COLINEAR = [[[1.0, _EPS, _EPS, _EPS], [2.0, _EPS, _EPS, _EPS]],
             [[1.0, _EPS, _EPS, _EPS], [-2.0, _EPS, _EPS, _EPS]],
             [[1.0, 2.0, -1.0, 0.5], [3.0, 6.0 + 4 * _EPS, -3.0, 1.5 - _EPS], [0.0, 1.0, 0.0, 0.0]]]


def _max_rel_mp(k, m) -> float:
    import mpmath

    return max(float(abs(mpmath.mpf(float(getattr(k, kind)[i, j])) - getattr(m, kind)[i, j])
                     / abs(getattr(m, kind)[i, j]))
               for kind in ("nngp", "ntk") for i in range(k.ntk.shape[0]) for j in range(k.ntk.shape[1]))


@pytest.mark.parametrize("xs", _COLINEAR)
@pytest.mark.parametrize("kw", [dict(), dict(prune=0.5), dict(prune=0.9, rescale="weights"), dict(sigma_b=0.3),
                                dict(activation="leaky_relu", negative_slope=0.2, sigma_b=0.1),
                                dict(activation="abs"), dict(activation="identity", sigma_b=0.2)])
def test_nearly_colinear_inputs_are_exact_to_a_few_ulps(xs, kw):
    """1 − ρ² comes from the inputs (|x|²|y_⊥|² + bias term), not from 1 − ρ: the arc-cosine kernels near ρ = ±1
    are accurate to a few ulps against 50 digits (before: 3e-10 dense, 1.7e-9 pruned, from the lost digits of
    1 − ρ ≈ 5e-15). Bound: 64 ulps per entry."""
    x = torch.tensor(xs, dtype=torch.float64)
    kw = dict(kw)
    spec = tc.MLP(3, kw.pop("activation", "relu"), sigma_w=1.4, **kw)
    assert _max_rel_mp(spec.kernel(x), spec.kernel_mp(x, dps=50)) < 64 * U


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_readme_pruned_identity_holds_on_nearly_colinear_inputs(p, depth):
    """The README's property, pruned = (1 − p)^L dense to 1e-12, at x = [[1, ε, ε, ε], [2, ε, ε, ε]], ε = 2⁻²³
    (before the fix: 1.4e-9)."""
    x = torch.tensor(_COLINEAR[0], dtype=torch.float64)
    dense = tc.MLP(depth=depth, sigma_w=1.4).kernel(x).ntk
    pruned = tc.MLP(depth=depth, sigma_w=1.4, prune=p).kernel(x).ntk
    assert torch.allclose(pruned, (1 - p) ** depth * dense, rtol=1e-12, atol=1e-300)
