r"""Finite fully-connected networks in the NTK parameterisation (THEORY.md §0.1).

Layer l computes

.. math::

    h^{(l)} = \frac{\sigma_w}{\sqrt{n_{l-1}}}\, W^{(l)} g^{(l-1)} + \sigma_b\, b^{(l)},
    \qquad g^{(l)} = \varphi(h^{(l)}),
    \qquad g^{(0)} = x,

with every W^{(l)}_{ij}, b^{(l)}_i ~ N(0, 1); the readout is one more such layer with one output, f(x) = h^{(L+1)}.
As every width → ∞ the NNGP and NTK of this network converge to :func:`theorycheck.kernels.mlp_kernels`.

Initialisation is reproducible: parameters are drawn layer by layer (weight, then bias) from a CPU
``torch.Generator`` seeded with ``seed`` and then moved to ``device``, so the same seed gives the same network on
every device.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..activations import Activation

__all__ = ["NTKLinear", "NTKMLP"]


class NTKLinear(nn.Module):
    """h = σ_w/√fan_in · W x + σ_b · b, with W and b standard normal (NTK parameterisation)."""

    def __init__(self, in_features: int, out_features: int, sigma_w: float, sigma_b: float,
                 generator: torch.Generator, dtype: torch.dtype = torch.float64,
                 device: torch.device | str | None = None) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.sigma_w, self.sigma_b = float(sigma_w), float(sigma_b)
        self.scale = self.sigma_w / math.sqrt(in_features)
        w = torch.randn(out_features, in_features, generator=generator, dtype=dtype)
        b = torch.randn(out_features, generator=generator, dtype=dtype)
        self.weight = nn.Parameter(w.to(device))
        self.bias = nn.Parameter(b.to(device))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.addmm(self.bias, x, self.weight.t(), beta=self.sigma_b, alpha=self.scale)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"sigma_w={self.sigma_w:g}, sigma_b={self.sigma_b:g}")


class NTKMLP(nn.Module):
    """An MLP of ``depth`` hidden layers of ``width`` units and a scalar readout; output shape [n, 1].

    Built by :meth:`theorycheck.MLP.network`. Besides ``forward`` it exposes :meth:`trace`, the per-layer inputs and
    pre-activations that the structured empirical NTK (:func:`theorycheck.empirical_ntk`) needs.
    """

    def __init__(self, in_features: int, width: int, depth: int, activation: Activation, sigma_w: float,
                 sigma_b: float, seed: int, dtype: torch.dtype = torch.float64,
                 device: torch.device | str | None = None) -> None:
        super().__init__()
        gen = torch.Generator(device="cpu").manual_seed(int(seed))
        sizes = [in_features] + [width] * depth + [1]
        self.layers = nn.ModuleList(
            NTKLinear(sizes[i], sizes[i + 1], sigma_w, sigma_b, gen, dtype, device) for i in range(depth + 1)
        )
        self.activation = activation
        self.depth, self.width, self.in_features, self.seed = depth, width, in_features, int(seed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x
        for i, layer in enumerate(self.layers):
            h = layer(h if i == 0 else self.activation(h))
        return h

    def trace(self, x: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Forward pass returning (layer inputs g^{(l−1)}, pre-activations h^{(l)}) for l = 1..L+1 (no grad)."""
        inputs, pre = [], []
        g = x
        with torch.no_grad():
            for i, layer in enumerate(self.layers):
                if i > 0:
                    g = self.activation(pre[-1])
                inputs.append(g)
                pre.append(layer(g))
        return inputs, pre

    def extra_repr(self) -> str:
        return f"depth={self.depth}, width={self.width}, activation={self.activation.name}, seed={self.seed}"
