"""Gauss–Hermite quadrature for activations without a closed form."""

import torch

import theorycheck as tc
from theorycheck.activations import Activation


def _x(seed, n=5, d=4):
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_quadrature_converges_to_the_erf_closed_form():
    """The quadrature path on erf (disguised as a custom activation) converges to the closed form as K grows."""
    x = _x(0)
    exact = tc.MLP(depth=2, activation="erf", sigma_w=1.0, sigma_b=0.1).kernel(x)
    custom = Activation(torch.erf, tc.get_activation("erf").grad, name="erf-as-custom")
    errs = []
    for k in (8, 16, 32, 64, 128):
        q = tc.MLP(depth=2, activation=custom, sigma_w=1.0, sigma_b=0.1, quadrature_degree=k).kernel(x)
        errs.append(float((q.ntk - exact.ntk).abs().max() / exact.ntk.abs().max()))
    assert all(b < a for a, b in zip(errs, errs[1:])), errs
    assert errs[-1] < 1e-6, errs


def test_quadrature_is_exact_for_polynomials():
    """K nodes integrate polynomials of degree ≤ 2K − 1 exactly: φ(z) = z² has E[u²v²] = ab + 2c²."""
    x = _x(1)
    sq = Activation(lambda z: z * z, lambda z: 2 * z, name="square")
    k = tc.MLP(depth=1, activation=sq, sigma_w=1.0, sigma_b=0.0, quadrature_degree=4).kernel(x)
    s1 = x @ x.T / x.shape[1]
    q = s1.diagonal()
    expected_nngp = torch.outer(q, q) + 2 * s1**2
    expected_ntk = expected_nngp + s1 * 4 * s1  # Σ̇ = E[2u·2v] = 4c
    assert torch.allclose(k.nngp, expected_nngp, rtol=1e-13)
    assert torch.allclose(k.ntk, expected_ntk, rtol=1e-13)


def test_autograd_derivative_matches_explicit_one():
    x = _x(2)
    a = tc.MLP(depth=2, activation=torch.tanh, sigma_w=1.2, quadrature_degree=20).kernel(x)
    b = tc.MLP(depth=2, activation="tanh", sigma_w=1.2, quadrature_degree=20).kernel(x)
    assert torch.allclose(a.ntk, b.ntk, rtol=1e-14)
