r"""Leaky-ReLU and absolute-value Gaussian expectations (docs/theory/dense.md).

With φ(z) = z for z > 0 and αz otherwise, φ(z) = αz + (1−α)·relu(z) and φ'(z) = α + (1−α)·step(z). Using
E[u·relu(v)] = c/2 and E[step(v)] = 1/2 (both derived in ``proofs/leaky_relu.py``):

.. math::

    E[\varphi(u)\varphi(v)] = \alpha c + (1-\alpha)^2\,E[\mathrm{relu}(u)\mathrm{relu}(v)],
    \qquad
    E[\varphi'(u)\varphi'(v)] = \alpha + (1-\alpha)^2\,\frac{\pi-\theta}{2\pi}.

``abs`` is α = −1: E[|u||v|] = 4·E[relu relu] − c and E[sgn u sgn v] = 1 − 2θ/π. ``relu`` is α = 0.
"""

from __future__ import annotations

import mpmath
import torch

from .relu import arccos_block, arccos_mp, leaky_stable

__all__ = ["LeakyReLU"]


class LeakyReLU:
    """Closed-form expectations for the leaky ReLU with negative slope α (α = −1: abs)."""

    #: φ(cz) = cφ(z) for c > 0: the engine may factor scales out (:mod:`theorycheck.kernels.scaling`).
    homogeneous = True

    def __init__(self, negative_slope: float) -> None:
        self.alpha = float(negative_slope)
        self.name = f"leaky_relu({self.alpha:g})"

    def diag(self, q: torch.Tensor) -> torch.Tensor:
        """E[φ(u)²] for u ~ N(0, q): α q + (1−α)² q/2 = q (1 + α²)/2."""
        return 0.5 * (1.0 + self.alpha * self.alpha) * q

    def stats(self, q: torch.Tensor) -> dict[str, torch.Tensor]:
        """No statistics beyond √q and 1/√q."""
        return {}

    def block(self, rho: torch.Tensor, rs: dict[str, torch.Tensor], cs: dict[str, torch.Tensor],
              dot: torch.Tensor, work: list[torch.Tensor]) -> None:
        a, g = self.alpha, (1.0 - self.alpha) ** 2
        c = work[2]
        torch.mul(rho, rs["s"], out=c).mul_(cs["s"])  # c = ρ √a √b
        arccos_block(rho, rs["s"], cs["s"], dot, work)
        rho.mul_(g).add_(c, alpha=a)
        dot.mul_(g).add_(a)

    def pair_mp(self, a: mpmath.mpf, b: mpmath.mpf, rho: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
        al = mpmath.mpf(self.alpha)
        k1, k0 = arccos_mp(a, b, rho)
        c = max(mpmath.mpf(-1), min(mpmath.mpf(1), rho)) * mpmath.sqrt(a) * mpmath.sqrt(b)
        g = (1 - al) ** 2
        return al * c + g * k1, al + g * k0

    def stable_pairs(self, rho: torch.Tensor, s2: torch.Tensor, sa: torch.Tensor, sb: torch.Tensor
                     ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(E[φφ], E[φ'φ'], 1 − r) for near-colinear pairs with accurate s2 = 1 − ρ² (:func:`~.relu.leaky_stable`)."""
        return leaky_stable(self.alpha, rho, s2, sa, sb)
