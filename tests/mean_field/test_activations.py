"""Activations on the sphere: closed-form kernels h, φ̂ against 2-D Gauss–Hermite quadrature, derivatives against
autograd and finite differences, validation."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from theorycheck.mean_field import ErfActivation, HermiteActivation, cross_kernel, sphere_activation


def _gaussian_pair_expectation(f, g, q, nodes=80):
    """E f(G₁) g(q G₁ + √(1−q²) G₂) by a product Gauss–Hermite rule (probabilists' weight e^{−z²/2})."""
    z, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / math.sqrt(2 * math.pi)
    z1, z2 = np.meshgrid(z, z, indexing="ij")
    ww = np.outer(w, w)
    t1 = torch.as_tensor(z1, dtype=torch.float64)
    t2 = torch.as_tensor(q * z1 + math.sqrt(1 - q * q) * z2, dtype=torch.float64)
    return float((ww * (f(t1) * g(t2)).numpy()).sum())


coeffs = st.lists(st.floats(-2, 2, allow_nan=False), min_size=2, max_size=5).filter(lambda c: any(abs(x) > 1e-3
                                                                                                    for x in c))


def test_paper_activation_is_the_cubic_with_h_09q_plus_q3_over_6():
    act = HermiteActivation.paper()
    z = torch.linspace(-3, 3, 13, dtype=torch.float64)
    assert torch.allclose(act(z), math.sqrt(0.9) * z + (z**3 - 3 * z) / 6, atol=1e-14)
    assert torch.allclose(act.derivative(z), math.sqrt(0.9) + (z**2 - 1) / 2, atol=1e-14)
    for q in (-1.0, -0.3, 0.0, 0.5, 1.0):
        assert act.kernel(q) == pytest.approx(0.9 * q + q**3 / 6, abs=1e-15)
    assert act.norm2 == pytest.approx(0.9 + 1 / 6)


@given(coeffs, st.floats(-0.99, 0.99))
def test_hermite_kernel_matches_quadrature(c, q):
    act = HermiteActivation(c)
    assert act.kernel(q) == pytest.approx(_gaussian_pair_expectation(act, act, q, nodes=12), abs=1e-10, rel=1e-10)


@given(coeffs, coeffs, st.floats(-0.99, 0.99))
def test_hermite_cross_kernel_is_mehler(c1, c2, q):
    teacher, student = HermiteActivation(c1), HermiteActivation(c2)
    ph = cross_kernel(teacher, student)
    assert ph(q) == pytest.approx(_gaussian_pair_expectation(teacher, student, q, nodes=12), abs=1e-10, rel=1e-10)
    eps = 1e-6
    assert ph.derivative(q) == pytest.approx((ph(q + eps) - ph(q - eps)) / (2 * eps), abs=1e-6, rel=1e-6)


@pytest.mark.parametrize("q", [-0.9, -0.2, 0.0, 0.4, 0.95])
def test_erf_kernel_matches_quadrature(q):
    act = ErfActivation()
    assert act.kernel(q) == pytest.approx(_gaussian_pair_expectation(act, act, q, nodes=120), abs=1e-9)
    assert act.kernel(1.0) == pytest.approx(2 / math.pi * math.asin(2 / 3))


@pytest.mark.parametrize("act", [HermiteActivation.paper(), ErfActivation(), HermiteActivation((0.3, -1.0, 0.5, 0.0,
                                                                                                   0.2))])
def test_derivatives_match_autograd_and_finite_differences(act):
    z = torch.linspace(-2.5, 2.5, 21, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(act(z).sum(), z)
    assert torch.allclose(act.derivative(z.detach()), g, atol=1e-12)
    q = np.linspace(-0.95, 0.95, 9)
    eps = 1e-6
    fd = (act.kernel(q + eps) - act.kernel(q - eps)) / (2 * eps)
    assert np.allclose(act.kernel_derivative(q), fd, atol=1e-7)


def test_kernels_work_on_tensors_and_arrays_alike():
    for act in (HermiteActivation.paper(), ErfActivation()):
        q = np.array([-0.5, 0.1, 0.7])
        assert np.allclose(act.kernel(torch.as_tensor(q)).numpy(), act.kernel(q), atol=1e-15)


def test_validation():
    with pytest.raises(ValueError, match="coefficients"):
        HermiteActivation(())
    with pytest.raises(ValueError, match="coefficients must not all be zero"):
        HermiteActivation((0.0, 0.0))
    with pytest.raises(TypeError, match="coefficients"):
        HermiteActivation(3.0)
    with pytest.raises(ValueError, match=r"coefficients\[1\]"):
        HermiteActivation((0.0, math.inf))
    with pytest.raises(ValueError, match="teacher and student"):
        cross_kernel(ErfActivation(), HermiteActivation.paper())
    with pytest.raises(TypeError, match="teacher"):
        cross_kernel("erf", ErfActivation())
    with pytest.raises(ValueError, match="activation must be one of"):
        sphere_activation("relu")
