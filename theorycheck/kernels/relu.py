r"""ReLU Gaussian expectations: the arc-cosine kernels of degree 1 and 0 (Cho & Saul 2009; docs/theory/dense.md).

For (u, v) ~ N(0, [[a, c], [c, b]]), ρ = c/√(ab) and θ = arccos ρ:

.. math::

    E[\mathrm{relu}(u)\,\mathrm{relu}(v)] = \frac{\sqrt{ab}}{2\pi}\,\bigl(\sin\theta + (\pi-\theta)\cos\theta\bigr),
    \qquad
    E[\mathrm{step}(u)\,\mathrm{step}(v)] = \frac{\pi-\theta}{2\pi}.

The derivation is checked step by step in ``proofs/relu_arccos.py``; the sympy forms are in
:mod:`theorycheck.kernels.symbolic`. Numerics: sin θ is computed as √((1−ρ)(1+ρ)), accurate to a few ulps near
ρ = ±1 where 1 − ρ² cancels. The degree-0 kernel is intrinsically ill-conditioned at ρ = ±1
(d/dρ (π − arccos ρ) = 1/sin θ): an error δ in ρ gives an error of about δ/sin θ there.
"""

from __future__ import annotations

import math

import mpmath
import torch

__all__ = ["ReLU", "arccos_block", "arccos_mp"]

_INV_2PI = 1.0 / (2.0 * math.pi)


def arccos_block(rho: torch.Tensor, sa: torch.Tensor, sb: torch.Tensor, dot: torch.Tensor,
                 work: list[torch.Tensor]) -> None:
    """In place, no allocation: ``rho`` (clamped correlations) → √(ab)·κ₁-part, ``dot`` ← (π−θ)/(2π).

    ``sa`` [r, 1] and ``sb`` [1, m] are √a and √b; ``work`` holds two buffers shaped like ``rho``.
    """
    s, t = work[0], work[1]
    torch.arccos(rho, out=dot)  # θ
    torch.neg(rho, out=s).add_(1.0)  # 1 − ρ
    torch.add(rho, 1.0, out=t)  # 1 + ρ
    s.mul_(t).sqrt_()  # sin θ = √((1−ρ)(1+ρ))
    dot.neg_().add_(math.pi)  # π − θ
    rho.mul_(dot).add_(s)  # sin θ + (π−θ) cos θ
    rho.mul_(sa).mul_(sb).mul_(_INV_2PI)
    dot.mul_(_INV_2PI)


def arccos_mp(a: mpmath.mpf, b: mpmath.mpf, rho: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
    """(E[relu(u)relu(v)], E[step(u)step(v)]) at the working mpmath precision, given the correlation ρ."""
    rho = max(mpmath.mpf(-1), min(mpmath.mpf(1), rho))
    theta = mpmath.acos(rho)
    sin_t = mpmath.sqrt((1 - rho) * (1 + rho))
    k1 = mpmath.sqrt(a) * mpmath.sqrt(b) * (sin_t + (mpmath.pi - theta) * rho) / (2 * mpmath.pi)
    k0 = (mpmath.pi - theta) / (2 * mpmath.pi)
    return k1, k0


class ReLU:
    """Closed-form E[φ(u)φ(v)] and E[φ'(u)φ'(v)] for φ = relu (docs/theory/dense.md)."""

    name = "relu"
    #: φ(cz) = cφ(z) for c > 0: the engine may factor scales out (:mod:`theorycheck.kernels.scaling`).
    homogeneous = True

    def diag(self, q: torch.Tensor) -> torch.Tensor:
        """E[relu(u)²] for u ~ N(0, q): q/2."""
        return 0.5 * q

    def stats(self, q: torch.Tensor) -> dict[str, torch.Tensor]:
        """No statistics beyond √q and 1/√q."""
        return {}

    def block(self, rho: torch.Tensor, rs: dict[str, torch.Tensor], cs: dict[str, torch.Tensor],
              dot: torch.Tensor, work: list[torch.Tensor]) -> None:
        """``rho`` → E[relu(u)relu(v)], ``dot`` ← E[step(u)step(v)], in place."""
        arccos_block(rho, rs["s"], cs["s"], dot, work)

    def pair_mp(self, a: mpmath.mpf, b: mpmath.mpf, rho: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
        return arccos_mp(a, b, rho)
