"""Batched population GD: one batch equals runs one by one, the mechanism (filter moves towards v* iff aᵀa* > 0),
ResNet from a good angle converges, reproducibility, validation."""

import math

import pytest
import torch

from theorycheck.shortcuts import (
    ShortcutRuns,
    filter_at_angle,
    population_gd,
    success_experiment,
    teacher_second_layer,
    uniform_ball,
    unit_vectors,
)


def _runs(n, p, k, seed, residual, theta=None, lr_w=0.05):
    g = torch.Generator().manual_seed(seed)
    s = torch.zeros(p, dtype=torch.float64)
    s[0] = 1.0
    a_star = teacher_second_layer(n, k, g)
    v_star = filter_at_angle(s, torch.full((n,), theta if theta is not None else 0.5, dtype=torch.float64), g)
    w0 = torch.zeros(n, p, dtype=torch.float64) if residual else unit_vectors(n, p, g)
    return ShortcutRuns(a_star, v_star, uniform_ball(n, k, g), w0, torch.full((n,), residual), s,
                        torch.full((n,), lr_w, dtype=torch.float64))


def test_filter_at_angle_and_uniform_ball():
    g = torch.Generator().manual_seed(0)
    s = torch.zeros(5, dtype=torch.float64)
    s[0] = 1.0
    theta = torch.tensor([0.1, 1.0, 3.0], dtype=torch.float64)
    v = filter_at_angle(s, theta, g)
    assert torch.allclose(v.norm(dim=1), torch.ones(3, dtype=torch.float64))
    assert torch.allclose(torch.arccos(v @ s), theta)
    b = uniform_ball(2000, 3, g)
    assert float(b.norm(dim=1).max()) <= 1 and float((b.norm(dim=1) < 0.5).double().mean()) == pytest.approx(
        0.125, abs=0.03)
    a = teacher_second_layer(4, 6, g, 0.1)
    assert torch.allclose(a.norm(dim=1) ** 2, torch.full((4,), 6.0, dtype=torch.float64))
    assert torch.allclose(a.sum(1) ** 2 / 6, torch.full((4,), 0.6, dtype=torch.float64))


def test_resnet_from_a_good_angle_reaches_the_global_minimum():
    out = population_gd(_runs(6, 8, 4, seed=1, residual=True, theta=0.25 * math.pi), lr_a=0.2, steps=3000)
    assert all(out.success) and max(out.loss) < 1e-6
    assert out.phi0 == pytest.approx([0.25 * math.pi] * 6)


def test_resnet_from_a_bad_angle_goes_to_the_spurious_minimum():
    out = population_gd(_runs(6, 8, 4, seed=1, residual=True, theta=0.75 * math.pi), lr_a=0.2, steps=3000)
    assert not any(out.success) and min(out.phi) > 0.9 * math.pi


def test_batch_equals_single_runs():
    runs = _runs(3, 6, 3, seed=2, residual=False)
    batch = population_gd(runs, lr_a=0.2, steps=200)
    for i in range(3):
        one = ShortcutRuns(*(t[i:i + 1] for t in (runs.a_star, runs.v_star, runs.a0, runs.w0, runs.residual)),
                           runs.shortcut, runs.lr_w[i:i + 1])
        single = population_gd(one, lr_a=0.2, steps=200)
        assert single.loss[0] == pytest.approx(batch.loss[i], rel=1e-12, abs=1e-15)


def test_success_experiment_is_seeded_and_shaped():
    kw = dict(lr_a=0.2, steps=50, seed=4)
    a = success_experiment(6, 3, 4, (0.25, 0.6), (0.05, 0.5), **kw)
    assert a == success_experiment(6, 3, 4, (0.25, 0.6), (0.05, 0.5), **kw)
    assert len(a["resnet"]) == 4 and len(a["cnn"]) == 2 and all(len(r["success"]) == 4 for r in a["resnet"])
    assert [r["angle"] for r in a["resnet"]] == [0.25, 0.25, 0.6, 0.6]
    assert a["resnet"][0]["phi0"] == pytest.approx([0.25 * math.pi] * 4)


@pytest.mark.parametrize("kw, name", [(dict(lr_ws=()), "lr_ws"), (dict(lr_ws=(0.0,)), "lr_ws"),
                                      (dict(lr_a=-0.1), "lr_a"), (dict(steps=0), "steps"),
                                      (dict(resnet_angles=(1.5,)), "resnet_angles"), (dict(k=1), "k"),
                                      (dict(runs=0), "runs"), (dict(tol=0.0), "tol")])
def test_validation(kw, name):
    args = dict(p=4, k=2, runs=2, resnet_angles=(0.25,), lr_ws=(0.05,), lr_a=0.2, steps=5, seed=0) | kw
    with pytest.raises(ValueError, match=name):
        success_experiment(**args)


def _fields(runs):
    return dict(a_star=runs.a_star, v_star=runs.v_star, a0=runs.a0, w0=runs.w0, residual=runs.residual,
                shortcut=runs.shortcut, lr_w=runs.lr_w)


@pytest.mark.parametrize("change, exc, match", [
    (lambda f: dict(a0=f["a0"][:1]), ValueError, r"ShortcutRuns.a0 must have shape \[R, k\] = \[3, 4\].*got \[1, 4\]"),
    (lambda f: dict(lr_w=f["lr_w"][:1]), ValueError, r"ShortcutRuns.lr_w must have shape \[R\] = \[3\]"),
    (lambda f: dict(w0=f["w0"][:, :2]), ValueError, r"ShortcutRuns.w0 must have shape \[R, p\] = \[3, 5\]"),
    (lambda f: dict(shortcut=0 * f["shortcut"]), ValueError, "shortcut must be non-zero"),
    (lambda f: dict(v_star=0 * f["v_star"]), ValueError, "v_star must have non-zero rows"),
    (lambda f: dict(residual=f["residual"].double()), TypeError, "ShortcutRuns.residual must be a bool tensor"),
    (lambda f: dict(a0=f["a0"] * math.nan), ValueError, "ShortcutRuns.a0 must be finite"),
    (lambda f: dict(lr_w=-f["lr_w"]), ValueError, "lr_w must be > 0"),
    (lambda f: dict(a_star=f["a_star"][:0]), ValueError, r"a_star must have shape \[R, k\] with R, k ≥ 1"),
    (lambda f: dict(a_star=f["a_star"].tolist()), TypeError, "ShortcutRuns.a_star must be a torch tensor"),
])
def test_shortcut_runs_shapes_are_strict(change, exc, match):
    """A [1, k] start or a [1] filter step used to broadcast silently across the R runs."""
    f = _fields(_runs(3, 5, 4, seed=0, residual=True))
    with pytest.raises(exc, match=match):
        ShortcutRuns(**(f | change(f)))


def test_population_gd_rejects_a_non_batch():
    with pytest.raises(TypeError, match="runs must be a ShortcutRuns, got NoneType"):
        population_gd(None, lr_a=0.2, steps=5)


def test_diverging_runs_are_recorded_not_raised():
    """lr_a = 50 used to stop the batch with "a must be finite"; now each run that overflows is recorded as diverged
    (not a success) and the stable runs of the batch are unchanged."""
    with pytest.warns(UserWarning, match=r"diverged in 4 of 4 runs \(lr_a = 50 or their lr_w too large\)"):
        out = success_experiment(4, 3, 2, (0.25,), (0.05,), lr_a=50.0, steps=200, seed=0)
    for row in out["resnet"] + out["cnn"]:
        assert row["diverged"] == [True, True] and row["success"] == [False, False]
    stable = population_gd(_runs(2, 6, 4, seed=1, residual=True, theta=0.25 * math.pi), lr_a=0.2, steps=50)
    assert stable.diverged == [False, False]
    # a mixed batch: a huge filter step only in the second run
    runs = _runs(2, 6, 4, seed=1, residual=True, theta=0.25 * math.pi)
    mixed = ShortcutRuns(**(_fields(runs) | dict(lr_w=torch.tensor([0.05, 1e308], dtype=torch.float64))))
    with pytest.warns(UserWarning, match="diverged in 1 of 2 runs"):
        out = population_gd(mixed, lr_a=0.2, steps=50)
    assert out.diverged == [False, True] and out.loss[0] == stable.loss[0]


@pytest.mark.parametrize("kw, exc, match", [
    (dict(resnet_angles=0.25), TypeError, "resnet_angles must be a sequence of real numbers"),
    (dict(lr_ws=0.1), TypeError, "lr_ws must be a sequence of real numbers"),
    (dict(seed=2**64), ValueError, r"seed must be an integer in \[0, 18446744073709551615\]"),
])
def test_success_experiment_types_and_seed(kw, exc, match):
    args = dict(p=4, k=2, runs=2, resnet_angles=(0.25,), lr_ws=(0.05,), lr_a=0.2, steps=5, seed=0) | kw
    with pytest.raises(exc, match=match):
        success_experiment(**args)
