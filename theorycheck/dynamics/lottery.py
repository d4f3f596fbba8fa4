r"""Why lottery tickets win: teacher–student one-hidden-layer ReLU regression with planted masks (Zhang, Wang, Liu,
Chen, Xiong, "Why Lottery Ticket Wins? A Theoretical Perspective of Sample Complexity on Sparse Neural Networks",
NeurIPS 2021; docs: ``docs/theory/lottery_tickets.md``).

Teacher and student share K hidden ReLU units; unit j reads only the r_j coordinates of its mask M_j::

    y = f(W*; x) = (1/K) Σ_{j=1}^K φ(⟨w*_j, M_j ⊙ x⟩),   x ~ N(0, I_d),   φ = ReLU

The student minimises the empirical risk L(W) = (1/2N) Σ_i (f(W; x_i) − y_i)² over weights supported on the masks,
by gradient descent or heavy-ball accelerated GD, from a local initialisation ‖W⁰ − W*‖_F = ε‖W*‖_F. At the teacher the
residuals vanish and φ'' = 0 almost everywhere, so the Hessian restricted to the mask support is the Gauss–Newton
matrix

    H(W*) = (1/N) Σ_i g_i g_iᵀ,   g_i = ∂f(W*; x_i)/∂W|_support,   (g_i)_j = (1/K) φ'(⟨w*_j, x_i⟩) x_i[M_j],

of size Σ_j r_j; it has rank ≤ N, so local strong convexity needs N ≳ Σ_j r_j = r̄K samples (the paper's sample
complexity is linear in r̄, up to log and condition-number factors).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from .._validation import check_int, check_real, resolve_device

__all__ = ["planted_masks", "TeacherStudent", "TrainResult", "train_student", "hessian_at_teacher",
           "restricted_hessian_min_eig"]


def planted_masks(d: int, k: int, r: int, seed: int) -> torch.Tensor:
    """K index sets of r distinct coordinates out of d, drawn uniformly (one row per hidden unit).

    Args:
        d: input dimension.
        k: number of hidden units K.
        r: unpruned weights per unit (1 ≤ r ≤ d).
        seed: seed of the CPU generator.

    Returns:
        A long tensor of shape [K, r] of sorted coordinate indices.

    Raises:
        ValueError/TypeError: r outside [1, d], non-positive d or K.
    """
    d = check_int("d", d, minimum=1)
    k = check_int("k", k, minimum=1)
    r = check_int("r", r, minimum=1, maximum=d)
    g = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    return torch.stack([torch.randperm(d, generator=g)[:r].sort().values for _ in range(k)])


@dataclass
class TeacherStudent:
    """A planted teacher and its samples: ``support`` [K, r] mask indices, ``w_star`` [K, r] teacher weights on the
    support, ``x`` [N, d] Gaussian inputs, ``y`` [N] noiseless labels. Build with :meth:`sample`."""

    support: torch.Tensor
    w_star: torch.Tensor
    x: torch.Tensor
    y: torch.Tensor

    @classmethod
    def sample(cls, d: int, k: int, r: int, n: int, seed: int, *, support: torch.Tensor | None = None,
               device: str | torch.device | None = None) -> TeacherStudent:
        """Draw the masks (unless ``support`` is given), w*_j ~ N(0, I_r) on them, and N inputs x ~ N(0, I_d).

        Raises:
            ValueError/TypeError: a non-positive sample size ``n``; a ``support`` of the wrong shape or with indices
                outside [0, d).
        """
        d = check_int("d", d, minimum=1)
        k = check_int("k", k, minimum=1)
        r = check_int("r", r, minimum=1, maximum=d)
        n = check_int("n", n, minimum=1)
        seed = check_int("seed", seed, minimum=0)
        dev = resolve_device(device)
        if support is None:
            support = planted_masks(d, k, r, seed)
        else:
            if not isinstance(support, torch.Tensor):
                raise TypeError(f"support must be a torch.Tensor of indices, got {type(support).__name__}")
            if tuple(support.shape) != (k, r):
                raise ValueError(f"support (the mask) must have shape (K, r) = ({k}, {r}), got {tuple(support.shape)}")
            if int(support.min()) < 0 or int(support.max()) >= d:
                raise ValueError(f"support indices must lie in [0, {d})")
        g = torch.Generator().manual_seed(seed + 1)
        w_star = torch.randn(k, r, generator=g, dtype=torch.float64)
        x = torch.randn(n, d, generator=g, dtype=torch.float64)
        ts = cls(support=support.to(dev), w_star=w_star.to(dev), x=x.to(dev), y=torch.empty(0))
        ts.y = ts.predict(ts.w_star)
        return ts

    @property
    def k(self) -> int:
        return int(self.support.shape[0])

    @property
    def n(self) -> int:
        return int(self.x.shape[0])

    def gathered(self) -> torch.Tensor:
        """x_i[M_j] for every unit, shape [K, N, r]."""
        return self.x[:, self.support].permute(1, 0, 2)

    def predict(self, w: torch.Tensor, xg: torch.Tensor | None = None) -> torch.Tensor:
        """f(W; x_i) = (1/K) Σ_j φ(⟨w_j, x_i[M_j]⟩) for weights ``w`` [K, r] on the support; shape [N]."""
        xg = self.gathered() if xg is None else xg
        return torch.relu(torch.einsum("knr,kr->kn", xg, w)).mean(dim=0)

    def local_init(self, radius: float, seed: int) -> torch.Tensor:
        """W⁰ = W* + Δ with Δ Gaussian on the support and ‖Δ‖_F = radius·‖W*‖_F."""
        radius = check_real("radius", radius, minimum=0.0)
        g = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
        delta = torch.randn(self.w_star.shape, generator=g, dtype=torch.float64).to(self.w_star.device)
        return self.w_star + delta * (radius * self.w_star.norm() / delta.norm())


@dataclass
class TrainResult:
    """Relative errors ‖W_t − W*‖_F / ‖W*‖_F at every iteration (``errors[0]`` at init), the step size, the momentum
    and the final weights."""

    errors: list[float] = field(default_factory=list)
    lr: float = 0.0
    momentum: float = 0.0
    w: torch.Tensor | None = None

    @property
    def final_error(self) -> float:
        return self.errors[-1]

    def rate(self, floor: float = 1e-11) -> float:
        """The fitted linear rate ν: exp of the least-squares slope of log error against the iteration, over the
        iterations whose error is above ``floor`` (round-off)."""
        e = [(t, math.log(v)) for t, v in enumerate(self.errors) if v > floor]
        if len(e) < 3:
            raise ValueError("too few iterations above the round-off floor to fit a rate")
        tm = sum(t for t, _ in e) / len(e)
        lm = sum(v for _, v in e) / len(e)
        slope = sum((t - tm) * (v - lm) for t, v in e) / sum((t - tm) ** 2 for t, _ in e)
        return math.exp(slope)


def _gradient(ts: TeacherStudent, w: torch.Tensor, xg: torch.Tensor) -> torch.Tensor:
    pre = torch.einsum("knr,kr->kn", xg, w)  # [K, N]
    res = torch.relu(pre).mean(dim=0) - ts.y  # [N]
    coef = (pre > 0).to(w.dtype) * res[None, :] / (ts.k * ts.n)
    return torch.einsum("kn,knr->kr", coef, xg)


def hessian_at_teacher(ts: TeacherStudent, w: torch.Tensor | None = None) -> torch.Tensor:
    """The Gauss–Newton matrix (1/N) Σ_i g_i g_iᵀ at ``w`` (default W*; there it equals the Hessian of the empirical
    risk restricted to the mask support), of size Kr × Kr with unit-major ordering."""
    w = ts.w_star if w is None else w
    xg = ts.gathered()
    act = (torch.einsum("knr,kr->kn", xg, w) > 0).to(w.dtype)
    g = (act[:, :, None] * xg / ts.k).permute(1, 0, 2).reshape(ts.n, -1)  # [N, K r]
    return g.T @ g / ts.n


def restricted_hessian_min_eig(ts: TeacherStudent) -> tuple[float, float]:
    """(λ_min, λ_max) of the restricted Hessian at the teacher."""
    ev = torch.linalg.eigvalsh(hessian_at_teacher(ts))
    return float(ev[0]), float(ev[-1])


def train_student(ts: TeacherStudent, w0: torch.Tensor, *, iterations: int, momentum: float = 0.0,
                  lr: float | None = None, tol: float = 0.0) -> TrainResult:
    r"""GD (``momentum`` = 0) or heavy-ball accelerated GD on the empirical risk from ``w0``.

        W^{t+1} = W^t − η ∇L(W^t) + β (W^t − W^{t−1})

    Args:
        ts: the teacher and its samples.
        w0: initial weights [K, r] on the support.
        iterations: number of iterations (≥ 0).
        momentum: β ∈ [0, 1).
        lr: step η; default 1/λ_max of the Gauss–Newton matrix at ``w0`` (computable by the learner, no teacher
            knowledge), times (1 + β) for the heavy ball.
        tol: stop once the relative error falls below this value (0: run every iteration).

    Returns:
        The :class:`TrainResult`.

    Raises:
        ValueError/TypeError: a ``w0`` of the wrong shape (a mask mismatch), β outside [0, 1), bad counts.
    """
    iterations = check_int("iterations", iterations, minimum=0)
    momentum = check_real("momentum", momentum, minimum=0.0, maximum=1.0, max_inclusive=False)
    tol = check_real("tol", tol, minimum=0.0)
    if not isinstance(w0, torch.Tensor):
        raise TypeError(f"w0 must be a torch.Tensor, got {type(w0).__name__}")
    if w0.shape != ts.w_star.shape:
        raise ValueError(f"w0 must have the mask's shape (K, r) = {tuple(ts.w_star.shape)}, got {tuple(w0.shape)}")
    if lr is None:
        lr = (1.0 + momentum) / float(torch.linalg.eigvalsh(hessian_at_teacher(ts, w0))[-1])
    lr = check_real("lr", lr, minimum=0.0, min_inclusive=False)
    xg = ts.gathered()
    norm = float(ts.w_star.norm())
    w, prev = w0.clone(), w0.clone()
    out = TrainResult(errors=[float((w - ts.w_star).norm()) / norm], lr=lr, momentum=momentum)
    for _ in range(iterations):
        step = w - lr * _gradient(ts, w, xg) + momentum * (w - prev)
        prev, w = w, step
        out.errors.append(float((w - ts.w_star).norm()) / norm)
        if not math.isfinite(out.errors[-1]):
            raise ValueError(f"training diverged (lr={lr:g}, momentum={momentum:g})")
        if out.errors[-1] < tol:
            break
    out.w = w
    return out
