"""The activation registry: names → (φ, φ', expectations), and a registered custom activation end to end."""

import math

import mpmath
import numpy as np
import pytest
import torch

import theorycheck as tc
from theorycheck.activations import (
    NAMED_ACTIVATIONS,
    register_activation,
    registered_activations,
    unregister_activation,
)


class SineExpectations:
    """Closed forms for φ = sin (Price/Isserlis via characteristic functions): with (u, v) ~ N(0, [[a, c], [c, b]]),
    E[sin u sin v] = e^{−(a+b)/2} sinh c and E[cos u cos v] = e^{−(a+b)/2} cosh c."""

    name = "sine"

    def diag(self, q):
        return 0.5 * (1.0 - torch.exp(-2.0 * q))

    def stats(self, q):
        return {"damp": torch.exp(-0.5 * q)}

    def block(self, rho, rs, cs, dot, work):
        c = work[0]
        torch.mul(rho, rs["s"], out=c).mul_(cs["s"])  # c = ρ √a √b
        torch.cosh(c, out=dot).mul_(rs["damp"]).mul_(cs["damp"])
        torch.sinh(c, out=rho).mul_(rs["damp"]).mul_(cs["damp"])

    def pair_mp(self, a, b, rho):
        c = rho * mpmath.sqrt(a) * mpmath.sqrt(b)
        damp = mpmath.exp(-(a + b) / 2)
        return damp * mpmath.sinh(c), damp * mpmath.cosh(c)


@pytest.fixture
def sine():
    act = register_activation("sine", torch.sin, torch.cos, SineExpectations())
    yield act
    unregister_activation("sine")


def _x(seed, n=6, d=5):
    x = torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return x / x.norm(dim=1, keepdim=True) * math.sqrt(d)


def test_builtin_names_resolve_with_their_closed_forms():
    assert registered_activations()[:len(NAMED_ACTIVATIONS)] == NAMED_ACTIVATIONS
    for name in NAMED_ACTIVATIONS:
        act = tc.get_activation(name)
        assert act.closed_form == (name in ("relu", "leaky_relu", "abs", "erf", "identity"))
    assert tc.get_activation("linear").name == "identity"
    assert tc.get_activation(" ReLU ").name == "relu"
    assert tc.get_activation("leaky_relu", negative_slope=0.3).expectation.alpha == 0.3
    assert tc.get_activation("abs").expectation.alpha == -1.0


def test_registered_custom_activation_works_end_to_end(sine):
    """tc.MLP(activation="sine"): the closed form agrees with Gauss–Hermite quadrature of the same φ (an independent
    route) and with 50 digits; the finite network uses φ = sin, φ' = cos (structured NTK = Jacobian NTK) and its
    empirical NTK at width 1024 is within the dense calibration bound of the limit (0.08 at width 4096, doubled
    for the 1/√width rate at 1024; measured 0.05)."""
    assert "sine" in registered_activations()
    x = _x(0)
    spec = tc.MLP(depth=2, activation="sine", sigma_w=1.2, sigma_b=0.3)
    assert spec.closed_form
    k = spec.kernel(x)
    quad = tc.MLP(depth=2, activation=tc.Activation(torch.sin, torch.cos, name="sin-quad"), sigma_w=1.2,
                  sigma_b=0.3, quadrature_degree=64).kernel(x)
    assert float((k.ntk - quad.ntk).abs().max() / k.ntk.abs().max()) < 1e-12
    assert float((k.nngp - quad.nngp).abs().max() / k.nngp.abs().max()) < 1e-12
    mp = spec.kernel_mp(x[:3].numpy(), dps=40).to_torch()
    assert float(((mp.ntk - k.ntk[:3, :3]).abs() / mp.ntk.abs()).max()) < 1e-13
    small = spec.network(16, 5, seed=1)
    assert torch.allclose(tc.empirical_ntk(small, x), tc.empirical_ntk(small, x, method="jacobian"), rtol=1e-12)
    errs = [float((tc.empirical_ntk(spec.network(1024, 5, seed=s), x) - k.ntk).norm() / k.ntk.norm())
            for s in range(3)]
    assert sum(errs) / 3 < 0.16, errs


def test_registered_activation_without_closed_form_uses_quadrature():
    act = register_activation("cube_root_ish", lambda z: z / (1 + z.abs()))
    try:
        spec = tc.MLP(depth=1, activation="cube_root_ish", quadrature_degree=8)
        assert not spec.closed_form and act.closed_form is False
        assert torch.isfinite(spec.kernel(_x(1)).ntk).all()
        with pytest.raises(ValueError, match="closed-form activation"):
            spec.kernel_mp(np.ones((2, 5)))
    finally:
        unregister_activation("cube_root_ish")


@pytest.mark.parametrize("call, exc, match", [
    (lambda: register_activation("relu", torch.relu), ValueError, "built-in activation"),
    (lambda: register_activation("linear", torch.relu), ValueError, "built-in activation"),
    (lambda: register_activation("", torch.relu), ValueError, "non-empty"),
    (lambda: register_activation(3, torch.relu), TypeError, "name must be a string"),
    (lambda: register_activation("x", 3), TypeError, "activation fn must be callable"),
    (lambda: register_activation("x", torch.sin, expectation=object()), TypeError, "Expectations"),
    (lambda: unregister_activation("relu"), ValueError, "cannot be removed"),
    (lambda: unregister_activation("nope"), ValueError, "not registered"),
    (lambda: tc.get_activation("swish"), ValueError, "activation must be one of relu, leaky_relu"),
])
def test_bad_registrations(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_re_registration_needs_replace(sine):
    with pytest.raises(ValueError, match="already registered"):
        register_activation("sine", torch.sin)
    again = register_activation("Sine", torch.sin, torch.cos, replace=True)
    assert tc.get_activation("sine") is again and not again.closed_form


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "gelu", "softplus", "relu", "erf", "autograd"])
def test_value_and_grad_matches_value_and_derivative(name):
    """Activation.value_and_grad (the quadrature's joint evaluation) gives φ and φ' as __call__ and grad do, to
    rounding (≤ 1e-15·max(1, |z|) absolutely), from tiny to saturated arguments."""
    z = torch.cat([torch.linspace(-40, 40, 2001, dtype=torch.float64),
                   torch.tensor([0.0, 1e-300, -1e-200, 1e-8, -3e-9], dtype=torch.float64)])
    act = tc.get_activation(lambda t: torch.tanh(t) * t) if name == "autograd" else tc.get_activation(name)
    v, d = act.value_and_grad(z)
    tol = 1e-15 * z.abs().clamp_min(1.0)
    assert bool(((v - act(z)).abs() <= tol).all()) and bool(((d - act.grad(z)).abs() <= tol).all())
    assert v.shape == z.shape and d.shape == z.shape and not v.requires_grad and not d.requires_grad
