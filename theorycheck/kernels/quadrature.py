r"""Gaussian expectations of any activation by Gauss–Hermite quadrature (THEORY.md §0.2).

For (u, v) ~ N(0, [[a, c], [c, b]]) write u = √a (α z₁ + β z₂) and v = √b (α z₁ − β z₂) with z₁, z₂ i.i.d.
N(0, 1), so that Var u = a, Var v = b and Corr(u, v) = α² − β² = ρ; the rule is symmetric in (u, v). Then

.. math::

    E[f(u)\,g(v)] \approx \sum_{i,j=1}^{K} w_i w_j\, f\bigl(\sqrt a\,(\alpha z_i + \beta z_j)\bigr)\,
    g\bigl(\sqrt b\,(\alpha z_i - \beta z_j)\bigr),\qquad \alpha = \sqrt{(1+\rho)/2},\ \beta = \sqrt{(1-\rho)/2},

with the K probabilists' Gauss–Hermite nodes z_i and weights w_i (normalised so Σ w_i = 1). The rule is exact for
polynomials of degree ≤ 2K − 1 in each variable; for smooth activations (tanh, gelu, softplus, sigmoid) the error
falls geometrically in K. Cost: K² evaluations of φ and φ' per kernel entry per layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["Quadrature", "gauss_hermite"]


def gauss_hermite(degree: int, dtype: torch.dtype = torch.float64, device: torch.device | None = None
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """Probabilists' Gauss–Hermite nodes and weights for N(0, 1), weights summing to 1."""
    z, w = np.polynomial.hermite_e.hermegauss(degree)
    w = w / w.sum()
    return torch.as_tensor(z, dtype=dtype, device=device), torch.as_tensor(w, dtype=dtype, device=device)


class Quadrature:
    """E[φφ], E[φ'φ'] of an arbitrary :class:`~theorycheck.activations.Activation` by 2-D Gauss–Hermite.

    ``activation`` is any callable φ with a ``grad`` method (φ') and a ``name``.
    """

    def __init__(self, activation: Any, degree: int) -> None:
        self.activation = activation
        self.degree = int(degree)
        self.name = f"{activation.name} (Gauss–Hermite, K={self.degree})"
        self._nodes: dict[tuple, tuple[torch.Tensor, torch.Tensor]] = {}

    def _rule(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        key = (like.dtype, like.device)
        if key not in self._nodes:
            self._nodes[key] = gauss_hermite(self.degree, like.dtype, like.device)
        return self._nodes[key]

    def diag(self, q: torch.Tensor) -> torch.Tensor:
        z, w = self._rule(q)
        u = torch.sqrt(q)[:, None] * z[None, :]
        return (self.activation(u) ** 2) @ w

    def stats(self, q: torch.Tensor) -> dict[str, torch.Tensor]:
        """No statistics beyond √q and 1/√q."""
        return {}

    def block(self, rho: torch.Tensor, rs: dict[str, torch.Tensor], cs: dict[str, torch.Tensor],
              dot: torch.Tensor, work: list[torch.Tensor]) -> None:
        # Symmetric parametrisation: u = √a (α z₁ + β z₂), v = √b (α z₁ − β z₂), α = √((1+ρ)/2), β = √((1−ρ)/2),
        # so swapping (a, b) maps the rule onto itself (z₂ → −z₂): the kernel is symmetric to round-off.
        z, w = self._rule(rho)
        phi, dphi = self.activation, self.activation.grad
        sa, sb = rs["s"], cs["s"]  # [r, 1], [1, m]
        al, be = work[0], work[1]
        torch.add(rho, 1.0, out=al).mul_(0.5).sqrt_()
        torch.neg(rho, out=be).add_(1.0).mul_(0.5).sqrt_()
        acc = torch.zeros_like(rho)
        dot.zero_()
        zz = z.view(1, 1, -1)
        for i in range(self.degree):
            # all j at once: [r, m, K]
            base = (al * z[i]).unsqueeze(-1)
            spread = be.unsqueeze(-1) * zz
            u = sa.unsqueeze(-1) * (base + spread)
            v = sb.unsqueeze(-1) * (base - spread)
            acc.add_((phi(u) * phi(v)) @ w, alpha=float(w[i]))
            dot.add_((dphi(u) * dphi(v)) @ w, alpha=float(w[i]))
        rho.copy_(acc)

    def pair_mp(self, a, b, rho):  # pragma: no cover - guarded by the engine
        raise ValueError(
            f"dps (arbitrary precision) is available for the closed-form activations only; {self.activation.name!r} "
            "is evaluated by Gauss–Hermite quadrature in float64"
        )
