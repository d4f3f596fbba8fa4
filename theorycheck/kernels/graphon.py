r"""The graphon NTK: infinite-width kernels of networks whose masks are sampled from graphons (THEORY.md §4,
Pham et al., NeurIPS 2025; recursion reconstructed [R] and checked numerically [V-num]).

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
pruned recursion with σ_w² → c_l σ_w² (THEORY.md §0.5), so for ReLU without bias Θ = (Π c_l) Θ_dense.
"""

from __future__ import annotations

import torch

from .recursion import correlations_, variance_stats

__all__ = ["graphon_kernels", "grid", "graphon_values"]


def grid(n: int, dtype=torch.float64, device=None) -> torch.Tensor:
    """Cell midpoints (k + ½)/n, k = 0..n−1."""
    return (torch.arange(n, dtype=dtype, device=device) + 0.5) / n


def graphon_values(graphon, n_out: int, n_in: int, name: str = "graphon") -> torch.Tensor:
    """W on the [n_out, n_in] grid of cell midpoints: ``None`` → 1 (dense), a constant, or a function W(v, u) of
    output and input positions (torch tensors, broadcasting). Raises ``ValueError`` unless all values lie in [0, 1]."""
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


def _expectations(c: torch.Tensor, qa: torch.Tensor, qb: torch.Tensor, expect, sym: bool
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """E[φφ] and E[φ'φ'] for per-position covariances: c [K, n1, n2], variances qa [K, n1], qb [K, n2]."""
    sa, sb = variance_stats(qa, expect), variance_stats(qb, expect)
    rs = {k: v[:, :, None] for k, v in sa.items()}
    cs = {k: v[:, None, :] for k, v in sb.items()}
    rho, dot = torch.empty_like(c), torch.empty_like(c)
    work = [torch.empty_like(c) for _ in range(3)]
    correlations_(c, rs, cs, rho, work[0], work[1])
    if sym:
        rho.diagonal(dim1=1, dim2=2).fill_(1.0)
    expect.block(rho, rs, cs, dot, work)
    return rho, dot


def graphon_kernels(x1: torch.Tensor, x2: torch.Tensor | None, graphons: list[torch.Tensor], *, sigma_w: float,
                    sigma_b: float, expect, first: dict[str, torch.Tensor] | None = None
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """NNGP and NTK of the graphon recursion above.

    ``graphons[l]`` is the matrix of W^{(l+1)} values on the grid: [K, d] for the input layer, [K, K] for hidden
    layers and [1, K] for the readout (K the hidden resolution). Returns two [n1, n2] tensors.

    ``first`` (hook of :mod:`theorycheck.kernels.input_layer`, exact fixed-d input layer; docs/theory/pruned.md):
    per position v the mixture expectations over the unit's mask row, ``e`` = E_m E[φφ | m] and ``p`` =
    E_m[T_m E[φ'φ' | m]] ([K, n1, n2]) and the diagonals ``ea`` [K, n1], ``eb`` [K, n2]; they replace E_1(v),
    Σ̃^{(1)}(v)·Ė_1(v) and the layer-1 variances.
    """
    sym = x2 is None
    xb = x1 if sym else x2
    d = x1.shape[1]
    w2, b2 = sigma_w**2, sigma_b**2
    depth = len(graphons) - 1
    # layer 1, per output position v: (1/d) Σ_j W(v, j) x_j x'_j, and the two variances
    w_in = graphons[0]
    c = w2 * torch.einsum("vj,aj,bj->vab", w_in, x1, xb) / d + b2
    qa = w2 * (w_in @ (x1 * x1).T) / d + b2  # [K, n1]
    qb = qa if sym else w2 * (w_in @ (xb * xb).T) / d + b2
    sigmas = [c]  # Σ̃^{(l)} for l = 1..L+1
    edots = []  # Ė_l for l = 1..L
    for layer in range(1, depth + 1):
        if layer == 1 and first is not None:  # --- input-layer hook: the exact fixed-d mixture ---
            e, ed = first["e"], first["p"]  # ed holds E_m[T_m Ė_m]: Σ̃^{(1)} is already inside
        else:
            e, ed = _expectations(sigmas[-1], qa, qb, expect, sym)
        edots.append(ed)
        wl = graphons[layer]  # [K_out, K_in]
        k_in = wl.shape[1]
        sigmas.append(w2 * torch.einsum("vu,uab->vab", wl, e) / k_in + b2)
        # diagonal variances propagate with the 1-D expectation per position
        if layer == 1 and first is not None:
            ea, eb = first["ea"], first["eb"]
        else:
            ea = expect.diag(qa.reshape(-1)).reshape(qa.shape)
            eb = ea if sym else expect.diag(qb.reshape(-1)).reshape(qb.shape)
        qa = w2 * (wl @ ea) / k_in + b2
        qb = qa if sym else w2 * (wl @ eb) / k_in + b2
    nngp = sigmas[-1][0]
    ntk = sigmas[-1][0].clone()  # readout term: G^{(L+1)} ≡ 1
    g = None
    for layer in range(depth, 0, -1):  # hidden layers L..1: G^{(l)} on [K, n1, n2]
        w_next = graphons[layer]  # W^{(l+1)}: [K_out, K]
        if g is None:
            g = w2 * w_next[0][:, None, None] * edots[layer - 1]
        else:
            g = w2 * edots[layer - 1] * torch.einsum("wv,wab->vab", w_next, g) / w_next.shape[0]
        if layer == 1 and first is not None:
            ntk += g.mean(dim=0)  # g already carries E_m[T_m Ė_m]
        else:
            ntk += (g * sigmas[layer - 1]).mean(dim=0)
    return nngp, ntk
