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
plus the bias term. The constants come from the layer's :class:`~theorycheck.kernels.steps.MaskScaling` (the one
place of the masking conventions): the layer computes h = σ_w/√(φ_fan d) (W ⊙ M) x + σ_b b with stored weights of
variance 1/π_w, so a = σ_w²/(φ_fan π_w d) (forward: scale² × weight variance) and b = σ_w²/(φ_fan d) (gradient
w.r.t. the stored weights: scale² only), :meth:`~theorycheck.kernels.steps.MaskScaling.input_scales`. For the three
conventions: ``False``: a = b = σ_w²/d; ``True`` (A): a = b = σ_w²/(q d); ``"weights"`` (B): a = σ_w²/(q d),
b = σ_w²/d.

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

import math
from dataclasses import dataclass
from typing import Any

import torch

from .recursion import _near_colinear, correlations_, variance_stats
from .scaling import common_exponent, eval_scale, mul_pow2_, sigma_exponent
from .schedule import layer_sigma_w
from .steps import GraphonStep, LayerState, MaskScaling, Step, check_steps

__all__ = ["MaskRows", "enumerate_rows", "sample_rows", "mask_rows", "first_layer_mixture", "mixture_state",
           "input_layer_kernels", "ENUMERATE_MAX_ROWS", "INPUT_LAYER_METHODS"]

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
                        block_elements: int = _BLOCK_ELEMENTS, log2_scale: int = 0) -> dict[str, torch.Tensor]:
    r"""The mixture expectations of hidden layer 1 per (batch, position) group.

    Args:
        x1, x2: inputs [n1, d], [n2, d] (``x2=None``: x1, the result is then exactly symmetric).
        rows: the mask rows (:func:`mask_rows`).
        fwd_scale: a in Λ_m (table in the module doc).
        ntk_scale: b in T_m.
        sigma_b: bias scale σ_b.
        expect: an expectation object of :mod:`theorycheck.kernels.recursion` (``diag``, ``block``).
        block_elements: output entries per block (cache size).
        log2_scale: an even k: the true Λ_m and T_m are 2^k times those of the given arguments (scaled form,
            :mod:`theorycheck.kernels.scaling`).

    Returns:
        ``{"e": Ē, "p": P̄}`` each [B, V, n1, n2] and ``{"ea", "eb"}`` the diagonals E_m E[φ(u)²] [B, V, n1],
        [B, V, n2], with B batches and V positions; ``"log2_scale"`` (an int): the true values are 2^that times
        these (k for a homogeneous φ, else 0).
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
    plan = eval_scale(log2_scale, expect, va, vb, what="the input layer's pre-activation variance")
    qa_eval, qb_eval = plan.qs
    # a row that keeps no input has Λ_m = σ_b² exactly: in scaled form (true values, non-homogeneous φ) its bias
    # would underflow, so it is evaluated at the true σ_b² (kernels/scaling.py)
    bias_rows = {r for r in range(m.shape[0]) if plan.e_exponent == 0 and log2_scale != 0 and not bool(m[r].any())}
    b2_true = math.ldexp(sigma_b, log2_scale // 2) ** 2 if bias_rows else 0.0
    if bias_rows:
        qa_eval, qb_eval = qa_eval.clone(), (qa_eval if sym else qb_eval).clone()
        qa_eval[sorted(bias_rows)] = b2_true
        qb_eval[sorted(bias_rows)] = b2_true
        one = torch.ones((1, 1), dtype=dtype, device=device)
        st = variance_stats(torch.full((1, 1), b2_true, dtype=dtype, device=device), expect)
        d_bias = torch.empty_like(one)
        expect.block(one, st, st, d_bias, [torch.empty_like(one) for _ in range(3)])
        e_bias, p_bias = float(one), b2_true * float(d_bias)
    ea = torch.zeros(nb * nv, n1, dtype=dtype, device=device)
    ea.index_add_(0, rows.batch.to(device) * nv + rows.position.to(device),
                  w[:, None] * expect.diag(qa_eval.reshape(-1)).reshape(va.shape))
    if sym:
        eb = ea
    else:
        eb = torch.zeros(nb * nv, n2, dtype=dtype, device=device)
        eb.index_add_(0, rows.batch.to(device) * nv + rows.position.to(device),
                      w[:, None] * expect.diag(qb_eval.reshape(-1)).reshape(vb.shape))
    corr_a = variance_stats(va, expect)["inv_s"]
    corr_b = corr_a if sym else variance_stats(vb, expect)["inv_s"]
    stats_a = variance_stats(qa_eval, expect)
    stats_b = stats_a if sym else variance_stats(qb_eval, expect)
    fac_a = plan.point_factor(va) if plan.reduced else None
    fac_b = fac_a if sym else (plan.point_factor(vb) if plan.reduced else None)
    e_out = torch.zeros(nb * nv, n1, n2, dtype=dtype, device=device)
    p_out = torch.zeros(nb * nv, n1, n2, dtype=dtype, device=device)
    kept = [torch.nonzero(r).flatten() for r in m]
    stable = callable(getattr(expect, "stable_pairs", None))
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
            if r in bias_rows:
                e_out[group[r], r0:r1, c0:].add_(e_bias * wl[r])
                p_out[group[r], r0:r1, c0:].add_(p_bias * wl[r])
                continue
            if dense_rows[r]:
                torch.mm(xa_blk * m[r], xb_blk.T, out=C)
            else:
                idx = kept[r]
                torch.mm(xa_blk[:, idx], xb_blk[:, idx].T, out=C)
            C.mul_(fwd_scale).add_(b2)  # Λ_m(x, x')
            torch.sub(C, b2, out=T).mul_(ratio).add_(b2)  # T_m = b S12 + σ_b²
            rs = {k: v[r, r0:r1, None] for k, v in stats_a.items()}
            cs = {k: v[r, None, c0:] for k, v in stats_b.items()}
            correlations_(C, {"inv_s": corr_a[r, r0:r1, None]}, {"inv_s": corr_b[r, None, c0:]}, R, W0, W1)
            if sym:
                R.diagonal().fill_(1.0)
            unit = R.abs() == 1.0 if plan.reduced else None
            near = None
            if stable:  # 1 − ρ² from the kept inputs for near-colinear pairs (a single kept input: exactly colinear)
                ka = xa_blk * m[r] if dense_rows[r] else xa_blk[:, kept[r]]
                kb = xb_blk * m[r] if dense_rows[r] else xb_blk[:, kept[r]]
                near = _near_colinear(R, ka, kb, sym, fwd_scale, b2, va[r, r0:r1], vb[r, c0:])
                if near is not None:
                    rho_near = R.view(-1)[near[0]].clone()
                    R_pre = R.clone() if plan.reduced else None
            expect.block(R, rs, cs, D, [W0, W1, C])
            if near is not None:
                flat, ri, ci, s2 = near
                if plan.reduced:
                    # 1 − ρ² of order 1/q (a bias beside one kept input): Ė depends on q(1 − ρ²), so the reduced
                    # evaluation takes λ(1 − ρ²) and the ρ = ±1 law λ^{−1/2} (kernels/scaling.py)
                    tiny = (s2 < 2.0**-600) & (va[r, r0 + ri] > plan.limit) & (vb[r, c0 + ci] > plan.limit)
                    boosted = _near_colinear(R_pre, ka, kb, sym, fwd_scale, b2, va[r, r0:r1], vb[r, c0:],
                                             boost=plan.j)[3]
                    s2 = torch.where(tiny, boosted, s2)
                    unit.view(-1)[flat[tiny]] = True
                e_n, d_n, _ = expect.stable_pairs(rho_near, s2, stats_a["s"][r, r0 + ri], stats_b["s"][r, c0 + ci])
                R.view(-1)[flat] = e_n
                D.view(-1)[flat] = d_n
            if plan.dot_exponent or plan.reduced:
                plan.adjust_(D, T, unit, None if fac_a is None else fac_a[r, r0:r1, None],
                             None if fac_b is None else fac_b[r, None, c0:])
            g = group[r]
            e_out[g, r0:r1, c0:].add_(R, alpha=wl[r])
            p_out[g, r0:r1, c0:].add_(T.mul_(D), alpha=wl[r])
    if sym:
        for out in (e_out, p_out):
            upper = torch.triu(out)
            out.copy_(upper + torch.triu(out, 1).transpose(1, 2))
    return {"e": e_out.view(nb, nv, n1, n2), "p": p_out.view(nb, nv, n1, n2), "ea": ea.view(nb, nv, n1),
            "eb": eb.view(nb, nv, n2), "log2_scale": plan.e_exponent}


def mixture_state(mix: dict[str, torch.Tensor], batch: int | None, step: Step, *, sigma_w: float,
                  sigma_b: float, symmetric: bool, log2_scale: int = 0) -> LayerState:
    r"""The kernels of hidden layer 2 from the layer-1 mixture: the engine's start (``LayerState(layer=2)``).

    The step of weight matrix 1 (``step``, a :class:`~.steps.KernelStep` (α₂, β₂, γ₂) or a
    :class:`~.steps.GraphonStep` over the K positions of layer 1) maps (Ē, P̄) as it maps (E₁, Ė₁·Θ^{(1)}):

    .. math::

        \Sigma^{(2)} = \alpha_2\sigma_w^2 \bar E + \sigma_b^2, \qquad
        \Theta^{(2)} = \beta_2\sigma_w^2 \bar E + \sigma_b^2 + \gamma_2\sigma_w^2 \bar P

    (per position v of layer 2, with ∫ W(v, u) · du over the positions u of layer 1, for a graphon step); the
    diagonal Σ^{(2)}(x, x) comes from the mixture's E_m E[φ(u)²] through the same step.

    Args:
        mix: the output of :func:`first_layer_mixture`.
        batch: which batch (``None``: all batches pooled, the estimate itself).
        step: the step of weight matrix 1.
        sigma_w: σ_w.
        sigma_b: σ_b.
        symmetric: whether x2 = x1 (``var2`` is then ``None``).
        log2_scale: passed on as the state's ``log2_scale`` (the caller has scaled ``mix``, σ_w and σ_b to match).

    Returns:
        A :class:`~.steps.LayerState` with ``layer=2``.
    """
    w2, b2 = sigma_w * sigma_w, sigma_b * sigma_b

    def pick(t: torch.Tensor) -> torch.Tensor:
        return t.mean(dim=0) if batch is None else t[batch].clone()  # [V, ...], a copy (steps work in place)

    e, p, ea, eb = pick(mix["e"]), pick(mix["p"]), pick(mix["ea"]), pick(mix["eb"])
    if e.shape[0] != step.k_in:  # one group of rows for every position of layer 1 (a position-free input mask)
        e, p, ea, eb = (t.expand((step.k_in,) + t.shape[1:]).contiguous() for t in (e, p, ea, eb))
    k_out = step.k_out
    nngp = torch.empty((k_out,) + e.shape[1:], dtype=e.dtype, device=e.device)
    # Θ^{(1)} is inside P̄ already (P̄ = E_m[T_m Ė_m]): propagate with Θ^{(1)} ≡ 1. A step updates Θ in place
    # (the engine passes one buffer as Θ^{(1)} and as its output): so does this call when the grids agree.
    theta1 = torch.ones_like(p)
    ntk = theta1 if k_out == step.k_in else torch.empty_like(nngp)
    step.propagate(e, p, theta1, nngp, ntk, w2, b2)
    var1 = step.variances(ea, w2, b2)
    var2 = None if symmetric else step.variances(eb, w2, b2)
    return LayerState(2, nngp, ntk, var1, var2, log2_scale)


def input_layer_kernels(x1: torch.Tensor, x2: torch.Tensor | None, *, depth: int, sigma_w: Any, sigma_b: float,
                        expect, steps: list, rows: MaskRows, scaling: MaskScaling
                        ) -> tuple[torch.Tensor, torch.Tensor, dict]:
    r"""NNGP and NTK of an MLP whose input layer is masked, exact at fixed d (module doc; docs/theory/pruned.md).

    The mixture over the input layer's mask rows gives hidden layer 2's kernels, and the engine
    :func:`~theorycheck.kernels.recursion.mlp_kernels` continues from there (``start=LayerState(layer=2, …)``)
    with the steps of matrices 2, …, L.

    Args:
        x1: validated float inputs [n1, d].
        x2: [n2, d] or ``None`` for x1.
        depth: number of hidden layers L ≥ 1.
        sigma_w: σ_w, or one σ_w[l] per weight matrix (``depth + 1`` values; σ_w[0] scales the input layer's
            mixture, σ_w[1] the step to layer 2; docs/theory/depth_init.md).
        sigma_b: σ_b.
        expect: the activation's expectation object.
        steps: one step per weight matrix (:func:`~.steps.check_steps`); entry 0 is replaced by the mixture. With
            a :class:`~.steps.GraphonStep` on matrix 1, ``rows`` holds one group of rows per position of layer 1
            (or one group shared by all positions).
        rows: mask rows of the input layer (:func:`mask_rows`).
        scaling: the input layer's :class:`~.steps.MaskScaling` (its :meth:`~.steps.MaskScaling.input_scales`
            give a and b of the module doc).

    Returns:
        (nngp, ntk, info): two [n1, n2] tensors and a dict with ``method`` (``"enumerate"``/``"sample"``), ``rows``
        and, when sampled, ``batches`` and the standard errors ``nngp_stderr``, ``ntk_stderr`` ([n1, n2]) from the
        batch kernels.

    Raises:
        ValueError: depth < 1 (the input layer is then the readout: its expected kernel is the averaged
            recursion), or rows whose positions do not match matrix 1's input grid.
    """
    from .recursion import mlp_kernels

    if depth < 1:
        raise ValueError("the input-layer mixture needs depth >= 1 (with depth 0 the input layer is the readout)")
    steps = check_steps(steps, depth)
    steps = [s.to(x1) if isinstance(s, GraphonStep) else s for s in steps]
    if rows.n_positions not in (1, steps[1].k_in):
        raise ValueError(f"rows has {rows.n_positions} positions; weight matrix 1 reads {steps[1].k_in}")
    # scaled form (kernels/scaling.py): x = 2^e x̂, σ_w = 2^ω σ̂_w, so Λ_m = 2^{2e+2ω} Λ̂_m; exponents are 0 in the
    # ordinary range
    sym = x2 is None
    e = common_exponent(x1, x1 if sym else x2)
    if e:
        x1 = mul_pow2_(x1.clone(), -e)
        x2 = None if sym else mul_pow2_(x2.clone(), -e)
    scales = layer_sigma_w(sigma_w, depth)
    # σ_w[l] = 2^ω_l σ̂_w[l]
    omega0, omega1 = (sigma_exponent(s, small=sigma_b == 0.0) for s in scales[:2])
    fwd, grad = scaling.input_scales(x1.shape[1], math.ldexp(scales[0], -omega0))
    k1 = 2 * (e + omega0)
    mix = first_layer_mixture(x1, x2, rows, fwd_scale=fwd, ntk_scale=grad, sigma_b=math.ldexp(sigma_b, -(k1 // 2)),
                              expect=expect, log2_scale=k1)
    k2 = mix["log2_scale"] + 2 * omega1
    kw = dict(depth=depth, sigma_w=scales, sigma_b=sigma_b, expect=expect, steps=steps)
    st = dict(step=steps[1], sigma_w=math.ldexp(scales[1], -omega1), sigma_b=math.ldexp(sigma_b, -(k2 // 2)),
              symmetric=sym, log2_scale=k2)
    nngp, ntk = mlp_kernels(None, None, start=mixture_state(mix, None, **st), **kw)
    info: dict = {"method": "enumerate" if rows.exact else "sample", "rows": int(rows.rows.shape[0])}
    if not rows.exact:
        nb = rows.n_batches
        per = [mlp_kernels(None, None, start=mixture_state(mix, b, **st), **kw) for b in range(nb)]
        for i, name in enumerate(("nngp_stderr", "ntk_stderr")):
            mean = sum(k[i] for k in per) / nb
            ss = sum((k[i] - mean).square_() for k in per)
            info[name] = ss.div_(nb * (nb - 1)).sqrt_()  # SE of the mean of nb batch kernels
        info["batches"] = nb
    return nngp, ntk, info
