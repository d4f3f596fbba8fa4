r"""Full-batch gradient descent on the squared loss ½‖f(X) − y‖², with a log of what the theory tracks.

For the large-bias network (docs/theory/bias.md) the record holds, at every logged step, the loss, the number of active
units per input and the drift of the empirical NTK from its initial value, ‖Θ̂_t − Θ̂_0‖_F / ‖Θ̂_0‖_F. Under gradient
flow in the kernel regime the residual obeys r(t) = exp(−η Θ t) r(0) (docs/theory/dense.md), and the discrete theorem
(Du et al. 2019; Song, Yang, Zhang 2021) gives ‖r_k‖² ≤ (1 − η λ_min/2)^k ‖r_0‖².
Device-agnostic: everything runs on the network's device.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import torch
from torch import nn

from .._validation import as_inputs, check_int, check_net_inputs, check_real
from .empirical import empirical_ntk

__all__ = ["TrainingRecord", "minibatches", "train_gd"]


def minibatches(n: int, batch_size: int, generator: torch.Generator, device=None, *,
                drop_last: bool = False) -> Iterator[torch.Tensor]:
    """The index batches of one epoch of mini-batch training: a fresh permutation of ``range(n)`` drawn from
    ``generator`` (on the CPU, so the same seed gives the same order on every device), cut into consecutive slices of
    ``batch_size``.

    Args:
        n: number of training points.
        batch_size: points per batch; the last batch is shorter unless ``drop_last``.
        generator: the CPU generator the permutation is drawn from (one draw per call).
        device: where the index tensors go.
        drop_last: leave out a last batch shorter than ``batch_size`` (every batch then has the same size).

    Returns:
        An iterator over int64 index tensors.
    """
    order = torch.randperm(n, generator=generator).to(device)
    stop = n - n % batch_size if drop_last else n
    return (order[i:i + batch_size] for i in range(0, stop, batch_size))


@dataclass
class TrainingRecord:
    """Logged quantities of :func:`train_gd` (lists indexed by logged step)."""

    steps: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    active_counts: list[list[int]] = field(default_factory=list)
    kernel_drift: list[float] = field(default_factory=list)
    lr: float = 0.0

    def to_json(self) -> dict:
        return {"steps": self.steps, "loss": self.loss, "active_counts": self.active_counts,
                "kernel_drift": self.kernel_drift, "lr": self.lr}


def train_gd(net: nn.Module, x, y, *, lr: float, steps: int, log_every: int = 1, track_kernel: bool = True,
             progress=None) -> TrainingRecord:
    """Train ``net`` in place by full-batch GD on ½ Σ_i (f(x_i) − y_i)² and return the :class:`TrainingRecord`.

    ``y`` has one target per input (shape [n] or [n, 1]). Active counts are recorded for networks with an
    ``active_counts`` method (the large-bias network); the kernel drift when ``track_kernel``.
    """
    lr = check_real("lr", lr, minimum=0.0, min_inclusive=False)
    steps = check_int("steps", steps, minimum=0)
    log_every = check_int("log_every", log_every, minimum=1)
    p = next(net.parameters())
    x = check_net_inputs(net, as_inputs("x", x, dtype=p.dtype, device=p.device), "x")
    y_t = torch.as_tensor(y, dtype=p.dtype, device=p.device).reshape(-1)
    if y_t.numel() != x.shape[0]:
        raise ValueError(f"y must have one target per input ({x.shape[0]}), got {y_t.numel()}")
    if not bool(torch.isfinite(y_t).all()):
        raise ValueError("y must be finite")
    params = [q for q in net.parameters() if q.requires_grad]
    rec = TrainingRecord(lr=lr)
    theta0 = empirical_ntk(net, x) if track_kernel else None
    counts = getattr(net, "active_counts", None)
    for k in range(steps + 1):
        out = net(x).reshape(-1)
        loss = 0.5 * ((out - y_t) ** 2).sum()
        if k % log_every == 0 or k == steps:
            rec.steps.append(k)
            rec.loss.append(float(loss.detach()))
            if callable(counts):
                rec.active_counts.append([int(c) for c in counts(x)])
            if track_kernel:
                rec.kernel_drift.append(float((empirical_ntk(net, x) - theta0).norm() / theta0.norm()))
            if progress is not None:
                progress(k, steps)
        if k == steps:
            break
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for q, g in zip(params, grads):
                q.sub_(lr * g)
    return rec
