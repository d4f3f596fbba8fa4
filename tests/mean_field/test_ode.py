"""The mean-field ODE: it is the projected gradient flow of e_mf, it is the m → ∞ limit of the network's own
population gradient flow (exact 1/m corrections), the integrator agrees with a fixed-step RK4, and (1, 1) is a fixed
point at the Bayes error."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from theorycheck.mean_field import ErfActivation, SphereTask, mean_field_rhs, solve_mean_field

TASKS = [SphereTask(d=30, tau=0.3), SphereTask(d=30, tau=0.3, student=ErfActivation())]


@pytest.mark.parametrize("task", TASKS, ids=["cubic", "erf"])
@given(v=st.floats(-0.95, 0.95), a=st.floats(-2, 2), alpha=st.floats(0.05, 2))
def test_rhs_is_the_projected_gradient_flow_of_e_mf(task, v, a, alpha):
    eps = 1e-6
    dv = (task.mean_field_error(v + eps, a) - task.mean_field_error(v - eps, a)) / (2 * eps)
    da = (task.mean_field_error(v, a + eps) - task.mean_field_error(v, a - eps)) / (2 * eps)
    vdot, adot = mean_field_rhs(task, alpha, v, a)
    assert vdot == pytest.approx(-alpha * (1 - v * v) * dv, abs=1e-7)
    assert adot == pytest.approx(-alpha * da, abs=1e-7)


@pytest.mark.parametrize("task", TASKS, ids=["cubic", "erf"])
@given(v=st.floats(-0.9, 0.9), a=st.floats(0.2, 2), m=st.integers(2, 20))
def test_rhs_is_the_wide_limit_of_the_networks_population_flow(task, v, a, m):
    """Autograd of the exact R for m neurons w_i = v e₁ + √(1−v²)e_{i+1}, a_i = a, under θ̇ = −αm P∇R: the overlap and
    weight velocities equal the ODE's up to the exact 1/m self-interaction terms."""
    alpha = 0.3
    d = m + 2
    task = SphereTask(d=d, tau=task.tau, student=task.student)
    w = torch.zeros(d, m, dtype=torch.float64)
    w[0] = v
    w[torch.arange(1, m + 1), torch.arange(m)] = math.sqrt(1 - v * v)
    aa = torch.full((m,), a, dtype=torch.float64, requires_grad=True)
    w.requires_grad_(True)
    ga, gw = torch.autograd.grad(task.test_error(aa, w), (aa, w))
    w = w.detach()
    gw = gw - w * (w * gw).sum(dim=0, keepdim=True)
    adot_net = float(-alpha * m * ga[0])
    vdot_net = float(-alpha * m * gw[0, 0])
    vdot, adot = mean_field_rhs(task, alpha, v, a)
    h1, hv, hpv = task.h(1.0), task.h(v * v), task.student.kernel_derivative(v * v)
    assert adot_net == pytest.approx(adot - alpha * a * (h1 - hv) / m, abs=1e-11)
    assert vdot_net == pytest.approx(vdot + alpha * a * a * (1 - v * v) * hpv * v / m, abs=1e-11)


def _rk4(task, alpha, t_max, steps, v, a):
    dt = t_max / steps
    for _ in range(steps):
        k1 = np.array(mean_field_rhs(task, alpha, v, a))
        k2 = np.array(mean_field_rhs(task, alpha, *(np.array([v, a]) + dt / 2 * k1)))
        k3 = np.array(mean_field_rhs(task, alpha, *(np.array([v, a]) + dt / 2 * k2)))
        k4 = np.array(mean_field_rhs(task, alpha, *(np.array([v, a]) + dt * k3)))
        v, a = np.array([v, a]) + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return v, a


@pytest.mark.parametrize("task", TASKS, ids=["cubic", "erf"])
def test_adaptive_solution_matches_fixed_step_rk4(task):
    path = solve_mean_field(task, 0.3, 40.0, points=5)
    v, a = _rk4(task, 0.3, 40.0, 4000, 0.0, 1.0)
    assert path.v[-1] == pytest.approx(v, abs=1e-9) and path.a[-1] == pytest.approx(a, abs=1e-9)


@pytest.mark.parametrize("task", TASKS, ids=["cubic", "erf"])
def test_one_one_is_a_fixed_point_at_the_bayes_error(task):
    assert mean_field_rhs(task, 0.3, 1.0, 1.0) == pytest.approx((0.0, 0.0), abs=1e-15)
    assert task.mean_field_error(1.0, 1.0) == pytest.approx(task.bayes_error, abs=1e-15)
    path = solve_mean_field(task, 0.3, 2000.0, points=3)
    assert abs(path.v[-1] - 1) < 0.02 and abs(path.a[-1] - 1) < 0.02
    assert np.all(np.diff(path.e_mf) <= 1e-12)  # a gradient flow never increases e_mf


def test_validation():
    task = TASKS[0]
    for kw, name in ((dict(alpha=0.0), "alpha"), (dict(t_max=-1.0), "t_max"), (dict(v0=1.5), "v0"),
                     (dict(points=1), "points"), (dict(rtol=0.0), "rtol"), (dict(a0=1e200), r"a0 must lie in")):
        args = dict(task=task, alpha=0.3, t_max=1.0) | kw
        with pytest.raises(ValueError, match=name):
            solve_mean_field(**args)


def test_type_validation_and_no_warnings_before_the_error(recwarn):
    """A non-task used to fail deep inside (AttributeError); a non-integer ``points`` said ValueError; a0 = 1e200 let
    numpy/scipy print RuntimeWarnings before failing."""
    with pytest.raises(TypeError, match="task must be a SphereTask, got str"):
        solve_mean_field("x", alpha=0.3, t_max=1.0)
    with pytest.raises(TypeError, match="task must be a SphereTask"):
        mean_field_rhs(None, 0.3, 0.0, 1.0)
    with pytest.raises(TypeError, match="points must be an integer"):
        solve_mean_field(TASKS[0], alpha=0.3, t_max=1.0, points=2.5)
    with pytest.raises(ValueError, match=r"a0 must lie in \[-100, 100\], got 1e\+200"):
        solve_mean_field(TASKS[0], alpha=0.3, t_max=1.0, a0=1e200)
    assert len(recwarn) == 0
