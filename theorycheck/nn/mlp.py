r"""Finite fully-connected networks in the NTK parameterisation (docs/theory/dense.md).

Layer l computes

.. math::

    h^{(l)} = \frac{\sigma_w}{\sqrt{n_{l-1}}}\, W^{(l)} g^{(l-1)} + \sigma_b\, b^{(l)},
    \qquad g^{(l)} = \varphi(h^{(l)}),
    \qquad g^{(0)} = x,

with every W^{(l)}_{ij}, b^{(l)}_i ~ N(0, 1); the readout is one more such layer with one output, f(x) = h^{(L+1)}.
σ_w may differ per weight matrix (a schedule σ_w[l], docs/theory/depth_init.md).
As every width → ∞ the NNGP and NTK of this network converge to :func:`theorycheck.kernels.mlp_kernels`.

Initialisation is reproducible: parameters are drawn layer by layer (weight, then bias) from a CPU
``torch.Generator`` seeded with ``seed`` and then moved to ``device``, so the same seed gives the same network on
every device. Pruning masks (docs/theory/pruned.md) come from a separate stream (:mod:`theorycheck.masks.random`),
so a pruned network has the dense network's weights with some of them removed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from ..activations import Activation
from ..kernels.schedule import layer_sigma_w
from ..kernels.steps import KernelStep, MaskScaling

__all__ = ["NTKLinear", "NTKMLP"]


class NTKLinear(nn.Module):
    r"""One weight matrix of the network: its initialisation, its forward map, its limit and its NTK terms.

    h = c · (W ⊙ M) g + σ_b · b with W, b standard normal and c = σ_w/√(φ_fan · fan_in) (NTK parameterisation,
    docs/theory/dense.md). ``mask`` (optional, 0/1, shape [out, in]) prunes weights: the forward pass uses W ⊙ M, so
    pruned weights get exactly zero gradient and never move. ``keep`` (q) and ``rescale`` set the layer's
    :class:`~theorycheck.kernels.steps.MaskScaling` (docs/theory/pruned.md): ``False`` none; ``True`` convention A,
    c = σ_w/√(q·fan_in); ``"weights"`` convention B, the initial W is divided by √q. Without a mask the layer is
    dense whatever ``keep`` and ``rescale`` say.

    The layer owns everything that depends on those settings: :meth:`kernel_step` (its infinite-width limit),
    :meth:`backprop` (δ through the matrix), :meth:`ntk_terms` (its weight and bias terms of the empirical NTK) and
    :meth:`output_covariance` (the empirical NNGP when it is the readout).

    Args:
        in_features: fan-in.
        out_features: fan-out.
        sigma_w: σ_w.
        sigma_b: σ_b.
        generator: CPU generator drawing W then b.
        dtype: parameter dtype.
        device: parameter device.
        mask: 0/1 mask [out_features, in_features] or ``None``.
        keep: nominal keep probability q of the mask.
        rescale: one of ``False``, ``True``, ``"weights"``.

    Raises:
        ValueError: for q outside [0, 1] or an unknown ``rescale`` (masked layers).
    """

    def __init__(self, in_features: int, out_features: int, sigma_w: float, sigma_b: float,
                 generator: torch.Generator, dtype: torch.dtype = torch.float64,
                 device: torch.device | str | None = None, mask: torch.Tensor | None = None, keep: float = 1.0,
                 rescale: bool | str = False) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.sigma_w, self.sigma_b = float(sigma_w), float(sigma_b)
        self.scaling = MaskScaling(float(keep), rescale) if mask is not None else MaskScaling()
        self.scale = self.sigma_w / math.sqrt(in_features * self.scaling.fan_factor)
        w = torch.randn(out_features, in_features, generator=generator, dtype=torch.float64)
        b = torch.randn(out_features, generator=generator, dtype=torch.float64)
        if mask is not None:
            w = w * mask
            if self.scaling.weight_precision != 1.0:
                w = w / math.sqrt(self.scaling.weight_precision)
            self.register_buffer("mask", mask.to(device=device, dtype=dtype))
        else:
            self.mask = None
        self.weight = nn.Parameter(w.to(device=device, dtype=dtype))
        self.bias = nn.Parameter(b.to(device=device, dtype=dtype))
        self._support: tuple[torch.Tensor, torch.Tensor] | None = None

    @property
    def keep(self) -> float:
        """The nominal keep probability q (1 for a dense layer)."""
        return self.scaling.keep

    @property
    def rescale(self) -> bool | str:
        """The rescaling convention (``False`` for a dense layer)."""
        return self.scaling.rescale

    def kernel_step(self) -> KernelStep:
        """This matrix's (α, β, γ) in the infinite-width limit of a Bernoulli(q) mask (docs/theory/pruned.md).

        Returns:
            :meth:`MaskScaling.step <theorycheck.kernels.steps.MaskScaling.step>` of the layer's settings.
        """
        return self.scaling.step()

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

    def backprop(self, delta: torch.Tensor) -> torch.Tensor:
        """∂f/∂g of the layer's input given δ = ∂f/∂h of its output: c · δ (W ⊙ M), no grad.

        Args:
            delta: [n, out_features].

        Returns:
            A new [n, in_features] tensor.
        """
        with torch.no_grad():
            return torch.mm(delta, self.effective_weight()).mul_(self.scale)

    def ntk_terms(self, g1: torch.Tensor, d1: torch.Tensor, g2: torch.Tensor, d2: torch.Tensor,
                  out_w: torch.Tensor, out_b: torch.Tensor, *, rows: int, block_bytes: int,
                  same_inputs: bool = False) -> None:
        r"""Accumulate this layer's terms of the empirical NTK (docs/theory/dense.md).

        Weight term (ΔΔ'ᵀ) ⊙ (c² GG'ᵀ) into ``out_w`` and bias term σ_b² ΔΔ'ᵀ into ``out_b``; when they are the same
        tensor both are summed in one pass, (ΔΔ'ᵀ) ⊙ (c² GG'ᵀ + σ_b²). A masked layer's weight term sums over the
        kept weights only, c² Σ_{(i,j) kept} δ_i δ'_i g_j g'_j (docs/theory/pruned.md), from the masked Jacobian
        gathered in chunks (cost N²·nnz; the dense one is never formed). Biases are never pruned.

        Args:
            g1: layer inputs on the first batch, [n1, in_features].
            d1: back-propagated signals δ on the first batch, [n1, out_features].
            g2: layer inputs on the second batch, [n2, in_features].
            d2: signals on the second batch, [n2, out_features].
            out_w: [n1, n2] accumulator of the weight term.
            out_b: [n1, n2] accumulator of the bias term (may be ``out_w``).
            rows: rows per block of the dense Gram products.
            block_bytes: memory of one chunk of the masked Jacobian.
            same_inputs: whether the two batches are the same tensor (the Jacobian is then gathered once).
        """
        c2, b2 = self.scale * self.scale, self.sigma_b * self.sigma_b
        if self.mask is not None:
            self._masked_weight_term(g1, d1, g2, d2, out_w, block_bytes, same_inputs)
            for r0 in range(0, g1.shape[0], rows):
                r1 = min(g1.shape[0], r0 + rows)
                out_b[r0:r1].addmm_(d1[r0:r1], d2.T, alpha=b2)
            return
        same = out_w is out_b
        for r0 in range(0, g1.shape[0], rows):
            r1 = min(g1.shape[0], r0 + rows)
            dd = torch.mm(d1[r0:r1], d2.T)
            gg = torch.mm(g1[r0:r1], g2.T)
            if same:
                out_w[r0:r1].addcmul_(dd, gg.mul_(c2).add_(b2))
            else:
                out_w[r0:r1].addcmul_(dd, gg, value=c2)
                out_b[r0:r1].add_(dd, alpha=b2)

    def _masked_weight_term(self, g1, d1, g2, d2, out: torch.Tensor, block_bytes: int, same_inputs: bool) -> None:
        """out += c² Σ_{(i,j) kept} (δ_i g_j)(δ'_i g'_j): J (N × nnz) gathered chunk by chunk, then J J'ᵀ."""
        rows, cols = self.support()
        nnz = rows.numel()
        chunk = max(1, block_bytes // (2 * g1.element_size() * max(g1.shape[0], g2.shape[0])))
        c2 = self.scale * self.scale
        for k0 in range(0, nnz, chunk):
            r, c = rows[k0:k0 + chunk], cols[k0:k0 + chunk]
            j1 = d1[:, r] * g1[:, c]
            j2 = j1 if same_inputs else d2[:, r] * g2[:, c]
            out.addmm_(j1, j2.T, alpha=c2)

    def output_covariance(self, g1: torch.Tensor, g2: torch.Tensor) -> torch.Tensor:
        r"""The readout's empirical NNGP: E_W[h(x1) h(x2) | inputs] = c²/π_w Σ_j M_j g_j g'_j + σ_b².

        The covariance over the initial weights (variance 1/π_w, :class:`~theorycheck.kernels.steps.MaskScaling`)
        given the layer's inputs; it converges to Σ^{(L+1)} (docs/theory/dense.md, docs/theory/pruned.md).

        Args:
            g1: inputs of the layer on the first batch, [n1, in_features].
            g2: the same on the second batch, [n2, in_features].

        Returns:
            [n1, n2] tensor.

        Raises:
            ValueError: unless the layer has a single output.
        """
        if self.out_features != 1:
            raise ValueError(f"output_covariance needs a single-output layer, got out_features={self.out_features}")
        if self.mask is None:
            return torch.mm(g1, g2.T).mul_(self.scale**2).add_(self.sigma_b**2)
        factor = 1.0 / self.scaling.weight_precision
        return torch.mm(g1 * self.mask[0], g2.T).mul_(self.scale**2 * factor).add_(self.sigma_b**2)

    def extra_repr(self) -> str:
        masked = "" if self.mask is None else f", density={float(self.mask.mean()):.3g}, rescale={self.rescale!r}"
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"sigma_w={self.sigma_w:g}, sigma_b={self.sigma_b:g}{masked}")


class NTKMLP(nn.Module):
    """An MLP of ``depth`` hidden layers of ``width`` units and a scalar readout; output shape [n, 1].

    Built by :meth:`theorycheck.MLP.network`. Besides ``forward`` it exposes :meth:`trace`, the per-layer inputs and
    pre-activations that the structured empirical NTK (:func:`theorycheck.empirical_ntk`) needs, :meth:`masks` and
    :meth:`kernel_steps` (the limit of every layer).

    Args:
        in_features: input dimension d.
        width: units per hidden layer.
        depth: number of hidden layers L.
        activation: φ.
        sigma_w: σ_w, or one σ_w[l] per weight matrix (``depth + 1`` values, input layer first, readout last;
            docs/theory/depth_init.md): matrix l computes σ_w[l]/√fan_in · W g.
        sigma_b: σ_b.
        seed: seed of the weights (drawn layer by layer, weight then bias; the same draws whatever the scales).
        dtype: parameter dtype.
        device: parameter device.
        masks: one entry per weight matrix (``None`` = dense).
        keep: the nominal keep probability q used by the rescaling (all masked layers).
        rescale: the rescaling convention of all masked layers.
        scalings: per weight matrix :class:`~theorycheck.kernels.steps.MaskScaling`, overriding ``keep`` and
            ``rescale``.
    """

    def __init__(self, in_features: int, width: int, depth: int, activation: Activation,
                 sigma_w: float | Sequence[float], sigma_b: float, seed: int, dtype: torch.dtype = torch.float64,
                 device: torch.device | str | None = None, masks: list[torch.Tensor | None] | None = None,
                 keep: float = 1.0, rescale: bool | str = False,
                 scalings: list[MaskScaling] | None = None) -> None:
        super().__init__()
        gen = torch.Generator(device="cpu").manual_seed(int(seed))
        sizes = [in_features] + [width] * depth + [1]
        masks = masks if masks is not None else [None] * (depth + 1)
        scalings = scalings if scalings is not None else [MaskScaling(float(keep), rescale) if m is not None
                                                          else MaskScaling() for m in masks]
        scales = layer_sigma_w(sigma_w, depth)
        self.layers = nn.ModuleList(
            NTKLinear(sizes[i], sizes[i + 1], scales[i], sigma_b, gen, dtype, device, masks[i], scalings[i].keep,
                      scalings[i].rescale)
            for i in range(depth + 1)
        )
        self.activation = activation
        self.depth, self.width, self.in_features, self.seed = depth, width, in_features, int(seed)

    def masks(self) -> list[torch.Tensor | None]:
        """The mask of every weight matrix, input layer first (``None`` where the layer is dense)."""
        return [layer.mask for layer in self.layers]

    def kernel_steps(self) -> list[KernelStep]:
        """Every layer's (α, β, γ) for the Bernoulli-mask limit (docs/theory/pruned.md), input layer first."""
        return [layer.kernel_step() for layer in self.layers]

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
