r"""The graphon NTK: infinite-width kernels of networks whose masks are sampled from graphons (Pham et al., NeurIPS
2025, Prop. 1 and Thm. 1; docs/theory/graphon.md). The recursion was reconstructed from the paper's text and checked
against finite masked networks.

Each weight matrix l has a graphon W^{(l)}(v, u) ∈ [0, 1] (output position v, input position u, both in [0, 1];
the input layer uses positions (j + ½)/d). A finite network keeps weight (i, j) with probability
W^{(l)}((i+½)/n_out, (j+½)/n_in). With unit positions on a grid of K points per hidden layer:

.. math::

    \tilde\Sigma^{(1)}(v) = \sigma_w^2 \tfrac1d \sum_j W^{(1)}(v, u_j)\, x_j x'_j + \sigma_b^2, \qquad
    \tilde\Sigma^{(l+1)}(v) = \sigma_w^2 \int W^{(l+1)}(v, u)\, E_l(u)\, du + \sigma_b^2,

with E_l(u) = E[φ(a)φ(b)] and Ė_l(u) = E[φ'(a)φ'(b)] under the position-dependent covariance Λ^{(l)}(u) built from
Σ̃^{(l)}(u) on (x, x), (x', x'), (x, x'). Backward (G^{(L+1)} ≡ 1 for the scalar readout):

.. math::

    G^{(L)}(v) = \sigma_w^2 W^{(L+1)}(v)\, \dot E_L(v), \qquad
    G^{(l)}(v) = \sigma_w^2 \dot E_l(v) \int W^{(l+1)}(w, v)\, G^{(l+1)}(w)\, dw,

    \Theta = \sum_{l=1}^{L+1} \int G^{(l)}(v)\, \tilde\Sigma^{(l)}(v)\, dv, \qquad \text{NNGP} = \tilde\Sigma^{(L+1)}.

(The σ_b² inside Σ̃^{(l)} supplies the bias terms of the NTK.) With constant graphons W ≡ c_l this is exactly the
pruned recursion with σ_w² → c_l σ_w² (docs/theory/pruned.md), so for ReLU without bias Θ = (Π c_l) Θ_dense; the
spec (:class:`theorycheck.MLP`) then uses the (c, c, c) steps of that recursion.

Computation: the blocked engine :func:`~theorycheck.kernels.recursion.mlp_kernels` with one
:class:`~theorycheck.kernels.steps.GraphonStep` per matrix. It carries the NTK forward per position,
Θ̃^{(l+1)}(v) = Σ̃^{(l+1)}(v) + σ_w² ∫ W^{(l+1)}(v, u) Ė_l(u) Θ̃^{(l)}(u) du, which unrolls to the G-sum above; row
blocks of the output pass through all layers in [K, rows, n2] buffers, so the memory does not grow with K·n².
"""

from __future__ import annotations

import torch

from .expectation import Expectations
from .recursion import mlp_kernels
from .steps import GraphonStep

__all__ = ["graphon_kernels", "grid", "graphon_values"]


def grid(n: int, dtype=torch.float64, device=None) -> torch.Tensor:
    """Cell midpoints (k + ½)/n, k = 0..n−1: the positions of n units in [0, 1] (docs/theory/graphon.md).

    Args:
        n: number of cells.
        dtype: tensor dtype.
        device: tensor device.

    Returns:
        1-D tensor of n positions.
    """
    return (torch.arange(n, dtype=dtype, device=device) + 0.5) / n


def graphon_values(graphon, n_out: int, n_in: int, name: str = "graphon") -> torch.Tensor:
    """W on the [n_out, n_in] grid of cell midpoints (docs/theory/graphon.md).

    Args:
        graphon: ``None`` (dense, W ≡ 1), a constant, or a function W(v, u) of output and input positions (torch
            tensors, broadcasting).
        n_out: output positions.
        n_in: input positions.
        name: how the error message names the graphon.

    Returns:
        float64 tensor [n_out, n_in].

    Raises:
        ValueError: unless all values are finite and lie in [0, 1].
    """
    if graphon is None:
        return torch.ones(n_out, n_in, dtype=torch.float64)
    if callable(graphon):
        vals = torch.as_tensor(graphon(grid(n_out)[:, None], grid(n_in)[None, :]), dtype=torch.float64)
        vals = torch.broadcast_to(vals, (n_out, n_in)).clone()
    else:
        vals = torch.full((n_out, n_in), float(graphon), dtype=torch.float64)
    if not bool(torch.isfinite(vals).all()) or float(vals.min()) < 0 or float(vals.max()) > 1:
        raise ValueError(f"{name} must take values in [0, 1]")
    return vals


def graphon_kernels(x1: torch.Tensor, x2: torch.Tensor | None, graphons: list[torch.Tensor], *, sigma_w: float,
                    sigma_b: float, expect: Expectations, block_elements: int | None = None
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """NNGP and NTK of the graphon recursion above, by the blocked engine (docs/theory/graphon.md).

    Args:
        x1: inputs [n1, d].
        x2: inputs [n2, d], or ``None`` for x1.
        graphons: ``graphons[l]`` is the matrix of W^{(l+1)} values on the grid: [K, d] for the input layer,
            [K, K] for hidden layers and [1, K] for the readout (K the hidden resolution).
        sigma_w: σ_w.
        sigma_b: σ_b.
        expect: the activation's expectations.
        block_elements: entries of one [K, rows, n2] block buffer (see
            :func:`~theorycheck.kernels.recursion.mlp_kernels`).

    Returns:
        (nngp, ntk), two [n1, n2] tensors.
    """
    return mlp_kernels(x1, x2, depth=len(graphons) - 1, sigma_w=sigma_w, sigma_b=sigma_b, expect=expect,
                       steps=[GraphonStep(g) for g in graphons], block_elements=block_elements)
