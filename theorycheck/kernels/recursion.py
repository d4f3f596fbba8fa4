r"""The infinite-width NNGP/NTK recursion of a fully-connected network (THEORY.md §0.2, Jacot et al. 2018).

.. math::

    \Sigma^{(1)}(x,x') = \sigma_w^2\, x^\top x'/d + \sigma_b^2, \qquad \Theta^{(1)} = \Sigma^{(1)},

    \Sigma^{(l+1)} = \sigma_w^2\, E[\varphi(u)\varphi(v)] + \sigma_b^2, \quad
    \dot\Sigma^{(l+1)} = \sigma_w^2\, E[\varphi'(u)\varphi'(v)], \quad
    \Theta^{(l+1)} = \Sigma^{(l+1)} + \Theta^{(l)}\,\dot\Sigma^{(l+1)},

with (u, v) ~ N(0, Λ^{(l)}). After L hidden layers the output's NNGP is Σ^{(L+1)} and its NTK Θ^{(L+1)}.

Pruned layers (THEORY.md §0.5). Each weight matrix l = 1..L+1 carries three factors (α_l, β_l, γ_l): α_l multiplies
σ_w² in the forward covariance Σ^{(l)}, β_l multiplies the weight term of the NTK and γ_l multiplies σ_w² in the
derivative kernel Σ̇^{(l)} that back-propagates through matrix l:

.. math::

    \Sigma^{(l)} = \alpha_l \sigma_w^2 E_{l-1} + \sigma_b^2, \quad
    \Theta^{(l)} = \beta_l \sigma_w^2 E_{l-1} + \sigma_b^2 + \Theta^{(l-1)} \gamma_l \sigma_w^2 \dot E_{l-1},

with E_0 = x·x'/d, E_{l} = E[φφ] and Ė_l = E[φ'φ'] under Σ^{(l)}. Dense: all factors 1. A Bernoulli(q_l) mask without
rescaling: α = β = γ = q_l (the dense recursion with σ_w² → q_l σ_w²). Architectural rescaling 1/√(q n) (convention
A): α = β = γ = 1, exactly the dense limit. Value rescaling of the weights by 1/√q at init (convention B, the P1
code): α = γ = 1, β = q_l.

Implementation (the speed target of issue 2: a depth-10 ReLU kernel on 4096 × 4096 in ≤ 4 s on 2 threads):

* the diagonals Σ^{(l)}(x, x) are computed once per layer from the 1-D recursion, with their square roots;
* given the diagonals every off-diagonal entry evolves independently through the layers, so the output is processed
  in row blocks that fit in cache and each block is carried through *all* layers before the next one starts;
* every operation is in place on a handful of preallocated block buffers (no temporaries of size n1 × n2);
* for x2 = None only the upper triangle is computed and then mirrored, so the result is exactly symmetric, and
  the diagonal correlation is set to exactly 1.

Correlations are clamped into [−1, 1] and snapped to ±1 within 16 ulps (see :data:`SNAP`); a zero-variance
point (zero input with σ_b = 0) gets correlation 0, so its
kernel entries are exactly 0, never NaN. Products √a·√b are formed as products of square roots so inputs scaled by
1e±150 neither overflow nor underflow.
"""

from __future__ import annotations

import torch

from .erf import Erf
from .identity import Identity
from .leaky_relu import LeakyReLU
from .quadrature import Quadrature
from .relu import ReLU

__all__ = ["expectations_for", "mlp_kernels", "layer_variances"]

DEFAULT_BLOCK_ELEMENTS = 1 << 15


def expectations_for(activation, quadrature_degree: int = 48):
    """The object computing E[φφ] and E[φ'φ'] for an :class:`~theorycheck.activations.Activation`."""
    kind = activation.closed_form
    if kind == "relu":
        return ReLU()
    if kind == "leaky_relu":
        return LeakyReLU(activation.negative_slope)
    if kind == "erf":
        return Erf()
    if kind == "identity":
        return Identity()
    return Quadrature(activation, quadrature_degree)


def layer_variances(q1: torch.Tensor, depth: int, w2: float, b2: float, expect,
                    alphas: list[float] | None = None) -> list[torch.Tensor]:
    """Σ^{(l)}(x, x) for l = 1..depth (the pre-activation variances that feed the activations)."""
    qs = [q1]
    for layer in range(1, depth):
        a = 1.0 if alphas is None else alphas[layer]
        qs.append(a * w2 * expect.diag(qs[-1]) + b2)
    return qs


Factors = list[tuple[float, float, float]]


def check_factors(factors: Factors | None, depth: int) -> Factors:
    if factors is None:
        return [(1.0, 1.0, 1.0)] * (depth + 1)
    if len(factors) != depth + 1:
        raise ValueError(f"factors must have depth + 1 = {depth + 1} entries (one per weight matrix), "
                         f"got {len(factors)}")
    return [tuple(float(v) for v in f) for f in factors]


# Correlations within this distance of ±1 are indistinguishable from ±1 given the rounding of ρ = c/(√a√b)
# (a few ulps); they are set to ±1 so that duplicated, colinear and antipodal inputs get the exact value at the
# arccos singularity instead of an O(√ulp) error.
SNAP = 16 * 2.0**-53


def _snap_unit(rho: torch.Tensor, w0: torch.Tensor, w1: torch.Tensor) -> None:
    """In place: ρ ← sign(ρ) where |ρ| > 1 − SNAP (exact: ρ + (±1 − ρ) rounds to ±1 by Sterbenz)."""
    torch.abs(rho, out=w0).gt_(1.0 - SNAP)
    torch.sign(rho, out=w1).sub_(rho).mul_(w0)
    rho.add_(w1)


def correlations_(c: torch.Tensor, rs: dict[str, torch.Tensor], cs: dict[str, torch.Tensor], out: torch.Tensor,
                  w0: torch.Tensor, w1: torch.Tensor) -> torch.Tensor:
    """ρ = c/(√a√b) into ``out``: clamped into [−1, 1] and snapped to ±1 within :data:`SNAP` (zero variance → 0).

    ``rs``/``cs`` are the row/column statistics of :func:`variance_stats`, broadcastable against ``c``; ``w0``, ``w1``
    are work buffers shaped like ``c``. Shared by the MLP recursion and the graphon recursion.
    """
    torch.mul(c, rs["inv_s"], out=out).mul_(cs["inv_s"]).clamp_(-1.0, 1.0)
    _snap_unit(out, w0, w1)
    return out


def variance_stats(q: torch.Tensor, expect) -> dict[str, torch.Tensor]:
    """Per-point statistics of the variances ``q`` that the expectation blocks read: √q, 1/√q (0 at q = 0) and the
    activation's own extras."""
    s = torch.sqrt(q)
    inv = torch.where(s > 0, 1.0 / s, torch.zeros_like(s))  # zero variance → correlation 0
    out = {"s": s, "inv_s": inv}
    extra = getattr(expect, "stats", None)
    if extra is not None:
        out.update(extra(q))
    return out


def mlp_kernels(
    x1: torch.Tensor,
    x2: torch.Tensor | None,
    *,
    depth: int,
    sigma_w: float,
    sigma_b: float,
    expect,
    factors: Factors | None = None,
    block_elements: int = DEFAULT_BLOCK_ELEMENTS,
    start: tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """NNGP Σ^{(L+1)} and NTK Θ^{(L+1)} of an L = ``depth`` hidden-layer MLP on validated float inputs.

    ``expect`` is one of the expectation objects (:func:`expectations_for`); ``factors`` the per-matrix (α, β, γ) of
    pruned layers (default: dense). Returns two [n1, n2] tensors with the dtype and device of ``x1``.

    ``start`` (hook of :mod:`theorycheck.kernels.input_layer`, depth ≥ 1): the state after hidden layer 1 —
    (Σ^{(2)}, Θ^{(2)}) as [n1, n2] tensors and the variances Σ^{(2)}(x, x) of x1 [n1] and x2 [n2] — replaces the
    first step (the input layer and the first expectation); the recursion continues from layer 2.
    """
    factors = check_factors(factors, depth)
    alphas = [f[0] for f in factors]
    # --- input-layer hook (kernels/input_layer.py): start from the state after hidden layer 1 ---
    first = 1 if start is not None else 0
    if start is not None and depth < 1:
        raise ValueError("start needs depth >= 1")
    sym = x2 is None
    xb = x1 if sym else x2
    n1, d = x1.shape
    n2 = xb.shape[0]
    w2, b2 = sigma_w * sigma_w, sigma_b * sigma_b
    dtype, device = x1.dtype, x1.device

    a0 = alphas[0]
    if start is not None:  # variances of layers 2..depth, through matrices 1..depth−1
        qa = layer_variances(start[2], depth - 1, w2, b2, expect, alphas[1:])
        qb = qa if sym else layer_variances(start[3], depth - 1, w2, b2, expect, alphas[1:])
    else:
        qa = layer_variances(a0 * (w2 / d) * (x1 * x1).sum(dim=1) + b2, depth, w2, b2, expect, alphas)
        qb = qa if sym else layer_variances(a0 * (w2 / d) * (xb * xb).sum(dim=1) + b2, depth, w2, b2, expect,
                                            alphas)
    stats_a = [variance_stats(q, expect) for q in qa]
    stats_b = stats_a if sym else [variance_stats(q, expect) for q in qb]

    nngp = torch.empty((n1, n2), dtype=dtype, device=device)
    ntk = torch.empty((n1, n2), dtype=dtype, device=device)
    rows = max(1, min(n1, block_elements // max(n2, 1)))
    buf = torch.empty(6 * rows * n2, dtype=dtype, device=device)

    for r0 in range(0, n1, rows):
        r1 = min(n1, r0 + rows)
        c0 = r0 if sym else 0  # upper triangle only in the symmetric case
        shape = (r1 - r0, n2 - c0)
        size = shape[0] * shape[1]
        C, T, R, D, W0, W1 = (buf[k * size:(k + 1) * size].view(shape) for k in range(6))
        if start is not None:
            C.copy_(start[0][r0:r1, c0:])
            T.copy_(start[1][r0:r1, c0:])
        else:
            torch.mm(x1[r0:r1], xb[c0:].T, out=C)
            C.mul_(w2 / d)
            torch.mul(C, factors[0][1], out=T).add_(b2)
            C.mul_(alphas[0]).add_(b2)
        for layer in range(first, depth):
            al, be, ga = factors[layer + 1]
            rs = {k: v[r0:r1, None] for k, v in stats_a[layer - first].items()}
            cs = {k: v[None, c0:] for k, v in stats_b[layer - first].items()}
            correlations_(C, rs, cs, R, W0, W1)
            if sym:
                R.diagonal().fill_(1.0)
            expect.block(R, rs, cs, D, [W0, W1, C])
            torch.mul(R, al * w2, out=C).add_(b2)  # Σ^{(l+1)}
            T.mul_(D).mul_(ga * w2)  # Θ^{(l)} Σ̇^{(l+1)}
            if be == al:
                T.add_(C)
            else:
                T.add_(R, alpha=be * w2).add_(b2)
        nngp[r0:r1, c0:] = C
        ntk[r0:r1, c0:] = T
    if sym:
        for out in (nngp, ntk):
            for r0 in range(0, n1, rows):
                r1 = min(n1, r0 + rows)
                out[r1:, r0:r1] = out[r0:r1, r1:].T
                square = out[r0:r1, r0:r1]
                square.copy_(torch.triu(square) + torch.triu(square, 1).T)
    return nngp, ntk
