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

    def diag(self, q: torch.Tensor) -> torch.Tensor:
        """E[erf(u)²] = (2/π) arcsin(2q/(1+2q))."""
        return (2.0 / math.pi) * torch.asin(2.0 * q / (1.0 + 2.0 * q))

    def stats(self, q: torch.Tensor) -> dict[str, torch.Tensor]:
        e = 1.0 / (1.0 + 2.0 * q)
        return {"t": torch.sqrt(2.0 * q * e), "e": e, "one_minus_e": 1.0 - e, "se": torch.sqrt(e)}

    def block(self, rho: torch.Tensor, rs: dict[str, torch.Tensor], cs: dict[str, torch.Tensor],
              dot: torch.Tensor, work: list[torch.Tensor]) -> None:
        s, t = work[0], work[1]
        # D = (1−ρ)(1+ρ) + ρ² (e_a + e_b − e_a e_b)
        torch.neg(rho, out=s).add_(1.0)
        torch.add(rho, 1.0, out=t)
        s.mul_(t)
        torch.mul(rs["one_minus_e"], cs["e"], out=t).add_(rs["e"])  # e_b (1 − e_a) + e_a
        t.mul_(rho).mul_(rho)
        s.add_(t).rsqrt_()
        torch.mul(s, rs["se"], out=dot).mul_(cs["se"]).mul_(4.0 / math.pi)
        rho.mul_(rs["t"]).mul_(cs["t"]).clamp_(-1.0, 1.0).asin_().mul_(2.0 / math.pi)

    def pair_mp(self, a: mpmath.mpf, b: mpmath.mpf, rho: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
        rho = max(mpmath.mpf(-1), min(mpmath.mpf(1), rho))
        c = rho * mpmath.sqrt(a) * mpmath.sqrt(b)
        den = mpmath.sqrt(1 + 2 * a) * mpmath.sqrt(1 + 2 * b)
        k = 2 / mpmath.pi * mpmath.asin(2 * c / den)
        kd = 4 / mpmath.pi / mpmath.sqrt((1 + 2 * a) * (1 + 2 * b) - 4 * c * c)
        return k, kd
