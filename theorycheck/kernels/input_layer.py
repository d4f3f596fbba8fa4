r"""The exact infinite-width limit when the input layer is pruned at a fixed input dimension d (docs/theory/pruned.md).

The rule σ_w² → q σ_w² of a pruned layer (Yang & Wang, AISTATS 2023, Thm 1) needs the layer's fan-in to grow. The
input layer's fan-in is d, fixed. Unit i of hidden layer 1 sees only the inputs its mask row m ∈ {0, 1}^d keeps, so
given m its pre-activations on (x, x') are Gaussian with covariance

.. math::

    \Lambda_m = \begin{pmatrix} a S_1 + \sigma_b^2 & a S_{12} + \sigma_b^2 \\ a S_{12} + \sigma_b^2 & a S_2 + \sigma_b^2
    \end{pmatrix}, \qquad S_1 = \sum_j m_j x_j^2,\ S_2 = \sum_j m_j x_j'^2,\ S_{12} = \sum_j m_j x_j x'_j,

and, unconditionally, a *mixture* of Gaussians over the law of m. Units of layer 1 are i.i.d. over (mask row,
weights, bias), so the fan-in sums of layer 2 converge (law of large numbers, then the CLT from layer 2 on):

.. math::

    \Sigma^{(2)} = \alpha_2 \sigma_w^2\, \bar E + \sigma_b^2, \qquad
    \Theta^{(2)} = \beta_2 \sigma_w^2\, \bar E + \sigma_b^2 + \gamma_2 \sigma_w^2\, \bar P,

    \bar E = E_m\, E_{N(0,\Lambda_m)}[\varphi(u)\varphi(v)], \qquad
    \bar P = E_m\bigl[T_m\, E_{N(0,\Lambda_m)}[\varphi'(u)\varphi'(v)]\bigr], \qquad T_m = b\, S_{12} + \sigma_b^2.

T_m is the first layer's own tangent kernel given its mask row: the sum over kept weights of (∂h/∂W_ij)(∂h'/∂W_ij)
plus the bias term. The constants follow from h = c (W ⊙ M) x + σ_b b with stored weights of variance v:

========================  ====================  ============================  ==============================
rescale                   c²                    a = c² v  (forward)            b = c²  (gradient w.r.t. W)
========================  ====================  ============================  ==============================
False                     σ_w²/d                σ_w²/d                         σ_w²/d
True (architectural, A)   σ_w²/(q d)            σ_w²/(q d)                     σ_w²/(q d)
"weights" (value, B)      σ_w²/d, v = 1/q       σ_w²/(q d)                     σ_w²/d
========================  ====================  ============================  ==============================

(``proofs/pruned_input_layer.py`` checks these and the mixture identities.) Averaging Λ_m over m first gives the
d → ∞ recursion (:mod:`theorycheck.kernels.recursion`) with factors (α₁, β₁) = (q a d/σ_w², q b d/σ_w²); it is exact
only when φ's Gaussian expectation is linear in the covariance (φ = identity) and differs at O(1/d) otherwise.
Layers ≥ 2 and the diagonal Σ^{(2)}(x, x) (from the same mixture) then follow the ordinary recursion.

Graphon masks on the input layer (Pham et al., NeurIPS 2025): a unit at position v keeps input j with probability
W(v, (j+½)/d); the mixture is over m | v (independent, non-identical Bernoulli coordinates) at every position v of
the hidden grid, and the graphon recursion continues from the position-dependent state.

Algorithms (``method``):

* ``"enumerate"``: all rows m with their probabilities Π q_j^{m_j}(1−q_j)^{1−m_j}; exact up to round-off. Cost 2^d
  first-layer evaluations (one covariance matmul and one expectation block per row).
* ``"sample"``: R rows in B independent batches of R_b rows (R_b is raised, up to 2×, to make every q_j R_b an
  integer when possible). In each batch, column j holds ⌊q_j R_b⌋ or ⌈q_j R_b⌉ ones (the latter with probability
  frac(q_j R_b)) at uniformly random rows, independently over j: every row is exactly
  distributed as the mask law (so the estimate is unbiased for Ē, P̄) and the column sums are balanced, which removes
  the variance of the additive (first-order Walsh) part of m ↦ E_{N(0,Λ_m)}[φφ] (Latin-hypercube sampling on the
  cube). The standard error of every output entry is estimated from the B batch kernels (batch means,
  SE = std/√B); with B = 8 an entry is off by more than 5.4 SE with probability ≈ 1e-3 (Student t, 7 d.o.f.).
* ``"auto"``: enumerate when there are at most :data:`ENUMERATE_MAX_ROWS` rows of nonzero probability, else sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .recursion import correlations_, variance_stats

__all__ = ["MaskRows", "enumerate_rows", "sample_rows", "mask_rows", "first_layer_mixture", "ENUMERATE_MAX_ROWS",
           "INPUT_LAYER_METHODS"]

#: ``"auto"`` enumerates the rows when there are at most this many with nonzero probability (d ≤ 8 at 0 < q < 1):
#: beyond, enumeration costs more than 4× the default sampling (64 rows); pass ``"enumerate"`` to force it.
ENUMERATE_MAX_ROWS = 256
#: Values of the ``method`` argument (``"gaussian"`` is the d → ∞ recursion, handled by the caller).
INPUT_LAYER_METHODS = ("auto", "enumerate", "sample", "gaussian")

_BLOCK_ELEMENTS = 1 << 15


@dataclass(frozen=True)
class MaskRows:
    """Mask rows of the input layer with their weights.

    Attributes:
        rows: [R, d] float 0/1 mask rows.
        weights: [R] weights; within every (batch, position) group they sum to 1.
        batch: [R] long batch index in 0..n_batches−1 (all 0 when enumerated).
        position: [R] long index of the hidden unit's grid position (all 0 without a graphon).
        n_batches: number of independent batches (1 when enumerated).
        n_positions: number of grid positions (1 without a graphon).
        exact: whether the rows are the full enumeration.
    """

    rows: torch.Tensor
    weights: torch.Tensor
    batch: torch.Tensor
    position: torch.Tensor
    n_batches: int
    n_positions: int
    exact: bool


def _as_keep(keep: torch.Tensor) -> torch.Tensor:
    keep = torch.as_tensor(keep, dtype=torch.float64)
    if keep.dim() == 1:
        keep = keep[None, :]
    if keep.dim() != 2 or keep.shape[1] < 1:
        raise ValueError(f"keep must be [d] or [positions, d] keep probabilities, got shape {tuple(keep.shape)}")
    if not bool(torch.isfinite(keep).all()) or float(keep.min()) < 0 or float(keep.max()) > 1:
        raise ValueError("keep probabilities must lie in [0, 1]")
    return keep


def n_support_rows(keep: torch.Tensor) -> int:
    """Number of rows of nonzero probability, summed over positions: Σ_v 2^{#{j: 0 < q_vj < 1}}."""
    keep = _as_keep(keep)
    free = ((keep > 0) & (keep < 1)).sum(dim=1)
    return int(sum(2 ** int(f) for f in free))


def enumerate_rows(keep: torch.Tensor) -> MaskRows:
    """Every mask row of nonzero probability, per position (``keep``: [d] or [positions, d]).

    Coordinates with q_j ∈ {0, 1} are fixed, the others enumerated; the weight of a row is Π q_j^{m_j}(1−q_j)^{1−m_j}.
    """
    keep = _as_keep(keep)
    rows, weights, pos = [], [], []
    for v in range(keep.shape[0]):
        q = keep[v]
        free = torch.nonzero((q > 0) & (q < 1)).flatten()
        k = int(free.numel())
        if k > 24:
            raise ValueError(f"enumerating 2^{k} mask rows is infeasible; use method='sample'")
        bits = ((torch.arange(2**k)[:, None] >> torch.arange(k)[None, :]) & 1).to(torch.float64)  # [2^k, k]
        m = (q >= 1).to(torch.float64).repeat(2**k, 1)
        m[:, free] = bits
        qf = q[free]
        w = torch.where(bits > 0, qf, 1.0 - qf).prod(dim=1)
        rows.append(m)
        weights.append(w / w.sum())
        pos.append(torch.full((2**k,), v, dtype=torch.long))
    r, w, p = torch.cat(rows), torch.cat(weights), torch.cat(pos)
    return MaskRows(r, w, torch.zeros_like(p), p, 1, keep.shape[0], True)


def sample_rows(keep: torch.Tensor, n_rows: int, n_batches: int, generator: torch.Generator) -> MaskRows:
    """``n_batches`` independent balanced batches of ``n_rows // n_batches`` rows per position (see module doc).

    Every row is marginally distributed exactly as the product-Bernoulli mask law; within a batch each column's
    number of ones is ⌊q_j R_b⌋ or ⌈q_j R_b⌉ with mean q_j R_b.
    """
    keep = _as_keep(keep)
    if n_batches < 2:
        raise ValueError(f"n_batches must be at least 2 for a standard error, got {n_batches}")
    rb = n_rows // n_batches
    if rb < 1:
        raise ValueError(f"n_rows ({n_rows}) must be at least n_batches ({n_batches})")
    # a batch size with integer q_j·R_b (e.g. 10 rows at q = 0.1) balances every column exactly, which removes the
    # additive part of the variance completely (random rounding leaves frac·(1−frac) of it); at most 2× the rows
    for cand in range(rb, 2 * rb + 1):
        t = keep * cand
        if float((t - torch.round(t)).abs().max()) < 1e-9:
            rb = cand
            break
    n_pos, d = keep.shape
    rows, batch, pos = [], [], []
    for v in range(n_pos):
        for b in range(n_batches):
            target = keep[v] * rb  # [d]
            base = torch.floor(target)
            extra = (torch.rand(d, generator=generator, dtype=torch.float64) < (target - base)).to(torch.float64)
            counts = (base + extra).long()  # ones per column
            ranks = torch.argsort(torch.rand(rb, d, generator=generator, dtype=torch.float64), dim=0)
            # rank < count ↔ kept: the kept rows of column j are a uniformly random subset of size counts[j]
            m = (ranks < counts[None, :]).to(torch.float64)
            rows.append(m)
            batch.append(torch.full((rb,), b, dtype=torch.long))
            pos.append(torch.full((rb,), v, dtype=torch.long))
    r = torch.cat(rows)
    return MaskRows(r, torch.full((r.shape[0],), 1.0 / rb, dtype=torch.float64), torch.cat(batch), torch.cat(pos),
                    n_batches, n_pos, False)


def mask_rows(keep: torch.Tensor, method: str = "auto", *, n_rows: int = 128, n_batches: int = 8,
              seed: int = 0) -> MaskRows:
    """Rows for ``method`` ``"enumerate"``, ``"sample"`` or ``"auto"`` (see the module doc)."""
    if method not in ("auto", "enumerate", "sample"):
        raise ValueError(f"method must be 'auto', 'enumerate' or 'sample', got {method!r}")
    if method == "enumerate" or (method == "auto" and n_support_rows(keep) <= ENUMERATE_MAX_ROWS):
        return enumerate_rows(keep)
    return sample_rows(keep, n_rows, n_batches, torch.Generator().manual_seed(int(seed)))


def first_layer_mixture(x1: torch.Tensor, x2: torch.Tensor | None, rows: MaskRows, *, fwd_scale: float,
                        ntk_scale: float, sigma_b: float, expect,
                        block_elements: int = _BLOCK_ELEMENTS) -> dict[str, torch.Tensor]:
    r"""The mixture expectations of hidden layer 1 per (batch, position) group.

    Args:
        x1, x2: inputs [n1, d], [n2, d] (``x2=None``: x1, the result is then exactly symmetric).
        rows: the mask rows (:func:`mask_rows`).
        fwd_scale: a in Λ_m (table in the module doc).
        ntk_scale: b in T_m.
        sigma_b: bias scale σ_b.
        expect: an expectation object of :mod:`theorycheck.kernels.recursion` (``diag``, ``block``).
        block_elements: output entries per block (cache size).

    Returns:
        ``{"e": Ē, "p": P̄}`` each [B, V, n1, n2] and ``{"ea", "eb"}`` the diagonals E_m E[φ(u)²] [B, V, n1],
        [B, V, n2], with B batches and V positions.
    """
    sym = x2 is None
    xb = x1 if sym else x2
    n1, n2 = x1.shape[0], xb.shape[0]
    dtype, device = x1.dtype, x1.device
    b2 = sigma_b * sigma_b
    m = rows.rows.to(device=device, dtype=dtype)
    w = rows.weights.to(device=device, dtype=dtype)
    nb, nv = rows.n_batches, rows.n_positions
    group = (rows.batch * nv + rows.position).tolist()
    wl = w.tolist()
    # per-row variances Λ_m(x, x): [R, n]
    va = fwd_scale * (m @ (x1 * x1).T) + b2
    vb = va if sym else fwd_scale * (m @ (xb * xb).T) + b2
    ea = torch.zeros(nb * nv, n1, dtype=dtype, device=device)
    ea.index_add_(0, rows.batch.to(device) * nv + rows.position.to(device), w[:, None] * expect.diag(va.reshape(-1))
                  .reshape(va.shape))
    if sym:
        eb = ea
    else:
        eb = torch.zeros(nb * nv, n2, dtype=dtype, device=device)
        eb.index_add_(0, rows.batch.to(device) * nv + rows.position.to(device),
                      w[:, None] * expect.diag(vb.reshape(-1)).reshape(vb.shape))
    stats_a = variance_stats(va, expect)
    stats_b = stats_a if sym else variance_stats(vb, expect)
    e_out = torch.zeros(nb * nv, n1, n2, dtype=dtype, device=device)
    p_out = torch.zeros(nb * nv, n1, n2, dtype=dtype, device=device)
    kept = [torch.nonzero(r).flatten() for r in m]
    dense_rows = [k.numel() * 2 > m.shape[1] for k in kept]
    step = max(1, min(n1, block_elements // max(n2, 1)))
    buf = torch.empty(6 * step * n2, dtype=dtype, device=device)
    ratio = ntk_scale / fwd_scale
    for r0 in range(0, n1, step):
        r1 = min(n1, r0 + step)
        c0 = r0 if sym else 0
        shape = (r1 - r0, n2 - c0)
        size = shape[0] * shape[1]
        C, T, R, D, W0, W1 = (buf[k * size:(k + 1) * size].view(shape) for k in range(6))
        xa_blk, xb_blk = x1[r0:r1], xb[c0:]
        for r in range(m.shape[0]):
            if dense_rows[r]:
                torch.mm(xa_blk * m[r], xb_blk.T, out=C)
            else:
                idx = kept[r]
                torch.mm(xa_blk[:, idx], xb_blk[:, idx].T, out=C)
            C.mul_(fwd_scale).add_(b2)  # Λ_m(x, x')
            torch.sub(C, b2, out=T).mul_(ratio).add_(b2)  # T_m = b S12 + σ_b²
            rs = {k: v[r, r0:r1, None] for k, v in stats_a.items()}
            cs = {k: v[r, None, c0:] for k, v in stats_b.items()}
            correlations_(C, rs, cs, R, W0, W1)
            if sym:
                R.diagonal().fill_(1.0)
            expect.block(R, rs, cs, D, [W0, W1, C])
            g = group[r]
            e_out[g, r0:r1, c0:].add_(R, alpha=wl[r])
            p_out[g, r0:r1, c0:].add_(T.mul_(D), alpha=wl[r])
    if sym:
        for out in (e_out, p_out):
            upper = torch.triu(out)
            out.copy_(upper + torch.triu(out, 1).transpose(1, 2))
    return {"e": e_out.view(nb, nv, n1, n2), "p": p_out.view(nb, nv, n1, n2), "ea": ea.view(nb, nv, n1),
            "eb": eb.view(nb, nv, n2)}


def first_layer_factors(rescale, q: float, d: int, sigma_w: float) -> tuple[float, float]:
    """(a, b) of the module doc's table for one rescaling convention at keep probability q and input dimension d."""
    w2 = sigma_w * sigma_w
    if rescale is True:
        return w2 / (q * d), w2 / (q * d)
    if rescale == "weights":
        return w2 / (q * d), w2 / d
    return w2 / d, w2 / d



def _start_state(mix: dict[str, torch.Tensor], b: int | None, factor: tuple[float, float, float], sigma_w: float,
                 sigma_b: float) -> tuple[torch.Tensor, ...]:
    """(Σ^{(2)}, Θ^{(2)}, Σ^{(2)}(x1, x1), Σ^{(2)}(x2, x2)) from batch ``b`` (``None``: all batches pooled)."""
    al, be, ga = factor
    w2, b2 = sigma_w * sigma_w, sigma_b * sigma_b

    def pick(t):
        t = t[:, 0]  # one position (no graphon)
        return t.mean(dim=0) if b is None else t[b]

    e, p, ea, eb = pick(mix["e"]), pick(mix["p"]), pick(mix["ea"]), pick(mix["eb"])
    return (al * w2 * e + b2, be * w2 * e + b2 + ga * w2 * p, al * w2 * ea + b2, al * w2 * eb + b2)


def mlp_kernels_input_pruned(x1: torch.Tensor, x2: torch.Tensor | None, *, depth: int, sigma_w: float,
                             sigma_b: float, expect, factors, rows: MaskRows, fwd_scale: float, ntk_scale: float
                             ) -> tuple[torch.Tensor, torch.Tensor, dict]:
    r"""NNGP and NTK of an MLP whose input layer is pruned, exact at fixed d (module doc; docs/theory/pruned.md).

    Args:
        x1, x2: validated float inputs ([n1, d], [n2, d] or ``None``).
        depth: number of hidden layers L ≥ 1.
        sigma_w, sigma_b: weight and bias scales.
        expect: the activation's expectation object.
        factors: per-matrix (α, β, γ) of :func:`theorycheck.kernels.recursion.mlp_kernels`; entry 0 is ignored
            (the input layer is described by ``rows``, ``fwd_scale`` and ``ntk_scale``).
        rows: mask rows of the input layer (:func:`mask_rows`, one position).
        fwd_scale, ntk_scale: a and b of the module doc (:func:`first_layer_factors`).

    Returns:
        (nngp, ntk, info): two [n1, n2] tensors and a dict with ``method`` (``"enumerate"``/``"sample"``), ``rows``
        and, when sampled, ``batches`` and the standard errors ``nngp_stderr``, ``ntk_stderr`` ([n1, n2]) from the
        batch kernels.

    Raises:
        ValueError: depth < 1 (the input layer is then the readout: its expected kernel is the averaged recursion).
    """
    from .recursion import mlp_kernels

    if depth < 1:
        raise ValueError("the input-layer mixture needs depth >= 1 (with depth 0 the input layer is the readout)")
    if rows.n_positions != 1:
        raise ValueError("rows must have one position (graphon rows go through graphon_kernels)")
    mix = first_layer_mixture(x1, x2, rows, fwd_scale=fwd_scale, ntk_scale=ntk_scale, sigma_b=sigma_b,
                              expect=expect)
    kw = dict(depth=depth, sigma_w=sigma_w, sigma_b=sigma_b, expect=expect, factors=factors)
    nngp, ntk = mlp_kernels(x1, x2, start=_start_state(mix, None, factors[1], sigma_w, sigma_b), **kw)
    info: dict = {"method": "enumerate" if rows.exact else "sample", "rows": int(rows.rows.shape[0])}
    if not rows.exact:
        per = [mlp_kernels(x1, x2, start=_start_state(mix, b, factors[1], sigma_w, sigma_b), **kw)
               for b in range(rows.n_batches)]
        nb = rows.n_batches
        for i, name in enumerate(("nngp_stderr", "ntk_stderr")):
            mean = sum(k[i] for k in per) / nb
            ss = sum((k[i] - mean).square_() for k in per)
            info[name] = ss.div_(nb * (nb - 1)).sqrt_()  # SE of the mean of nb batch kernels
        info["batches"] = nb
    return nngp, ntk, info


def graphon_kernels_input_exact(x1: torch.Tensor, x2: torch.Tensor | None, graphons: list[torch.Tensor], *,
                                sigma_w: float, sigma_b: float, expect, rows: MaskRows
                                ) -> tuple[torch.Tensor, torch.Tensor, dict]:
    """The graphon NTK with the exact fixed-d input layer (module doc): the mixture over m | v at every position v.

    ``graphons`` as in :func:`theorycheck.kernels.graphon.graphon_kernels`; ``rows`` from :func:`mask_rows` with
    ``keep = graphons[0]`` ([K, d] keep probabilities). Returns (nngp, ntk, info) as
    :func:`mlp_kernels_input_pruned`.
    """
    from .graphon import graphon_kernels

    if len(graphons) < 2:
        raise ValueError("the input-layer mixture needs depth >= 1")
    if rows.n_positions != graphons[0].shape[0]:
        raise ValueError(f"rows has {rows.n_positions} positions, the input graphon {graphons[0].shape[0]}")
    d = x1.shape[1]
    w2 = sigma_w * sigma_w
    mix = first_layer_mixture(x1, x2, rows, fwd_scale=w2 / d, ntk_scale=w2 / d, sigma_b=sigma_b, expect=expect)

    def state(b):
        return {k: (v.mean(dim=0) if b is None else v[b]) for k, v in mix.items()}

    kw = dict(sigma_w=sigma_w, sigma_b=sigma_b, expect=expect)
    nngp, ntk = graphon_kernels(x1, x2, graphons, first=state(None), **kw)
    info: dict = {"method": "enumerate" if rows.exact else "sample", "rows": int(rows.rows.shape[0])}
    if not rows.exact:
        nb = rows.n_batches
        per = [graphon_kernels(x1, x2, graphons, first=state(b), **kw) for b in range(nb)]
        for i, name in enumerate(("nngp_stderr", "ntk_stderr")):
            mean = sum(k[i] for k in per) / nb
            info[name] = sum((k[i] - mean).square_() for k in per).div_(nb * (nb - 1)).sqrt_()
        info["batches"] = nb
    return nngp, ntk, info
