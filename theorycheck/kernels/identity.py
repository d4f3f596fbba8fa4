r"""Identity (linear) activation: E[uv] = c and E[1·1] = 1 (docs/theory/dense.md).

A deep linear network's NNGP is then Σ^{(l+1)} = σ_w² Σ^{(l)} + σ_b² and its NTK
Θ^{(l+1)} = Σ^{(l+1)} + σ_w² Θ^{(l)}.
"""

from __future__ import annotations

import mpmath
import torch

__all__ = ["Identity"]


class Identity:
    name = "identity"
    #: φ(cz) = cφ(z): the engine may factor scales out (:mod:`theorycheck.kernels.scaling`).
    homogeneous = True

    def diag(self, q: torch.Tensor) -> torch.Tensor:
        return q.clone()

    def stats(self, q: torch.Tensor) -> dict[str, torch.Tensor]:
        """No statistics beyond √q and 1/√q."""
        return {}

    def block(self, rho: torch.Tensor, rs: dict[str, torch.Tensor], cs: dict[str, torch.Tensor],
              dot: torch.Tensor, work: list[torch.Tensor]) -> None:
        rho.mul_(rs["s"]).mul_(cs["s"])
        dot.fill_(1.0)

    def pair_mp(self, a: mpmath.mpf, b: mpmath.mpf, rho: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
        rho = max(mpmath.mpf(-1), min(mpmath.mpf(1), rho))
        return rho * mpmath.sqrt(a) * mpmath.sqrt(b), mpmath.mpf(1)

    def stable_pairs(self, rho: torch.Tensor, s2: torch.Tensor, sa: torch.Tensor, sb: torch.Tensor
                     ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(E[uv], 1, 1 − ρ) for near-colinear pairs with accurate s2 = 1 − ρ² (1 − ρ = s2/(1 + ρ) for ρ ≥ 0)."""
        return rho * sa * sb, torch.ones_like(rho), torch.where(rho >= 0, s2 / (1.0 + rho), 1.0 - rho)
