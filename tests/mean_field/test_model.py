"""The teacher task: the exact test error against Monte Carlo and against the mean-field error in a symmetric
configuration; sampling reproducibility; validation."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from theorycheck.mean_field import ErfActivation, HermiteActivation, SphereTask, network_output


def _random_net(m, d, seed, tilt=2.0):
    g = torch.Generator().manual_seed(seed)
    a = 1.0 + torch.randn(m, generator=g, dtype=torch.float64)
    w = torch.randn(d, m, generator=g, dtype=torch.float64) / math.sqrt(d)
    w[0] += tilt * (2 * torch.rand(m, generator=g, dtype=torch.float64) - 1)
    return a, w / w.norm(dim=0, keepdim=True)


def _symmetric_net(m, d, v, a):
    """w_i = v e₁ + √(1 − v²) e_{i+1}: every overlap v, every pairwise inner product v²."""
    w = torch.zeros(d, m, dtype=torch.float64)
    w[0] = v
    w[torch.arange(1, m + 1), torch.arange(m)] = math.sqrt(1 - v * v)
    return torch.full((m,), float(a), dtype=torch.float64), w


@pytest.mark.parametrize("act", [HermiteActivation.paper(), ErfActivation()])
def test_exact_test_error_matches_monte_carlo(act):
    task = SphereTask(d=12, tau=0.3, student=act)
    a, w = _random_net(6, 12, seed=3)
    mc, se = task.test_error_monte_carlo(a, w, samples=200_000, seed=9)
    exact = float(task.test_error(a, w))
    assert abs(mc - exact) / se < 4.0
    assert se / exact < 0.02  # the comparison is sharp enough to catch a wrong factor


def test_a_wrong_factor_is_caught_by_monte_carlo():
    """Sanity: dropping the 1/m of the quadratic term moves R by many standard errors."""
    task = SphereTask(d=12, tau=0.3)
    a, w = _random_net(6, 12, seed=3)
    mc, se = task.test_error_monte_carlo(a, w, samples=200_000, seed=9)
    gram = (w.T @ w).clamp(-1, 1)
    wrong = 0.5 * (task.tau**2 + task.teacher_norm2 - 2 / 6 * float(a @ task.phi_hat(w[0]))
                   + float(a @ task.h(gram) @ a) / 6)
    assert abs(mc - wrong) / se > 20


@given(st.floats(-0.95, 0.95), st.floats(-2, 2), st.integers(2, 12))
def test_symmetric_network_has_mean_field_error_plus_diagonal(v, a, m):
    """R = e_mf(v, a) + a²(h(1) − h(v²))/(2m): the i = j terms of the double sum are h(1), the others h(v²)."""
    task = SphereTask(d=m + 2, tau=0.3)
    aa, w = _symmetric_net(m, m + 2, v, a)
    expected = task.mean_field_error(v, a) + a * a * (task.h(1.0) - task.h(v * v)) / (2 * m)
    assert float(task.test_error(aa, w)) == pytest.approx(expected, abs=1e-12)


def test_bayes_error_of_a_perfect_student():
    """m copies of the teacher neuron with a = 1 give f = φ(x₁), hence R = τ²/2."""
    task = SphereTask(d=5, tau=0.4)
    w = torch.zeros(5, 3, dtype=torch.float64)
    w[0] = 1.0
    assert float(task.test_error(torch.ones(3, dtype=torch.float64), w)) == pytest.approx(task.bayes_error, abs=1e-14)


def test_sampling_is_reproducible_and_follows_the_teacher():
    task = SphereTask(d=4, tau=0.0)
    x1, y1 = task.sample(50, torch.Generator().manual_seed(1))
    x2, y2 = task.sample(50, torch.Generator().manual_seed(1))
    assert torch.equal(x1, x2) and torch.equal(y1, y2)
    assert torch.allclose(y1, task.teacher(x1[:, 0]))
    a, w = _random_net(3, 4, seed=0)
    assert float(task.train_error(a, w, x1, y1)) == pytest.approx(
        0.5 * float(((y1 - network_output(x1, a, w, task.student)) ** 2).mean()))


def test_validation():
    with pytest.raises(ValueError, match="tau"):
        SphereTask(d=5, tau=-0.1)
    with pytest.raises(ValueError, match="d must be"):
        SphereTask(d=1, tau=0.1)
    with pytest.raises(ValueError, match="teacher and student"):
        SphereTask(d=5, tau=0.1, student=ErfActivation(), teacher=HermiteActivation.paper())
    task = SphereTask(d=5, tau=0.1)
    a, w = _random_net(3, 5, seed=0)
    with pytest.raises(ValueError, match="unit norm"):
        task.test_error(a, 2 * w)
    with pytest.raises(ValueError, match="d = 5 rows"):
        task.test_error(a, _random_net(3, 6, seed=0)[1])
    with pytest.raises(ValueError, match="shape"):
        task.test_error(a[:2], w)
    with pytest.raises(TypeError, match="torch tensors"):
        task.test_error(np.ones(3), w)
    with pytest.raises(ValueError, match="samples"):
        task.test_error_monte_carlo(a, w, samples=1, seed=0)
    with pytest.raises(TypeError, match="generator"):
        task.sample(3, 0)


def test_activation_arguments_are_named_and_accept_names():
    """student='erf' used to be reported as a bad *teacher*; names are now resolved by sphere_activation."""
    assert SphereTask(d=5, tau=0.1, student="erf").student == ErfActivation()
    assert SphereTask(d=5, tau=0.1, student="cubic", teacher="cubic").teacher == HermiteActivation.paper()
    with pytest.raises(TypeError, match="student must be a SphereActivation .* got int"):
        SphereTask(d=5, tau=0.1, student=3)
    with pytest.raises(TypeError, match="teacher must be a SphereActivation"):
        SphereTask(d=5, tau=0.1, teacher=[1.0])
    with pytest.raises(ValueError, match="student must be .* one of the names cubic, erf, got 'relu'"):
        SphereTask(d=5, tau=0.1, student="relu")


def test_test_error_needs_float64():
    """float32 (a, w) used to fail the unit-norm check with a confusing message."""
    task = SphereTask(d=5, tau=0.1)
    w = torch.nn.functional.normalize(torch.randn(5, 3, dtype=torch.float64), dim=0)
    a = torch.ones(3, dtype=torch.float64)
    with pytest.raises(TypeError, match="a must be a float64 tensor"):
        task.test_error(a.float(), w)
    with pytest.raises(TypeError, match="w must be a float64 tensor"):
        task.test_error(a, w.float())
