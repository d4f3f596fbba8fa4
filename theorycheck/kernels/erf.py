r"""erf Gaussian expectations (Williams 1997; docs/theory/dense.md).

For (u, v) ~ N(0, [[a, c], [c, b]]) and erf'(z) = (2/√π) e^{−z²}:

.. math::

    E[\mathrm{erf}(u)\,\mathrm{erf}(v)] = \frac{2}{\pi}\arcsin\frac{2c}{\sqrt{(1+2a)(1+2b)}},
    \qquad
    E[\mathrm{erf}'(u)\,\mathrm{erf}'(v)] = \frac{4}{\pi}\,\frac{1}{\sqrt{(1+2a)(1+2b)-4c^2}}.

Overflow-free form used here (a, b up to ~1e300, e.g. inputs scaled by 1e150): with e_a = 1/(1+2a),
t_a = √(2a/(1+2a)) and ρ = c/√(ab), the arcsin argument is ρ t_a t_b and

    (1+2a)(1+2b) − 4c² = (1+2a)(1+2b) · [(1−ρ)(1+ρ) + ρ² (e_a + e_b − e_a e_b)],

a sum of non-negative terms with no cancellation. Derivation: ``proofs/erf_kernel.py`` (Price's theorem).
"""

from __future__ import annotations

import math

import mpmath
import torch

__all__ = ["Erf"]


class Erf:
    name = "erf"
    #: erf → ±1 and erf' is integrable: huge variances are evaluated by saturation
    #: (:mod:`theorycheck.kernels.scaling`).
    saturating = True

    def diag(self, q: torch.Tensor) -> torch.Tensor:
        """E[erf(u)²] = (2/π) arcsin(2q/(1+2q)) = 1 − (4/π) arcsin(√(e/2)), e = 1/(1+2q) (the second form where
        e < 1/16, q > 7.5: no cancellation as q → ∞)."""
        e = 1.0 / (1.0 + 2.0 * q)
        plain = (2.0 / math.pi) * torch.asin(2.0 * q * e)
        return torch.where(e < 0.0625, 1.0 - (4.0 / math.pi) * torch.asin(torch.sqrt(0.5 * e)), plain)

    def stats(self, q: torch.Tensor) -> dict[str, torch.Tensor]:
        e = 1.0 / (1.0 + 2.0 * q)
        return {"t": torch.sqrt(2.0 * q * e), "e": e, "one_minus_e": 1.0 - e, "se": torch.sqrt(e)}

    def block(self, rho: torch.Tensor, rs: dict[str, torch.Tensor], cs: dict[str, torch.Tensor],
              dot: torch.Tensor, work: list[torch.Tensor]) -> None:
        s, t, u = work[0], work[1], work[2]
        torch.add(rs["e"], cs["e"], out=t)
        t.sub_(torch.mul(rs["e"], cs["e"], out=u))  # g = e_a + e_b − e_a e_b (symmetric in a, b bit for bit)
        # D = (1−ρ)(1+ρ) + ρ² g
        torch.neg(rho, out=s).add_(1.0)
        torch.add(rho, 1.0, out=u)
        s.mul_(u)
        torch.mul(rho, rho, out=u).mul_(t).add_(s).rsqrt_()
        torch.mul(u, rs["se"], out=dot).mul_(cs["se"]).mul_(4.0 / math.pi)
        # E = (2/π) arcsin y, y = ρ t_a t_b; for |y| > ½: arcsin|y| = π/2 − 2 arcsin √(w/2) with
        # w = 1 − |y| = (1 − |ρ|) + |ρ| g/(1 + t_a t_b), free of the cancellation of 1 − y at large variances
        torch.mul(rs["t"], cs["t"], out=s)  # t_a t_b
        torch.add(s, 1.0, out=u)
        t.div_(u)  # 1 − t_a t_b
        torch.abs(rho, out=u)
        t.mul_(u)
        u.neg_().add_(1.0).add_(t).mul_(0.5).clamp_(0.0, 1.0).sqrt_().asin_().mul_(-2.0).add_(math.pi / 2)
        rho.mul_(s).clamp_(-1.0, 1.0)  # y
        torch.copysign(u, rho, out=u)
        torch.asin(rho, out=t)
        torch.where(rho.abs() > 0.5, u, t, out=rho)
        rho.mul_(2.0 / math.pi)

    def stable_pairs(self, rho: torch.Tensor, s2: torch.Tensor, sa: torch.Tensor, sb: torch.Tensor
                     ) -> tuple[torch.Tensor, torch.Tensor, None]:
        """(E[erf erf], E[erf' erf'], None) for near-colinear pairs with accurate s2 = 1 − ρ² (the forms of
        :meth:`block` with 1 − ρ² = s2 and 1 − |ρ| = s2/(1 + |ρ|)); the next layer's complement is not carried."""
        qa, qb = sa * sa, sb * sb
        ea, eb = 1.0 / (1.0 + 2.0 * qa), 1.0 / (1.0 + 2.0 * qb)
        g = ea + eb - ea * eb
        edot = (4.0 / math.pi) * torch.sqrt(ea) * torch.sqrt(eb) / torch.sqrt(s2 + rho * rho * g)
        tt = torch.sqrt(2.0 * qa * ea) * torch.sqrt(2.0 * qb * eb)
        w = s2 / (1.0 + rho.abs()) + rho.abs() * g / (1.0 + tt)
        y = (rho * tt).clamp(-1.0, 1.0)
        far = torch.copysign(math.pi / 2 - 2.0 * torch.asin(torch.sqrt((0.5 * w).clamp(0.0, 1.0))), y)
        e = (2.0 / math.pi) * torch.where(y.abs() > 0.5, far, torch.asin(y))
        return e, edot, None

    def pair_mp(self, a: mpmath.mpf, b: mpmath.mpf, rho: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
        rho = max(mpmath.mpf(-1), min(mpmath.mpf(1), rho))
        c = rho * mpmath.sqrt(a) * mpmath.sqrt(b)
        den = mpmath.sqrt(1 + 2 * a) * mpmath.sqrt(1 + 2 * b)
        k = 2 / mpmath.pi * mpmath.asin(max(mpmath.mpf(-1), min(mpmath.mpf(1), 2 * c / den)))
        # (1+2a)(1+2b) − 4c² = 1 + 2a + 2b + 4ab(1−ρ)(1+ρ): no cancellation at large a, b (issue 10)
        kd = 4 / mpmath.pi / mpmath.sqrt(1 + 2 * a + 2 * b + 4 * a * b * (1 - rho) * (1 + rho))
        return k, kd
