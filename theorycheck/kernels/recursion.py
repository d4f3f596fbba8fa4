r"""The infinite-width NNGP/NTK recursion of a fully-connected network (Jacot et al. 2018; docs/theory/dense.md).

.. math::

    \Sigma^{(1)}(x,x') = \sigma_w^2\, x^\top x'/d + \sigma_b^2, \qquad \Theta^{(1)} = \Sigma^{(1)},

    \Sigma^{(l+1)} = \sigma_w^2\, E[\varphi(u)\varphi(v)] + \sigma_b^2, \quad
    \dot\Sigma^{(l+1)} = \sigma_w^2\, E[\varphi'(u)\varphi'(v)], \quad
    \Theta^{(l+1)} = \Sigma^{(l+1)} + \Theta^{(l)}\,\dot\Sigma^{(l+1)},

with (u, v) ~ N(0, Λ^{(l)}). After L hidden layers the output's NNGP is Σ^{(L+1)} and its NTK Θ^{(L+1)}.

Every weight matrix is a *step* (:mod:`theorycheck.kernels.steps`): a :class:`~.steps.KernelStep` (α, β, γ) for a
dense or Bernoulli-masked matrix (docs/theory/pruned.md; the factors come from :class:`~.steps.MaskScaling`), or a
:class:`~.steps.GraphonStep` for a mask sampled from a graphon (docs/theory/graphon.md). A graphon makes the
kernels depend on the position v ∈ [0, 1] of a unit within its layer; on a grid of K positions the engine carries,
for every pair of inputs, Σ̃(v) and Θ̃(v) at the K positions, and the step mixes positions by one GEMM with the
[K, K] graphon matrix. The NTK is carried forward (Θ̃^{(l)}(v) = Σ̃^{(l)}(v) + σ_w² ∫ W(v, u) Ė(u) Θ̃^{(l−1)}(u) du),
which unrolls to the backward form Θ = Σ_l ∫ G^{(l)} Σ̃^{(l)} of Pham et al. (NeurIPS 2025).

The first step can be replaced: ``start`` (:class:`~.steps.LayerState`) gives the kernels of hidden layer k's
pre-activations computed elsewhere, and the engine continues from there.

Implementation (the speed target of issue 2: a depth-10 ReLU kernel on 4096 × 4096 in ≤ 4 s on 2 threads):

* the diagonals Σ^{(l)}(x, x) are computed once per layer from the 1-D recursion, with their square roots;
* given the diagonals every off-diagonal entry evolves independently through the layers, so the output is processed
  in row blocks that fit in cache and each block is carried through *all* layers before the next one starts;
* every operation is in place on six preallocated block buffers of K × rows × n2 entries (no temporaries of size
  n1 × n2, and for graphons no K × n1 × n2 tensor: the working memory is 48·max(block_elements, K·n2) bytes beyond
  the outputs, a block holding at least one row);
* for x2 = None only the upper triangle is computed and then mirrored, so the result is exactly symmetric, and
  the diagonal correlation is set to exactly 1.

Correlations are clamped into [−1, 1] and snapped to ±1 within 16 ulps (see :data:`SNAP`); a zero-variance
point (zero input with σ_b = 0) gets correlation 0, so its
kernel entries are exactly 0, never NaN. Kernels are carried in scaled form, 2^k × the stored values
(:mod:`theorycheck.kernels.scaling`): inputs, σ_w and depths whose intermediate values leave float64's range give
the right result when it is representable and an ``OverflowError`` naming its magnitude when it is not. Pairs with
|ρ| > 1 − 10⁻³ get 1 − ρ² from the inputs (:func:`_near_colinear`) and, for the closed forms with ``stable_pairs``,
carry it through the layers (docs/theory/dense.md, "Numerics at the edges").
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from .expectation import Expectations
from .scaling import (
    common_exponent,
    eval_scale,
    is_homogeneous,
    mul_pow2_,
    per_input_scale,
    raise_overflow,
    renorm_exponent,
    scaled_square,
    sigma_exponent,
)
from .schedule import layer_sigma_w
from .steps import GraphonStep, KernelStep, LayerState, Step, check_steps

__all__ = ["expectations_for", "mlp_kernels", "layer_variances"]

#: Entries of one block buffer when every step is a :class:`~.steps.KernelStep` (fits in cache).
DEFAULT_BLOCK_ELEMENTS = 1 << 15
#: Entries of one [K, rows, n2] block buffer with graphon steps: large enough for an efficient GEMM over the
#: positions, small enough that the six buffers take 6 · 8 · 2^19 B = 24 MiB.
GRAPHON_BLOCK_ELEMENTS = 1 << 19


def expectations_for(activation, quadrature_degree: int = 48) -> Expectations:
    """The object computing E[φφ] and E[φ'φ'] for an :class:`~theorycheck.activations.Activation`.

    Args:
        activation: the activation (its registry entry says whether a closed form exists).
        quadrature_degree: accuracy knob of the scale-aware quadrature otherwise
            (:class:`~theorycheck.kernels.quadrature.Quadrature`).

    Returns:
        ``activation.expectations(quadrature_degree)``.
    """
    return activation.expectations(quadrature_degree)


def layer_variances(q1: torch.Tensor, depth: int, w2: float, b2: float, expect: Expectations,
                    alphas: list[float] | None = None) -> list[torch.Tensor]:
    """Σ^{(l)}(x, x) for l = 1..depth (the pre-activation variances that feed the activations).

    Args:
        q1: Σ^{(1)}(x, x), 1-D.
        depth: L.
        w2: σ_w².
        b2: σ_b².
        expect: the activation's expectations.
        alphas: α of each weight matrix (default: dense).

    Returns:
        The L variance vectors.
    """
    qs = [q1]
    for layer in range(1, depth):
        a = 1.0 if alphas is None else alphas[layer]
        qs.append(KernelStep(a).variances(expect.diag(qs[-1]), w2, b2))
    return qs


def check_factors(factors, depth: int) -> list[KernelStep]:
    """The (α, β, γ) steps of a network without graphons (default: dense).

    Raises:
        ValueError: for the wrong number of entries or a graphon step.
    """
    steps = check_steps(factors, depth)
    if any(not isinstance(s, KernelStep) for s in steps):
        raise ValueError("this path supports (α, β, γ) steps only, not graphon steps")
    return steps  # type: ignore[return-value]


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

    Args:
        c: covariances.
        rs: row statistics of :func:`variance_stats`, broadcastable against ``c``.
        cs: column statistics, the same.
        out: output buffer shaped like ``c``.
        w0: work buffer shaped like ``c``.
        w1: work buffer shaped like ``c``.

    Returns:
        ``out``.
    """
    torch.mul(c, rs["inv_s"], out=out).mul_(cs["inv_s"]).clamp_(-1.0, 1.0)
    _snap_unit(out, w0, w1)
    return out


def variance_stats(q: torch.Tensor, expect: Expectations) -> dict[str, torch.Tensor]:
    """Per-point statistics of the variances ``q`` that the expectation blocks read.

    Args:
        q: variances (any shape).
        expect: the activation's expectations (adds its :meth:`~.expectation.Expectations.stats`).

    Returns:
        √q as ``"s"``, 1/√q (0 at q = 0) as ``"inv_s"`` and the activation's own entries.
    """
    s = torch.sqrt(q)
    inv = torch.where(s > 0, 1.0 / s, torch.zeros_like(s))  # zero variance → correlation 0
    out = {"s": s, "inv_s": inv}
    out.update(expect.stats(q))
    return out


def _diag(expect: Expectations, q: torch.Tensor) -> torch.Tensor:
    """E[φ(u)²] for every entry of a [K, n] variance array."""
    return expect.diag(q.reshape(-1)).reshape(q.shape)


def mlp_kernels(
    x1: torch.Tensor | None,
    x2: torch.Tensor | None,
    *,
    depth: int,
    sigma_w: float | Sequence[float],
    sigma_b: float,
    expect: Expectations,
    steps: list | None = None,
    factors: list | None = None,
    start: LayerState | None = None,
    block_elements: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """NNGP Σ^{(L+1)} and NTK Θ^{(L+1)} of an L = ``depth`` hidden-layer MLP on validated float inputs.

    Dense and pruned networks: docs/theory/dense.md, docs/theory/pruned.md; graphon masks: docs/theory/graphon.md.

    Args:
        x1: inputs [n1, d] (not read when ``start`` is given; pass ``None``).
        x2: inputs [n2, d], or ``None`` for x1 (the result is then exactly symmetric).
        depth: the number of hidden layers L ≥ 0.
        sigma_w: σ_w, or one σ_w[l] per weight matrix (``depth + 1`` values, input layer first, readout last;
            :func:`~.schedule.layer_sigma_w`, docs/theory/depth_init.md): matrix l uses σ_w[l]² in its step.
        sigma_b: σ_b.
        expect: the activation's :class:`~.expectation.Expectations` (:func:`expectations_for`).
        steps: one step per weight matrix (:func:`~.steps.check_steps`): :class:`~.steps.KernelStep` or (α, β, γ)
            tuples, or :class:`~.steps.GraphonStep` whose position grids chain; default dense.
        factors: the older name of ``steps`` (the per-matrix (α, β, γ)).
        start: optional :class:`~.steps.LayerState` replacing the layers below its ``layer``.
        block_elements: entries of one block buffer (default :data:`DEFAULT_BLOCK_ELEMENTS`, or
            :data:`GRAPHON_BLOCK_ELEMENTS` with positions); the working memory is six such buffers.

    Returns:
        (nngp, ntk), two [n1, n2] tensors with the dtype and device of ``x1`` (of ``start.nngp`` with a start).

    Raises:
        ValueError: for inconsistent steps, an out-of-range ``start.layer`` or mismatched shapes.
        OverflowError: when the kernels (or, for an activation neither homogeneous nor saturating, its
            pre-activation variances) exceed float64; the message estimates the magnitude. Everything else is
            computed in scaled form (:mod:`theorycheck.kernels.scaling`), and no non-finite entry is returned.
    """
    if factors is not None:
        if steps is not None:
            raise ValueError("pass steps or factors, not both")
        steps = factors
    steps = check_steps(steps, depth)
    homog = is_homogeneous(expect)
    # every w2/b2 below is scaled: true kernels = 2^k × carried ones (kernels/scaling.py); matrix l's σ_w[l] =
    # 2^ω_l σ̂_w[l]
    scales = layer_sigma_w(sigma_w, depth)
    omegas = [sigma_exponent(s, small=sigma_b == 0.0) for s in scales]
    w2hs = [scaled_square(s, 2 * o) for s, o in zip(scales, omegas)]
    row_exp = col_exp = None  # per-input exponents r_i (homogeneous φ without bias): Σ_ij = 2^{k + r_i + r_j} Σ̂_ij
    if start is None:
        if x1 is None:
            raise ValueError("x1 is required unless a start state is given")
        sym = x2 is None
        xb = x1 if sym else x2
        if homog and sigma_b == 0.0:
            x1, row_exp = per_input_scale(x1)
            xb, col_exp = (x1, row_exp) if sym else per_input_scale(xb)
            e = 0
        else:
            e = common_exponent(x1, xb)
            x1 = mul_pow2_(x1.clone(), -e) if e else x1
            xb = x1 if sym else (mul_pow2_(xb.clone(), -e) if e else xb)
        like, first = x1, 1
        steps = _on(steps, like)
        base = 2 * omegas[0] + 2 * e
        qa0 = steps[0].input_variances(x1, w2hs[0], scaled_square(sigma_b, base))
        qb0 = qa0 if sym else steps[0].input_variances(xb, w2hs[0], scaled_square(sigma_b, base))
        m = renorm_exponent(qa0, qb0)
        k_first = base + m
        if m < 0 and math.frexp(w2hs[0])[1] - m > 1000:
            # tiny inputs beside a huge σ_w[0]: 2^{−m} σ̂_w² would overflow, so the shift goes onto the inputs
            x1 = mul_pow2_(x1.clone(), -m // 2)
            xb = x1 if sym else mul_pow2_(xb.clone(), -m // 2)
            coef_in = (w2hs[0], scaled_square(sigma_b, k_first))
        else:
            coef_in = (math.ldexp(w2hs[0], -m), scaled_square(sigma_b, k_first))
        if m:
            qa0 = steps[0].input_variances(x1, *coef_in)
            qb0 = qa0 if sym else steps[0].input_variances(xb, *coef_in)
        n1, n2, k0 = x1.shape[0], xb.shape[0], steps[0].k_out
    else:
        first = start.layer
        if isinstance(first, bool) or not isinstance(first, int) or not 1 <= first <= depth + 1:
            raise ValueError(f"start.layer must be an integer in [1, {depth + 1}], got {first!r}")
        s_nngp, s_ntk, qa0, qb0 = start.positions()
        k_first = int(getattr(start, "log2_scale", 0))
        sym = qb0 is None
        qb0 = qa0 if sym else qb0
        like = s_nngp
        steps = _on(steps, like)
        k0, n1, n2 = s_nngp.shape
        if k0 != steps[first - 1].k_out:
            raise ValueError(f"start has {k0} positions; steps[{first}] reads {steps[first - 1].k_out}")
    dtype, device = like.dtype, like.device

    # the diagonals, layer by layer, with each layer's exponent k and evaluation plan (kernels/scaling.py)
    qa, qb, ks, plans, coefs, diag_a, diag_b = [qa0], [qb0], [k_first], [], [], [], []
    for layer in range(first, depth + 1):
        plan = eval_scale(ks[-1], expect, qa[-1], qb[-1])
        plans.append(plan)
        base = plan.e_exponent + 2 * omegas[layer]
        ea = _diag(expect, plan.qs[0])
        eb = ea if sym else _diag(expect, plan.qs[1])
        diag_a.append(ea)
        diag_b.append(eb)
        step = steps[layer]
        qna = step.variances(ea, w2hs[layer], scaled_square(sigma_b, base))
        qnb = qna if sym else step.variances(eb, w2hs[layer], scaled_square(sigma_b, base))
        m = renorm_exponent(qna, qnb)
        ks.append(base + m)
        coefs.append((math.ldexp(w2hs[layer], -m), scaled_square(sigma_b, base + m)))
        if layer < depth:
            qa.append(step.variances(ea, *coefs[-1]) if m else qna)
            qb.append(qa[-1] if sym else (step.variances(eb, *coefs[-1]) if m else qnb))
    corr_a = [{"inv_s": variance_stats(q, expect)["inv_s"]} for q in qa]
    corr_b = corr_a if sym else [{"inv_s": variance_stats(q, expect)["inv_s"]} for q in qb]
    stats_a = [variance_stats(p.qs[0], expect) for p in plans]
    stats_b = stats_a if sym else [variance_stats(p.qs[1], expect) for p in plans]
    factor_a = [p.point_factor(q) if p.reduced else None for p, q in zip(plans, qa)]
    factor_b = factor_a if sym else [p.point_factor(q) if p.reduced else None for p, q in zip(plans, qb)]

    # near-colinear pairs: 1 − ρ² carried without cancellation (closed forms with ``stable_pairs``; (α, β, γ) steps)
    stable = (start is None and callable(getattr(expect, "stable_pairs", None)) and all(
        isinstance(st, KernelStep) for st in steps))
    kmax = max([k0] + [s.k_out for s in steps[first:]])
    if block_elements is None:
        block_elements = DEFAULT_BLOCK_ELEMENTS if kmax == 1 else GRAPHON_BLOCK_ELEMENTS
    nngp = torch.empty((n1, n2), dtype=dtype, device=device)
    ntk = torch.empty((n1, n2), dtype=dtype, device=device)
    rows = max(1, min(n1, block_elements // max(kmax * n2, 1)))
    buf = torch.empty(6 * kmax * rows * n2, dtype=dtype, device=device)

    for r0 in range(0, n1, rows):
        r1 = min(n1, r0 + rows)
        c0 = r0 if sym else 0  # upper triangle only in the symmetric case
        r, m = r1 - r0, n2 - c0
        seg = kmax * r * m
        parts = [buf[i * seg:(i + 1) * seg] for i in range(6)]

        def block(i: int, k: int, parts=parts, r=r, m=m) -> torch.Tensor:
            return parts[i][:k * r * m].view(k, r, m)

        k = k0
        C, T = block(0, k), block(1, k)
        if start is None:
            steps[0].input_block(x1[r0:r1], xb[c0:], C, T, *coef_in)
        else:
            C.copy_(s_nngp[:, r0:r1, c0:])
            T.copy_(s_ntk[:, r0:r1, c0:])
        for i, layer in enumerate(range(first, depth + 1)):
            R, D, W0, W1 = (block(j, k) for j in (2, 3, 4, 5))
            rs = {key: v[:, r0:r1, None] for key, v in stats_a[i].items()}
            cs = {key: v[:, None, c0:] for key, v in stats_b[i].items()}
            correlations_(C, {"inv_s": corr_a[i]["inv_s"][:, r0:r1, None]},
                          {"inv_s": corr_b[i]["inv_s"][:, None, c0:]}, R, W0, W1)
            if sym:
                R.diagonal(dim1=1, dim2=2).fill_(1.0)
            if stable and i == 0:
                near = _near_colinear(R[0], x1[r0:r1], xb[c0:], sym, steps[0].alpha * coef_in[0] / x1.shape[1],
                                      coef_in[1], qa[0][0, r0:r1], qb[0][0, c0:])
            if stable and near is not None:
                flat, ri, ci, s2 = near
                rho_near = R[0].view(-1)[flat].clone()
            unit = R.abs() == 1.0 if plans[i].reduced else None
            if stable and near is not None and plans[i].reduced:
                # 1 − ρ² of order 1/q (colinear inputs beside a bias): Ė depends on q(1 − ρ²), so the reduced
                # evaluation takes λ(1 − ρ²) and the ρ = ±1 law λ^{−1/2} (kernels/scaling.py)
                lim = plans[i].limit
                tiny = (s2 < 2.0**-600) & (qa[i][0, r0 + ri] > lim) & (qb[i][0, c0 + ci] > lim)
                if bool(tiny.any()):
                    boosted = _near_colinear(R[0], x1[r0:r1], xb[c0:], sym,
                                             steps[0].alpha * coef_in[0] / x1.shape[1], coef_in[1],
                                             qa[0][0, r0:r1], qb[0][0, c0:], boost=plans[i].j)[3]
                    s2 = torch.where(tiny, boosted, s2)
                    unit[0].view(-1)[flat[tiny]] = True
            expect.block(R, rs, cs, D, [W0, W1, C])
            if stable and near is not None:
                e_n, d_n, u_n = expect.stable_pairs(rho_near, s2, stats_a[i]["s"][0, r0 + ri],
                                                    stats_b[i]["s"][0, c0 + ci])
                R[0].view(-1)[flat] = e_n
                D[0].view(-1)[flat] = d_n
            if plans[i].dot_exponent or plans[i].reduced:
                fa = None if factor_a[i] is None else factor_a[i][:, r0:r1, None]
                fb = None if factor_b[i] is None else factor_b[i][:, None, c0:]
                plans[i].adjust_(D, T, unit, fa, fb)
            k = steps[layer].k_out
            C_next, T_next = block(0, k), block(1, k)
            steps[layer].propagate(R, D, T, C_next, T_next, *coefs[i])  # Σ, Θ of the next layer
            if stable and near is not None and u_n is None:  # this activation does not carry the complement
                near = None
            if stable and near is not None and layer < depth:  # 1 − ρ'² of the next layer, without cancellation
                a_w, b2_l = steps[layer].alpha * coefs[i][0], coefs[i][1]
                ea_n, eb_n = diag_a[i][0, r0 + ri], diag_b[i][0, c0 + ci]
                se = torch.sqrt(ea_n) * torch.sqrt(eb_n)
                num = a_w * a_w * se * se * u_n * (2.0 - u_n) + a_w * b2_l * (
                    (torch.sqrt(ea_n) - torch.sqrt(eb_n)) ** 2 + 2.0 * se * u_n)
                s2 = (num / (qa[i + 1][0, r0 + ri] * qb[i + 1][0, c0 + ci])).clamp_(0.0, 1.0)
                near = (flat, ri, ci, s2)
            C, T = C_next, T_next
        nngp[r0:r1, c0:] = C[0]
        ntk[r0:r1, c0:] = T[0]
    if sym:
        for out in (nngp, ntk):
            for r0 in range(0, n1, rows):
                r1 = min(n1, r0 + rows)
                out[r1:, r0:r1] = out[r0:r1, r1:].T
                square = out[r0:r1, r0:r1]
                square.copy_(torch.triu(square) + torch.triu(square, 1).T)
    sw = f"{scales[0]:g}" if len(set(scales)) == 1 else f"up to {max(scales):g}"
    hint = f"reduce sigma_w (= {sw}), sigma_b (= {sigma_b:g}), the depth (= {depth}) or the input scale"
    return _unscale(nngp, ntk, ks[-1], row_exp, row_exp if sym else col_exp, hint)





#: Pairs with |ρ| above this get 1 − ρ² from the inputs directly (the subtraction 1 − ρ loses about
#: log10(1/(1 − |ρ|)) digits; here at most 3).
NEAR_COLINEAR = 1.0 - 1e-3
#: Up to this many features the Gram determinant of a pair is summed over its 2×2 minors (exact for colinear
#: inputs such as a single kept feature); beyond, from the projection y_⊥.
_LAGRANGE_MAX_D = 16


def _near_colinear(rho: torch.Tensor, xa: torch.Tensor, xb: torch.Tensor, sym: bool, a_w: float, b2: float,
                   qa: torch.Tensor, qb: torch.Tensor, boost: int = 0):
    r"""Entries of a first-layer block with |ρ| > :data:`NEAR_COLINEAR` and their 1 − ρ², without cancellation.

    With Σ^{(1)}(x, y) = A x·y + b², ab − c² = A²(|x|²|y|² − (x·y)²) + A b²|x − y|², and |x|²|y|² − (x·y)² is the
    sum of squared 2×2 minors (x_j y_k − x_k y_j)² for d ≤ 16 (zero for one feature) or |x|²|y_⊥|² with
    y_⊥ = y − (x·y/|x|²) x formed componentwise (the rounding of the projection coefficient moves y_⊥ along x,
    orthogonally to it): accurate to O(ulp/sin θ) relatively, θ to a few ulps absolutely (the Gram route 1 − ρ loses
    √ulp in θ).

    Args:
        rho: [r, m] correlations of the block.
        xa: [r, d] row inputs (as the block saw them).
        xb: [m, d] column inputs.
        sym: whether the block lies on the diagonal of a symmetric call (its diagonal is exact already).
        a_w: A = α σ_w²/d of the input step (scaled).
        b2: σ_b² (scaled).
        qa: [r] variances of the rows.
        qb: [m] variances of the columns.
        boost: return (1 − ρ²)·2^boost (for 1 − ρ² below float64's range; not clamped).

    Returns:
        ``None`` when there are no such entries, else (flat indices into the block, row indices, column indices,
        1 − ρ²).
    """
    mask = rho.abs() > NEAR_COLINEAR
    if sym:
        mask.diagonal().fill_(False)
    if not bool(mask.any()):
        return None
    ri, ci = torch.nonzero(mask, as_tuple=True)
    x, y = xa[ri], xb[ci]
    diff = ((x - y) ** 2).sum(dim=1)
    a, b = qa[ri], qb[ci]  # factors ordered so that nothing overflows at variances up to float64's range
    if x.shape[1] == 0:  # a mask row that keeps no feature: the bias alone, ρ = 1 exactly
        first = torch.zeros_like(a)
    elif x.shape[1] <= _LAGRANGE_MAX_D:
        # Lagrange: |x|²|y|² − (x·y)² = Σ_{j<k} (x_j y_k − x_k y_j)², exactly 0 for one feature
        top = torch.maximum(x.abs().amax(dim=1), y.abs().amax(dim=1)).clamp_min(1e-300)
        xs, ys = x / top[:, None], y / top[:, None]
        w = xs[:, :, None] * ys[:, None, :]
        det = ((w - w.transpose(1, 2)) ** 2).sum(dim=(1, 2)) * 0.5
        first = (a_w * top * top / a) * (a_w * top * top / b) * det
    else:
        nx = (x * x).sum(dim=1)
        t = torch.where(nx > 0, (x * y).sum(dim=1) / torch.where(nx > 0, nx, torch.ones_like(nx)),
                        torch.zeros_like(nx))
        perp = y - t[:, None] * x
        first = (a_w * nx / a) * (a_w * (perp * perp).sum(dim=1) / b)
    if boost:
        return ri * rho.shape[1] + ci, ri, ci, first * 2.0**boost + a_w * (b2 * 2.0**boost / a) * (diff / b)
    s2 = (first + a_w * (b2 / a) * (diff / b)).clamp_(0.0, 1.0)
    return ri * rho.shape[1] + ci, ri, ci, s2


def _all_finite(t: torch.Tensor) -> bool:
    """Whether every entry is finite (min and max propagate NaN; 15× faster than ``isfinite(t).all()``)."""
    if t.numel() == 0:
        return True
    lo, hi = torch.aminmax(t)
    return math.isfinite(float(lo)) and math.isfinite(float(hi))


def _unscale(nngp: torch.Tensor, ntk: torch.Tensor, k: int, row_exp: torch.Tensor | None,
             col_exp: torch.Tensor | None, hint: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The true kernels 2^{k + r_i + r_j} × the scaled ones; an :class:`OverflowError` for entries that float64
    cannot hold (estimated magnitude in the message) or any non-finite entry."""
    scaled = k != 0 or row_exp is not None or col_exp is not None
    for name, out in (("NNGP", nngp), ("NTK", ntk)):
        if not _all_finite(out):
            raise_overflow(name, None, hint)
        if not scaled:
            continue
        ex = torch.full((), float(k), dtype=torch.float64, device=out.device)
        if row_exp is not None:
            ex = ex + row_exp.to(out.device)[:, None]
        if col_exp is not None:
            ex = ex + col_exp.to(out.device)[None, :]
        ex = ex.expand_as(out)
        nz = out != 0
        if bool(nz.any()):
            top = float((torch.log2(out.abs()[nz]) + ex[nz]).max())
            if top >= 1024.0:
                raise_overflow(name, top * math.log10(2.0), hint)
        mul_pow2_(out, ex)
    return nngp, ntk


def _on(steps: list[Step], like: torch.Tensor) -> list[Step]:
    """Graphon steps moved to the dtype and device of ``like``."""
    return [s.to(like) if isinstance(s, GraphonStep) else s for s in steps]
