r"""The one-hidden-layer ReLU network with a large initial bias (Yang et al. 2023; docs/theory/bias.md).

f(x) = m^{-1/2} Σ_r a_r relu(⟨w_r, x⟩ − b_r), with a_r = ±1 fixed (a buffer), w_r ~ N(0, I_d) and b_r = B at
initialisation, both trainable (b only if ``train_bias``). Unit r is *active* on x when ⟨w_r, x⟩ − b_r > 0; at
initialisation each input activates a fraction 1 − Φ(B) ≤ ½e^{−B²/2} of the units.

Its empirical NTK is exactly (x·x' + 1[train_bias]) · (1/m) Σ_r 1_r(x) 1_r(x') (:meth:`LargeBiasMLP.structured_ntk`),
the finite-width version of H_B; its empirical NNGP (1/m) Σ_r relu_r(x) relu_r(x') is the output covariance over
the signs a_r.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["LargeBiasMLP"]


class LargeBiasMLP(nn.Module):
    """Built by :meth:`theorycheck.LargeBiasNet.network`; output shape [n, 1].

    Its inputs must lie on the unit sphere (docs/theory/bias.md): :func:`~theorycheck.empirical_ntk`,
    :func:`~theorycheck.monte_carlo_kernel` and :func:`~theorycheck.train_gd` reject others.
    """

    #: read by ``_validation.check_net_inputs``
    unit_sphere_inputs = True

    def __init__(self, in_features: int, width: int, bias: float, train_bias: bool, seed: int,
                 dtype: torch.dtype = torch.float64, device: torch.device | str | None = None) -> None:
        super().__init__()
        gen = torch.Generator().manual_seed(int(seed))
        w = torch.randn(width, in_features, generator=gen, dtype=torch.float64)
        a = torch.randint(0, 2, (width,), generator=gen).to(torch.float64) * 2.0 - 1.0
        self.weight = nn.Parameter(w.to(device=device, dtype=dtype))
        self.bias = nn.Parameter(torch.full((width,), float(bias), dtype=dtype, device=device),
                                 requires_grad=bool(train_bias))
        self.register_buffer("a", a.to(device=device, dtype=dtype))
        self.width, self.in_features, self.train_bias, self.bias_init = width, in_features, bool(train_bias), bias

    def preactivation(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.weight.T - self.bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (torch.relu(self.preactivation(x)) @ self.a / math.sqrt(self.width)).unsqueeze(1)

    def active(self, x: torch.Tensor) -> torch.Tensor:
        """Boolean [n, m]: which units are active on each input."""
        with torch.no_grad():
            return self.preactivation(x) > 0

    def active_counts(self, x: torch.Tensor) -> torch.Tensor:
        """Number of active units per input, [n]."""
        return self.active(x).sum(dim=1)

    def structured_ntk(self, x1: torch.Tensor, x2: torch.Tensor | None, per_layer: bool = False):
        """Exact empirical NTK: w-part (x·x')(A A'ᵀ)/m, b-part (A A'ᵀ)/m (if the bias is trained)."""
        xb = x1 if x2 is None else x2
        a1 = self.active(x1).to(x1.dtype)
        a2 = a1 if x2 is None else self.active(xb).to(x1.dtype)
        co = (a1 @ a2.T) / self.width
        w_part = (x1 @ xb.T) * co
        if per_layer:
            return {"weight": w_part, **({"bias": co} if self.train_bias else {})}
        return w_part + co if self.train_bias else w_part

    def structured_nngp(self, x1: torch.Tensor, x2: torch.Tensor | None) -> torch.Tensor:
        """(1/m) Σ_r relu_r(x) relu_r(x'): the output covariance over the random signs a_r."""
        with torch.no_grad():
            g1 = torch.relu(self.preactivation(x1))
            g2 = g1 if x2 is None else torch.relu(self.preactivation(x2))
        return g1 @ g2.T / self.width

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, width={self.width}, B={self.bias_init:g}, train_bias={self.train_bias}"
