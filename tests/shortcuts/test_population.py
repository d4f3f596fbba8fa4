"""Closed-form population loss of the CNN/ResNet: against Monte Carlo, gradients against autograd and central
differences, the a-optimum and the spurious point, the critical angle, validation."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from theorycheck.shortcuts import (
    a_optimum,
    arccos_g,
    critical_angle,
    monte_carlo_loss,
    population_gradients,
    population_loss,
    random_angle_below,
    spurious_point,
    teacher_second_layer,
    unit_vectors,
)


def _config(p, k, seed, residual=False):
    g = torch.Generator().manual_seed(seed)
    a_star = teacher_second_layer(1, k, g, 0.05)[0]
    v_star = unit_vectors(1, p, g)[0]
    a = torch.randn(k, generator=g, dtype=torch.float64)
    w = torch.randn(p, generator=g, dtype=torch.float64)
    s = torch.zeros(p, dtype=torch.float64)
    s[0] = 1.0
    return a, (s if residual else 0 * s) + w, a_star, v_star


def test_g_is_the_arc_cosine_kernel():
    phi = torch.tensor([0.0, math.pi / 2, math.pi], dtype=torch.float64)
    assert torch.allclose(arccos_g(phi), torch.tensor([math.pi, 1.0, 0.0], dtype=torch.float64), atol=1e-15)
    # 2π E ReLU(G₁)ReLU(G₂) at angle φ in polar coordinates: ∫ r³e^{−r²/2} dr = 2 and the angular integral runs
    # over the wedge where both ⟨x, e₁⟩ and ⟨x, (cos φ, sin φ)⟩ are positive
    from scipy.integrate import quad

    for ph in (0.3, 1.2, 2.5):
        angular, _ = quad(lambda t, ph=ph: math.cos(t) * math.cos(t - ph), ph - math.pi / 2, math.pi / 2)
        assert 2 * angular == pytest.approx(float(arccos_g(torch.tensor(ph, dtype=torch.float64))), abs=1e-12)


@pytest.mark.parametrize("residual", [False, True])
def test_closed_form_matches_monte_carlo(residual):
    a, u, a_star, v_star = _config(6, 3, seed=2, residual=residual)
    exact = float(population_loss(a, u, a_star, v_star))
    mc, se = monte_carlo_loss(a, u, a_star, v_star, samples=200_000, seed=5)
    assert abs(mc - exact) / se < 4 and se / exact < 0.02


def test_a_wrong_cross_patch_term_is_caught():
    """Sanity: dropping 11ᵀ/(2π) (the i ≠ j patch correlations) moves L by many standard errors."""
    _, u, a_star, v_star = _config(6, 3, seed=2)
    a = a_star + 0.5  # the dropped term is (1ᵀ(a − a*))²/(4π)
    mc, se = monte_carlo_loss(a, u, a_star, v_star, samples=200_000, seed=5)
    phi = torch.arccos(u @ v_star / u.norm())
    wrong = 0.5 * ((math.pi - 1) * a @ a - 2 * (arccos_g(phi) - 1) * a @ a_star + (math.pi - 1) * a_star @ a_star)
    assert abs(mc - float(wrong) / (2 * math.pi)) / se > 20


@given(st.integers(2, 12), st.integers(2, 8), st.integers(0, 10_000), st.booleans())
def test_gradients_match_autograd(p, k, seed, residual):
    a, u, a_star, v_star = _config(p, k, seed, residual)
    ga, gu = population_gradients(a, u, a_star, v_star)
    a_, u_ = a.clone().requires_grad_(True), u.clone().requires_grad_(True)
    ra, ru = torch.autograd.grad(population_loss(a_, u_, a_star, v_star), (a_, u_))
    assert torch.allclose(ga, ra, atol=1e-10) and torch.allclose(gu, ru, atol=1e-10)


def test_batched_equals_one_by_one():
    rows = [_config(5, 3, seed=s) for s in range(4)]
    batch = [torch.stack(x) for x in zip(*rows)]
    loss = population_loss(*batch)
    ga, gu = population_gradients(*batch)
    for i, r in enumerate(rows):
        assert float(loss[i]) == pytest.approx(float(population_loss(*r)), abs=1e-14)
        assert torch.allclose(ga[i], population_gradients(*r)[0]) and torch.allclose(gu[i], population_gradients(*r)[1])


@given(st.integers(2, 10), st.integers(0, 1000), st.floats(0.0, math.pi))
def test_a_optimum_zeroes_the_a_gradient(k, seed, phi):
    g = torch.Generator().manual_seed(seed)
    a_star = teacher_second_layer(1, k, g, 0.1)[0]
    v_star = unit_vectors(1, 4, g)[0]
    # a filter at angle phi from v*
    r = unit_vectors(1, 4, g)[0]
    r = r - (r @ v_star) * v_star
    u = math.cos(phi) * v_star + math.sin(phi) * r / r.norm()
    a = a_optimum(a_star, torch.tensor(phi, dtype=torch.float64))
    assert float(population_gradients(a, u, a_star, v_star)[0].norm()) < 1e-12


def test_global_and_spurious_points():
    _, _, a_star, v_star = _config(8, 6, seed=1)
    assert float(population_loss(a_star, v_star, a_star, v_star)) == pytest.approx(0.0, abs=1e-13)
    a_s, v_s = spurious_point(a_star, v_star)
    ga, gu = population_gradients(a_s, v_s, a_star, v_star)
    assert float(ga.norm()) < 1e-12 and float(gu.norm()) < 1e-12
    assert float(population_loss(a_s, v_s, a_star, v_star)) > 0 and float(a_s @ a_star) < 0


def test_critical_angle():
    g = torch.Generator().manual_seed(0)
    a_perp = teacher_second_layer(4, 5, g, 0.0)
    assert torch.allclose(critical_angle(a_perp), torch.full((4,), math.pi / 2, dtype=torch.float64), atol=1e-12)
    a_star = teacher_second_layer(4, 5, g, 0.2)
    pc = critical_angle(a_star)
    assert bool((pc > math.pi / 2).all())
    assert float((a_optimum(a_star, pc) * a_star).sum(-1).abs().max()) < 1e-10
    assert torch.allclose(critical_angle(torch.ones(1, 3, dtype=torch.float64)), torch.tensor([math.pi],
                                                                                                dtype=torch.float64))


def test_random_angle_below():
    assert float(random_angle_below(math.pi / 2, 9)) == pytest.approx(0.5)
    assert float(random_angle_below(0.4, 3)) == pytest.approx((1 - math.cos(0.4)) / 2)
    g = torch.Generator().manual_seed(3)
    w, v = unit_vectors(40_000, 6, g), unit_vectors(1, 6, g)[0]
    frac = float((torch.arccos((w @ v).clamp(-1, 1)) < 1.3).double().mean())
    assert frac == pytest.approx(float(random_angle_below(1.3, 6)), abs=4 * 0.5 / math.sqrt(40_000))


def test_validation():
    a, u, a_star, v_star = _config(4, 3, seed=0)
    with pytest.raises(ValueError, match="u must be non-zero"):
        population_loss(a, 0 * u, a_star, v_star)
    with pytest.raises(ValueError, match="same number of patches"):
        population_loss(a[:2], u, a_star, v_star)
    with pytest.raises(ValueError, match="patch dimension"):
        population_gradients(a, u[:3], a_star, v_star)
    with pytest.raises(TypeError, match="a must be a torch tensor"):
        population_loss(np.ones(3), u, a_star, v_star)
    with pytest.raises(ValueError, match="finite"):
        population_loss(a * math.nan, u, a_star, v_star)
    with pytest.raises(ValueError, match="samples"):
        monte_carlo_loss(a, u, a_star, v_star, samples=1, seed=0)


def test_spurious_point_closed_form():
    """a_s = (k − 1)/(π − 1 + k)·ā1 − (a* − ā1)/(π − 1): the docstring's formula against C(0)⁻¹C(π)a* solved
    numerically."""
    _, _, a_star, v_star = _config(4, 5, seed=2)
    k = a_star.shape[-1]
    eye, ones = torch.eye(k, dtype=torch.float64), torch.ones(k, k, dtype=torch.float64)
    c0, cpi = ((math.pi - 1) * eye + ones) / (2 * math.pi), (ones - eye) / (2 * math.pi)
    a_s, v_s = spurious_point(a_star, v_star)
    assert torch.allclose(a_s, torch.linalg.solve(c0, cpi @ a_star), rtol=1e-13, atol=1e-13)
    mean = a_star.mean()
    assert torch.allclose(a_s, (k - 1) / (math.pi - 1 + k) * mean - (a_star - mean) / (math.pi - 1), atol=1e-13)
    assert torch.equal(v_s, -v_star)


def test_spurious_point_validation():
    _, _, a_star, v_star = _config(4, 3, seed=0)
    cases = [
        (([1.0, 2.0], v_star), TypeError, "a_star must be a torch tensor"),
        ((a_star, [1.0, 0.0]), TypeError, "v_star must be a torch tensor"),
        ((a_star.long(), v_star), TypeError, "a_star must be a floating-point tensor"),
        ((a_star, 0 * v_star), ValueError, "v_star must be non-zero"),
        ((a_star, v_star * math.inf), ValueError, "v_star must be finite"),
        ((a_star * math.nan, v_star), ValueError, "a_star must be finite"),
        ((torch.tensor(1.0, dtype=torch.float64), v_star), ValueError, "a_star must be at least 1-D"),
        ((a_star.expand(2, -1), v_star.expand(3, -1)), ValueError, "same batch shape"),
    ]
    for args, exc, match in cases:
        with pytest.raises(exc, match=match):
            spurious_point(*args)
