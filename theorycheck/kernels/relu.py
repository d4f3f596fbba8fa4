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

__all__ = ["ReLU", "arccos_block", "arccos_mp", "arccos_stable", "leaky_stable"]

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

    def stable_pairs(self, rho: torch.Tensor, s2: torch.Tensor, sa: torch.Tensor, sb: torch.Tensor
                     ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(E[relu relu], E[step step], 1 − r) for entries with accurate s2 = 1 − ρ² (near-colinear pairs), where
        r = E[relu(u)relu(v)]/√(E[relu(u)²]E[relu(v)²]) = J/π is the next layer's correlation without bias."""
        return leaky_stable(0.0, rho, s2, sa, sb)


def _theta_minus_sin(theta: torch.Tensor) -> torch.Tensor:
    """θ − sin θ without cancellation: its Taylor series θ³/6 (1 − θ²/20 (1 − θ²/42 (…))) for θ < 1."""
    t2 = theta * theta
    series = torch.ones_like(theta)
    for k in (17, 15, 13, 11, 9, 7, 5):  # 1 − θ²/((k−1)k)·(…), innermost first: 1/272, 1/210, …, 1/20
        series = 1.0 - t2 / ((k - 1) * k) * series
    series = series * theta * t2 / 6.0
    return torch.where(theta < 1.0, series, theta - torch.sin(theta))


def arccos_stable(rho: torch.Tensor, s2: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""θ, sin θ and π − J(θ) from ρ and s2 = 1 − ρ² computed without cancellation (issue 10: colinear inputs).

    θ = atan2(√s2, ρ) is accurate to a few ulps *absolutely* when s2 is accurate relatively, whereas arccos ρ loses
    √ulp near ρ = 1. J(θ) = sin θ + (π − θ) cos θ (= π·E[relu relu]·2/√(ab)) and its complement
    π − J = (π − θ)(1 − cos θ) + (θ − sin θ), a sum of non-negative terms, with 1 − cos θ = s2/(1 + ρ) for ρ ≥ 0.

    Args:
        rho: correlations.
        s2: 1 − ρ², elementwise.

    Returns:
        (θ, sin θ, π − J).
    """
    s = torch.sqrt(s2)
    theta = torch.atan2(s, rho)
    omc = torch.where(rho >= 0, s2 / (1.0 + rho), 1.0 - rho)
    return theta, s, (math.pi - theta) * omc + _theta_minus_sin(theta)


def leaky_stable(alpha: float, rho: torch.Tensor, s2: torch.Tensor, sa: torch.Tensor, sb: torch.Tensor,
                 even: bool = True) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""(E[φφ], E[φ'φ'], 1 − r) of the leaky ReLU φ(z) = max(z, αz) from ρ and an accurate s2 = 1 − ρ².

    With g = (1 − α)², E[φφ] = √(ab)(αρ + gJ/(2π)), E[φ'φ'] = α + g(π − θ)/(2π), E[φ²] = a(1 + α²)/2, so the
    normalised correlation r = (αρ + gJ/(2π))/((1 + α²)/2) has the complement
    1 − r = (α(1 − ρ) + g(π − J)/(2π))·2/(1 + α²), without cancellation for α ≥ 0 (one bit for abs, α = −1,
    whose r is even in ρ: there 1 − r is taken at |ρ|).
    """
    theta, s, pmj = arccos_stable(rho, s2)
    g = (1.0 - alpha) ** 2
    one_minus_rho = torch.where(rho >= 0, s2 / (1.0 + rho), 1.0 - rho)
    j = s + (math.pi - theta) * rho
    e = sa * sb * (alpha * rho + g * j * _INV_2PI)
    edot = alpha + g * (math.pi - theta) * _INV_2PI
    u = (alpha * one_minus_rho + g * pmj * _INV_2PI) * (2.0 / (1.0 + alpha * alpha))
    if alpha == -1.0 and even:  # abs: E[|u||v|] is even in ρ, so r → 1 also at ρ → −1, where the form above cancels
        u = torch.where(rho < 0, leaky_stable(alpha, rho.abs(), s2, sa, sb, False)[2], u)
    return e, edot, u
