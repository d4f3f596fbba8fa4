"""Projected GD on the sphere: closed-form gradients against autograd, descent for small steps, the sphere
constraint, reproducibility, a short run that learns the feature, validation."""

import math

import numpy as np
import pytest
import torch

from theorycheck.mean_field import (
    ErfActivation,
    SphereTask,
    first_time_at_or_below,
    gd_gradients,
    init_sphere_network,
    train_sphere_gd,
)


@pytest.mark.parametrize("student", [None, ErfActivation()], ids=["cubic", "erf"])
def test_closed_form_gradients_match_autograd(student):
    task = SphereTask(d=9, tau=0.3) if student is None else SphereTask(d=9, tau=0.3, student=student)
    g = torch.Generator().manual_seed(4)
    x, y = task.sample(40, g)
    a, w = init_sphere_network(5, 9, 0.7, g)
    a = a + torch.randn(5, generator=g, dtype=torch.float64)
    loss, ga, gw = gd_gradients(task, a, w, x, y)
    a_, w_ = a.clone().requires_grad_(True), w.clone().requires_grad_(True)
    ref = task.train_error(a_, w_, x, y)
    ra, rw = torch.autograd.grad(ref, (a_, w_))
    assert float(loss) == pytest.approx(float(ref.detach()), rel=1e-14)
    assert torch.allclose(ga, ra, atol=1e-14) and torch.allclose(gw, rw, atol=1e-14)


def test_small_steps_descend_and_keep_neurons_on_the_sphere():
    task = SphereTask(d=20, tau=0.3)
    tr = train_sphere_gd(task, 8, 48, t_max=2.0, lr=0.01, seed=1)
    assert np.all(np.diff(tr.train_error) <= 1e-12)
    assert len(tr.t) == 201 and tr.t[-1] == pytest.approx(2.0)
    assert all(abs(v) <= 1 for v in tr.final_v)


def test_runs_are_reproducible_and_seeded():
    task = SphereTask(d=20, tau=0.3)
    kw = dict(t_max=3.0, lr=0.2, record_every=3)
    a, b, c = (train_sphere_gd(task, 6, 36, seed=s, **kw) for s in (5, 5, 6))
    assert a == b and a.test_error != c.test_error
    assert a.t == pytest.approx([0.0, 0.6, 1.2, 1.8, 2.4, 3.0])


def test_a_short_run_learns_the_feature_and_tracks_the_exact_test_error():
    """From v ≈ 0 and R ≈ ½(τ² + ‖φ‖²) the network learns the feature by t = 15 (the paper's regime 1): the excess
    test error over the Bayes error falls by more than a factor 3 and the mean overlap grows from ≈ 0 to > 0.5."""
    task = SphereTask(d=40, tau=0.3)
    tr = train_sphere_gd(task, 16, int(0.3 * 16 * 40), t_max=15.0, lr=0.2, seed=2)
    excess = np.asarray(tr.test_error) - task.bayes_error
    assert excess[-1] < excess[0] / 3
    assert abs(tr.v_mean[0]) < 3 / math.sqrt(40 * 16)  # mean of 16 overlaps ~ N(0, 1/d): 3 standard deviations
    assert tr.v_mean[-1] > 0.5
    assert tr.value_at("test_error", 15.0) == tr.test_error[-1]


def test_first_time_at_or_below():
    assert first_time_at_or_below([0, 1, 2, 3], [5, 4, 2, 1], 2.0) == 2
    assert math.isnan(first_time_at_or_below([0, 1], [5, 4], 1.0))


@pytest.mark.parametrize("kw, name", [(dict(lr=0.0), "lr"), (dict(lr=-1.0), "lr"), (dict(t_max=0.0), "t_max"),
                                      (dict(a0=-1.0), "a0"), (dict(record_every=0), "record_every"),
                                      (dict(m=0), "m"), (dict(n=0), "n"), (dict(seed=-1), "seed"),
                                      (dict(seed=2**64), r"seed must be an integer in \[0, 18446744073709551615\]"),
                                      (dict(t_max=2.0, lr=100.0), r"t_max must be ≥ lr.*fewer than one step")])
def test_validation(kw, name):
    args = dict(task=SphereTask(d=5, tau=0.1), m=3, n=10, t_max=1.0) | kw
    with pytest.raises(ValueError, match=name):
        train_sphere_gd(**args)


def test_type_validation():
    with pytest.raises(TypeError, match="task"):
        train_sphere_gd("task", 3, 10, t_max=1.0)
    with pytest.raises(TypeError, match="m must be an integer"):
        train_sphere_gd(SphereTask(d=5, tau=0.1), 3.5, 10, t_max=1.0)


def test_divergence_is_reported_not_silent():
    task = SphereTask(d=5, tau=0.1)
    with pytest.raises(ValueError, match="diverged"):
        train_sphere_gd(task, 3, 10, t_max=1e7, lr=1e4, seed=0)


def test_one_step_horizon():
    """t_max = lr is one step (it used to be forced to one step even for t_max ≪ lr, running to t = lr)."""
    tr = train_sphere_gd(SphereTask(d=5, tau=0.1), 3, 10, t_max=0.5, lr=0.5, seed=0)
    assert tr.t == [0.0, 0.5]
