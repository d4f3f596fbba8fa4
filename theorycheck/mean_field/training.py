r"""Projected gradient descent of the two-layer network on the sphere, with its train/test-error trace.

Montanari & Urbani (NeurIPS 2025, eq. 1.2) train by the flow θ̇ = −(n/d) P_θ ∇R̂_n(θ), P_θ projecting each w_i onto the
tangent space of the sphere. Here it is discretised as full-batch GD with step η, time t = η · steps:

    a ← a − η (n/d) ∇_a R̂_n,     w_i ← normalise(w_i − η (n/d) (I − w_i w_iᵀ) ∇_{w_i} R̂_n),

with the gradients of R̂_n = (1/2n) Σ_μ r_μ², r = y − f:

    ∇_a R̂_n = −(1/(nm)) σ(XW)ᵀ r,     ∇_W R̂_n = −(1/(nm)) Xᵀ (r ⊙ σ'(XW) ⊙ a).

The (n/d) factor makes t the mean-field time: (a, ⟨u, w_i⟩) move by O(α) = O(n/(md)) per unit time. The test error
is the exact formula (:meth:`SphereTask.test_error`); no test sample is drawn.

Docs: ``docs/theory/beyond_kernel.md#decoupling-of-generalisation-and-overfitting``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from .._validation import check_int, check_real, check_seed, resolve_device
from .model import SphereTask

__all__ = ["SphereGDTrace", "init_sphere_network", "train_sphere_gd", "gd_gradients", "first_time_at_or_below"]


@dataclass(frozen=True)
class SphereGDTrace:
    """What one training run recorded, at times ``t`` (every ``record_every`` steps, t = η · step).

    Attributes:
        t: times.
        train_error: R̂_n(θ(t)).
        test_error: R(θ(t)), exact.
        v_mean: mean over neurons of the overlap ⟨u, w_i⟩.
        a_mean: mean of a_i.
        a_abs_mean: ‖a/m‖₁ = mean |a_i| (the capacity measure of Bartlett's bound).
        final_a: a at the end.
        final_v: the overlaps at the end.
        n, m, d, lr: the run's sizes and step.
    """

    t: list[float]
    train_error: list[float]
    test_error: list[float]
    v_mean: list[float]
    a_mean: list[float]
    a_abs_mean: list[float]
    final_a: list[float]
    final_v: list[float]
    n: int
    m: int
    d: int
    lr: float

    def value_at(self, series: str, t: float) -> float:
        """The recorded value of ``series`` at the recorded time closest to t."""
        ts = np.asarray(self.t)
        return float(np.asarray(getattr(self, series))[int(np.argmin(np.abs(ts - t)))])


def first_time_at_or_below(t, values, level: float) -> float:
    """The first t with value ≤ level (NaN when never reached)."""
    hits = np.flatnonzero(np.asarray(values, dtype=float) <= level)
    return float(np.asarray(t)[hits[0]]) if hits.size else math.nan


def init_sphere_network(m: int, d: int, a0: float, generator: torch.Generator, device=None
                        ) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean-field initialisation: a_i = a0 for all i and w_i i.i.d. uniform on S^{d−1} (columns of W, [d, m])."""
    m = check_int("m", m, minimum=1)
    d = check_int("d", d, minimum=2)
    a0 = check_real("a0", a0)
    w = torch.randn(d, m, generator=generator, dtype=torch.float64)
    w = w / w.norm(dim=0, keepdim=True)
    dev = resolve_device(device)
    return torch.full((m,), a0, dtype=torch.float64, device=dev), w.to(dev)


def gd_gradients(task: SphereTask, a: torch.Tensor, w: torch.Tensor, x: torch.Tensor, y: torch.Tensor
                 ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """R̂_n and its Euclidean gradients (∇_a, ∇_W) in closed form (see the module docstring)."""
    n, m = x.shape[0], a.shape[0]
    z = x @ w
    s = task.student(z)
    r = y - s @ a / m
    grad_a = -(s.T @ r) / (n * m)
    grad_w = -(x.T @ (r[:, None] * task.student.derivative(z) * a[None, :])) / (n * m)
    return 0.5 * (r @ r) / n, grad_a, grad_w


def train_sphere_gd(task: SphereTask, m: int, n: int, *, t_max: float, lr: float = 0.2, a0: float = 1.0,
                    seed: int = 0, record_every: int = 1, device=None) -> SphereGDTrace:
    """Train f(x) = (1/m) Σ a_i σ(⟨w_i, x⟩) by projected GD on the (n/d)-scaled loss up to time t_max.

    The run draws, from one CPU generator seeded with ``seed``: the n training pairs (x, then ε), then W(0).

    Args:
        task: the teacher task (d, τ, σ, φ).
        m: width (≥ 1).
        n: number of training samples (≥ 1); the paper's α = n/(md).
        t_max: final time ≥ ``lr`` (``round(t_max / lr)`` steps, so the run ends within lr/2 of t_max).
        lr: step η > 0 (time per step).
        a0: initial second-layer weight (every a_i(0) = a0), ≥ 0.
        seed: the run's seed, in [0, 2⁶⁴ − 1].
        record_every: record every this many steps (≥ 1), and at the last step.
        device: torch device (CPU default).

    Returns:
        The :class:`SphereGDTrace`.

    Raises:
        TypeError / ValueError: naming the parameter, for bad sizes, a non-positive step or horizon, a horizon
            t_max < lr (fewer than one step), a negative initial scale, a seed outside [0, 2⁶⁴ − 1]; ValueError if
            the run diverges (non-finite loss).
    """
    if not isinstance(task, SphereTask):
        raise TypeError(f"task must be a SphereTask, got {type(task).__name__}")
    m = check_int("m", m, minimum=1)
    n = check_int("n", n, minimum=1)
    t_max = check_real("t_max", t_max, minimum=0.0, min_inclusive=False)
    lr = check_real("lr", lr, minimum=0.0, min_inclusive=False)
    if t_max < lr:
        raise ValueError(f"t_max must be ≥ lr (time per step): t_max = {t_max:g} with lr = {lr:g} is fewer than one "
                         "step; lower lr or raise t_max")
    a0 = check_real("a0", a0, minimum=0.0)
    seed = check_seed("seed", seed)
    record_every = check_int("record_every", record_every, minimum=1)
    dev = resolve_device(device)
    gen = torch.Generator().manual_seed(seed)
    x, y = task.sample(n, gen, device=dev)
    a, w = init_sphere_network(m, task.d, a0, gen, device=dev)
    scale = n / task.d
    steps = int(round(t_max / lr))  # ≥ 1 since t_max ≥ lr
    rec: dict[str, list[float]] = {k: [] for k in ("t", "train_error", "test_error", "v_mean", "a_mean",
                                                   "a_abs_mean")}

    def record(step: int, train: torch.Tensor) -> None:
        head = torch.stack([train, a.abs().sum(), (w.norm(dim=0) - 1).abs().max()]).tolist()
        if not (all(math.isfinite(v) for v in head) and head[2] <= 1e-8):  # an overflowed w normalises to 0
            raise ValueError(f"training diverged at t = {step * lr:g} (lr = {lr:g} too large?)")
        values = torch.stack([train, task.test_error(a, w), w[0].mean(), a.mean(), a.abs().mean()]).tolist()
        rec["t"].append(step * lr)
        for k, v in zip(("train_error", "test_error", "v_mean", "a_mean", "a_abs_mean"), values):
            rec[k].append(v)

    for step in range(steps + 1):
        loss, grad_a, grad_w = gd_gradients(task, a, w, x, y)
        if step % record_every == 0 or step == steps:
            record(step, loss)
        if step == steps:
            break
        grad_w = grad_w - w * (w * grad_w).sum(dim=0, keepdim=True)  # tangent projection P_θ
        a = a - lr * scale * grad_a
        w = w - lr * scale * grad_w
        w = w / w.norm(dim=0, keepdim=True)
    return SphereGDTrace(**rec, final_a=a.tolist(), final_v=w[0].tolist(), n=n, m=m, d=task.d, lr=lr)
