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
every device. Pruning masks (THEORY.md §0.5) come from a separate stream (:mod:`theorycheck.masks.random`), so a pruned
network has the dense network's weights with some of them removed.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..activations import Activation

__all__ = ["NTKLinear", "NTKMLP"]


class NTKLinear(nn.Module):
    """h = c · (W ⊙ M) x + σ_b · b with W, b standard normal; c = σ_w/√fan_in (NTK parameterisation).

    ``mask`` (optional, 0/1, shape [out, in]) prunes weights: the forward pass uses W ⊙ M, so pruned weights get
    exactly zero gradient and never move. ``rescale`` (THEORY.md §0.5) with keep probability q: ``False`` none;
    ``True`` convention A, c = σ_w/√(q·fan_in); ``"weights"`` convention B, the initial W is divided by √q.
    """

    def __init__(self, in_features: int, out_features: int, sigma_w: float, sigma_b: float,
                 generator: torch.Generator, dtype: torch.dtype = torch.float64,
                 device: torch.device | str | None = None, mask: torch.Tensor | None = None, keep: float = 1.0,
                 rescale: bool | str = False) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.sigma_w, self.sigma_b = float(sigma_w), float(sigma_b)
        self.keep = float(keep) if mask is not None else 1.0
        self.rescale = rescale if mask is not None else False
        fan = in_features * (self.keep if self.rescale is True else 1.0)
        self.scale = self.sigma_w / math.sqrt(fan)
        w = torch.randn(out_features, in_features, generator=generator, dtype=torch.float64)
        b = torch.randn(out_features, generator=generator, dtype=torch.float64)
        if mask is not None:
            w = w * mask
            if self.rescale == "weights":
                w = w / math.sqrt(self.keep)
            self.register_buffer("mask", mask.to(device=device, dtype=dtype))
        else:
            self.mask = None
        self.weight = nn.Parameter(w.to(device=device, dtype=dtype))
        self.bias = nn.Parameter(b.to(device=device, dtype=dtype))
        self._support: tuple[torch.Tensor, torch.Tensor] | None = None

    def effective_weight(self) -> torch.Tensor:
        """W ⊙ M (W when unmasked)."""
        return self.weight if self.mask is None else self.weight * self.mask

    def support(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(rows, cols) of the kept weights, computed once (the mask is fixed)."""
        if self.mask is None:
            raise ValueError("support() needs a masked layer")
        if self._support is None or self._support[0].device != self.mask.device:
            rows, cols = torch.nonzero(self.mask, as_tuple=True)
            self._support = (rows, cols)
        return self._support

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.addmm(self.bias, x, self.effective_weight().t(), beta=self.sigma_b, alpha=self.scale)

    def extra_repr(self) -> str:
        masked = "" if self.mask is None else f", density={float(self.mask.mean()):.3g}, rescale={self.rescale!r}"
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"sigma_w={self.sigma_w:g}, sigma_b={self.sigma_b:g}{masked}")


class NTKMLP(nn.Module):
    """An MLP of ``depth`` hidden layers of ``width`` units and a scalar readout; output shape [n, 1].

    Built by :meth:`theorycheck.MLP.network`. Besides ``forward`` it exposes :meth:`trace`, the per-layer inputs and
    pre-activations that the structured empirical NTK (:func:`theorycheck.empirical_ntk`) needs, and
    :meth:`masks`. ``masks`` is one entry per weight matrix (``None`` = dense), ``keep`` the nominal keep
    probability 1 − p used by the rescaling.
    """

    def __init__(self, in_features: int, width: int, depth: int, activation: Activation, sigma_w: float,
                 sigma_b: float, seed: int, dtype: torch.dtype = torch.float64,
                 device: torch.device | str | None = None, masks: list[torch.Tensor | None] | None = None,
                 keep: float = 1.0, rescale: bool | str = False) -> None:
        super().__init__()
        gen = torch.Generator(device="cpu").manual_seed(int(seed))
        sizes = [in_features] + [width] * depth + [1]
        masks = masks if masks is not None else [None] * (depth + 1)
        self.layers = nn.ModuleList(
            NTKLinear(sizes[i], sizes[i + 1], sigma_w, sigma_b, gen, dtype, device, masks[i], keep, rescale)
            for i in range(depth + 1)
        )
        self.activation = activation
        self.depth, self.width, self.in_features, self.seed = depth, width, in_features, int(seed)

    def masks(self) -> list[torch.Tensor | None]:
        """The mask of every weight matrix, input layer first (``None`` where the layer is dense)."""
        return [layer.mask for layer in self.layers]

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
