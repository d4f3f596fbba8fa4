r"""Gaussian expectations of any activation, with an error estimate at every scale (docs/theory/dense.md).

For (u, v) ~ N(0, [[a, c], [c, b]]) with ρ = c/√(ab), write u = √a z and v = √b (ρ z + s w) with z, w i.i.d. N(0, 1)
and s = √((1−ρ)(1+ρ)). Then

.. math::

    E[f(u)\,g(v)] = \int f(\sqrt a\,z)\,H(z)\,N(z)\,dz,\qquad H(z) = \int g\bigl(\sqrt b(\rho z + s w)\bigr)\,N(w)\,dw,

the outer integral over u and the inner one the conditional expectation E[g(v) | u]. Both are one-dimensional
integrals against the standard normal density whose integrands are smooth except near known points: the activation's
*features* (0, where tanh/gelu/softplus/sigmoid bend and ReLU-like functions have their kink, plus any further kink
found by :func:`kinks`) mapped into the integration variable. In the outer variable these are z = κ/√a (for f) and
z = κ/(√b ρ) (for H); in the inner one w = (κ/√b − ρ z)/s.

A fixed Gauss–Hermite rule sees f(√a z) as a step once √a ≫ 1 and loses accuracy at ordinary scales (erf with
a ≈ 2: 3e-4 relative at 64 nodes; ReLU: 6 %). Here each 1-D integral is a composite Gauss–Legendre rule on a mesh
that is *scale-aware*:

* the bulk [−W, W] (W = 9, beyond which the normal mass is 2e-19) is cut into M = 6 panels;
* every feature point is a breakpoint (a kink there is integrated exactly: each side is smooth);
* around every feature point the mesh is graded geometrically, breakpoints at ±δ·r^j (j = 0..P−1), down to the
  feature's width δ: 1/√a for f (a unit-scale bend seen through u = √a z), max(s, 1/√b)/|ρ| for H (s/|ρ| when the
  activation has a kink: the smoothed kink of H), 1/(√b s) for the inner integrand. On a panel [x, r x] the nearest
  singularity of a function with features of width ≲ x at 0 is at distance ≈ x, so Gauss–Legendre converges like
  ((r+1)/(r−1) + √(((r+1)/(r−1))² − 1))^{−2n} on every panel whatever the scale (geometric mesh refinement).

The number of graded levels P is computed per entry, and entries are processed in groups of equal (P_out, P_in), so
ordinary entries pay for no grading. The accuracy assumption is that φ varies on scale ~1 away from its kinks
(true of the named activations; a user's ``tanh(100 z)`` is the same as a 10⁴ times larger variance, still handled
by the grading). An a-posteriori check recomputes a sample of the entries of every call (the extremes of ρ, a and
b among them) with a finer rule (more nodes per panel, smaller ratio); the largest relative difference, normalised
by √(E[f(u)²]E[g(v)²]) (the Cauchy–Schwarz scale of the entry, so that entries that vanish exactly are measured
fairly), is kept in :attr:`Quadrature.error_estimate`, and a :class:`QuadratureAccuracyWarning` is issued when it
exceeds :data:`TARGET` (1e-10). :class:`~theorycheck.kernels.kernel.Kernel` returns it as ``quadrature_error``.

Cost: the inner integrand is one [n, entries, outer nodes, panels] array per chunk, every operation one contiguous
pass over it (weights as exp(log h + log w_k − w²/2), φ and φ' from one
:meth:`~theorycheck.activations.Activation.value_and_grad` call); entries equal up to swapping (a, b) and the
mirrored half of a symmetric block are computed once. Per kernel entry this costs 2–5× the old 64-node
Gauss–Hermite rule (:class:`GaussHermite`, ``make bench``), and a depth-200 tanh kernel of 5 inputs about 3 s.
"""

from __future__ import annotations

import math
import threading
import warnings
from typing import Any

import numpy as np
import torch

__all__ = ["Quadrature", "GaussHermite", "gauss_hermite", "kinks", "QuadratureAccuracyWarning", "TARGET"]

#: Relative accuracy (in units of √(E[f(u)²]E[g(v)²])) that every kernel entry is meant to reach.
TARGET = 1e-10

_W = 9.0  # half-width of the integration range in standard-normal units
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_FLOOR = 1e-12  # smallest feature width the grading resolves
_CHUNK_NODES = 1 << 18
_EPS = 2.0**-52  # entries × outer × inner nodes per vectorised chunk


class QuadratureAccuracyWarning(RuntimeWarning):
    """The a-posteriori error estimate of a quadrature kernel exceeds :data:`TARGET`."""


def gauss_hermite(degree: int, dtype: torch.dtype = torch.float64, device: torch.device | None = None
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """Probabilists' Gauss–Hermite nodes and weights for N(0, 1), weights summing to 1.

    Golub–Welsch (eigenvalues of the Jacobi matrix, weights from the first eigenvector components), stable for every
    degree; numpy's ``hermegauss`` overflows beyond degree ≈ 360 and returns NaN weights.

    Args:
        degree: Number of nodes K ≥ 1.
        dtype: Torch dtype of the result.
        device: Torch device of the result.

    Returns:
        (nodes, weights), each of shape [K].
    """
    k = np.arange(1, degree)
    z, vec = np.linalg.eigh(np.diag(np.sqrt(k.astype(np.float64)), 1) + np.diag(np.sqrt(k.astype(np.float64)), -1))
    w = vec[0] ** 2
    w = w / w.sum()
    return torch.as_tensor(z, dtype=dtype, device=device), torch.as_tensor(w, dtype=dtype, device=device)


def _gauss_legendre(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    x, w = np.polynomial.legendre.leggauss(n)
    return torch.as_tensor(x), torch.as_tensor(w)


def kinks(activation: Any, *, span: float = 32.0, step: float = 1.0 / 512) -> tuple[float, ...]:
    """Points where φ or φ' jumps (kinks and steps of the activation), besides 0 which is always a feature.

    φ and φ' are scanned on a grid of ``step`` over [−span, span]; a jump is a difference of φ' (or of φ) that is
    large in absolute terms and against its neighbours, then located by bisection to machine precision.

    Args:
        activation: The activation to scan.
        span: Half-width of the scanned range.
        step: Grid spacing.

    Returns:
        Sorted kink locations other than 0.
    """
    x = torch.arange(-span, span + step / 2, step, dtype=torch.float64)
    with torch.no_grad():
        f, df = activation(x), activation.grad(x)
    found = []
    for vals in (df, f):
        d = (vals[1:] - vals[:-1]).abs()
        if not bool(torch.isfinite(d).all()):
            continue
        nb = torch.maximum(torch.cat([d[:1] * 0, d[:-1]]), torch.cat([d[1:], d[:1] * 0]))
        jump = (d > 1e-3) & (d > 8.0 * nb)
        if vals is f:  # a step of φ itself, beyond what its slope explains
            jump &= d > 8 * step * df.abs().max()
        for k in torch.nonzero(jump).flatten().tolist():
            lo, hi = float(x[k]), float(x[k + 1])
            fn = activation.grad if vals is df else activation
            vlo = float(fn(torch.tensor([lo], dtype=torch.float64)))
            for _ in range(80):  # bisection on "which side of the jump"
                mid = 0.5 * (lo + hi)
                if mid in (lo, hi):
                    break
                vm = float(fn(torch.tensor([mid], dtype=torch.float64)))
                if abs(vm - vlo) < 0.5 * float(d[k]):
                    lo = mid
                else:
                    hi = mid
            p = hi if abs(hi) > abs(lo) else lo
            if abs(p) > 4 * step and all(abs(p - q) > 4 * step for q in found):
                found.append(p)
    return tuple(sorted(found))


_UNGRADED = 0.5  # features at least this wide (× panel width) need no grading


def _levels(delta: torch.Tensor, panel: float, r: float) -> torch.Tensor:
    """Graded levels P needed to go from a fraction of a bulk panel down to the feature width ``delta``."""
    top = _UNGRADED * panel
    need = torch.log(top / delta.clamp_min(_FLOOR)) / math.log(r)
    return torch.where(delta < top, torch.ceil(need) + 1, torch.zeros_like(need)).clamp_max(60).long()


class _Rule:
    """Composite Gauss–Legendre rule for ∫ F(w) N(w) dw, graded around per-entry feature points."""

    def __init__(self, panels: int, nodes: int, ratio: float) -> None:
        self.m, self.n, self.r = panels, nodes, ratio
        self.width = 2 * _W / panels
        self.x, self.w = _gauss_legendre(nodes)
        self.log_w = torch.log(self.w * _INV_SQRT_2PI)  # log of the Legendre weight times the normal constant
        self._grid = torch.linspace(-_W, _W, panels + 1, dtype=torch.float64)
        self._dev: dict[torch.device, tuple[torch.Tensor, ...]] = {}

    def levels(self, delta: torch.Tensor) -> torch.Tensor:
        return _levels(delta, self.width, self.r)

    def on(self, dev: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """(grid, x, w, log_w) on ``dev`` (cached per device)."""
        if dev not in self._dev:
            self._dev[dev] = tuple(t.to(dev) for t in (self._grid, self.x, self.w, self.log_w))
        return self._dev[dev]  # type: ignore[return-value]

    def panels(self, centres: torch.Tensor, delta: torch.Tensor, levels: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Midpoints and half-widths [..., B] of the panels for feature points ``centres`` [..., F] and grading
        width ``delta`` [...] with ``levels`` graded levels (panels clamped to [−W, W] may have width 0)."""
        grid = self.on(centres.device)[0]
        shape = centres.shape[:-1]
        parts = [grid.expand(*shape, self.m + 1), centres]
        if levels:
            lv = delta.unsqueeze(-1) * (self.r ** torch.arange(levels, dtype=torch.float64, device=centres.device))
            off = torch.cat([lv, -lv], -1)
            parts.append((centres.unsqueeze(-1) + off.unsqueeze(-2)).flatten(-2))
        b = torch.cat(parts, -1).clamp_(-_W, _W).sort(-1).values
        lo, hi = b[..., :-1], b[..., 1:]
        return 0.5 * (hi + lo), 0.5 * (hi - lo)

    def __call__(self, centres: torch.Tensor, delta: torch.Tensor, levels: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Nodes and weights [..., N] (weights include the normal density) for feature points ``centres`` [..., F]
        and grading width ``delta`` [...] with ``levels`` graded levels."""
        mid, half = self.panels(centres, delta, levels)
        _, x, w, _ = self.on(centres.device)
        half = half.unsqueeze(-1)
        nodes = mid.unsqueeze(-1) + half * x
        wts = half * w * torch.exp(-0.5 * nodes * nodes) * _INV_SQRT_2PI
        return nodes.flatten(-2), wts.flatten(-2)


class Quadrature:
    """E[φφ], E[φ'φ'] of an arbitrary :class:`~theorycheck.activations.Activation` by scale-aware quadrature.

    The method is described in the module docstring (docs/theory/dense.md, "Kernels of any activation"). The
    interface is the one of every expectation object of :mod:`theorycheck.kernels.recursion`: ``diag(q)``,
    ``block(rho, rs, cs, dot, work)`` and ``pair_mp``.

    Args:
        activation: The activation φ (with its derivative φ').
        degree: Accuracy knob kept from the Gauss–Hermite interface (``quadrature_degree`` of ``tc.MLP``). The
            composite rule uses n = clamp(⌊K/5⌋, 8, 16) Gauss–Legendre nodes per panel; the default K = 64 (n = 12)
            meets :data:`TARGET`; smaller K is faster and less accurate (the error estimate says by how much).

    Attributes:
        error_estimate: The largest a-posteriori error estimate (relative, in units of √(E[f(u)²]E[g(v)²])) over
            all evaluations since construction or :meth:`reset_error_estimate`.
        kinks: Kink locations of φ besides 0 (see :func:`kinks`).
    """

    def __init__(self, activation: Any, degree: int = 64, *, check: bool = True) -> None:
        self.activation = activation
        self.degree = int(degree)
        n = max(8, min(16, self.degree // 5))
        self.nodes_per_panel = n
        self.name = f"{activation.name} (scale-aware Gauss–Legendre, {n} nodes/panel)"
        self.kinks = kinks(activation)
        # a kink or step anywhere (0 included) makes H's smoothed kink as narrow as s
        self.kinked = bool(self.kinks) or self._kink_at_zero()
        self._features = torch.tensor((0.0,) + self.kinks, dtype=torch.float64)
        self._rule = _Rule(6, n, 2.0)
        self._fine = _Rule(8, n + 4, 1.6)
        vg = getattr(activation, "value_and_grad", None)
        self._vg = vg if vg is not None else (lambda z: (activation(z), activation.grad(z)))
        self.check = check
        self._buffers: dict[tuple, torch.Tensor] = {}
        self.error_estimate = 0.0
        self._checked: set[tuple[int, ...]] = set()

    def _kink_at_zero(self) -> bool:
        e = torch.tensor([-1e-9, 1e-9], dtype=torch.float64)
        d = self.activation.grad(e)
        f = self.activation(e)
        return bool((d[1] - d[0]).abs() > 1e-6) or bool((f[1] - f[0]).abs() > 1e-6)

    def reset_error_estimate(self) -> None:
        self.error_estimate = 0.0
        self._checked.clear()

    # ------------------------------------------------------------------------------------------------- 1-D
    def _diag(self, q: torch.Tensor, rule: _Rule, fn=None) -> torch.Tensor:
        """E[fn(u)²] for u ~ N(0, q) (fn = φ by default)."""
        fn = self.activation if fn is None else fn
        sq = torch.sqrt(q)
        inv = torch.where(sq > 0, 1.0 / sq, torch.full_like(sq, math.inf))
        feats = self._features.to(q.device)
        centres = feats * inv.unsqueeze(-1)
        centres = torch.where(torch.isfinite(centres), centres, torch.full_like(centres, 2 * _W))
        delta = torch.clamp(inv, max=1.0)
        out = torch.empty_like(q)
        lv = rule.levels(delta)
        for p in torch.unique(lv).tolist():
            idx = torch.nonzero(lv == p).flatten()
            z, w = rule(centres[idx], delta[idx], p)
            out[idx] = (fn(sq[idx].unsqueeze(-1) * z) ** 2 * w).sum(-1)
        return out

    def diag(self, q: torch.Tensor) -> torch.Tensor:
        """E[φ(u)²] for u ~ N(0, q), elementwise (computed in float64)."""
        return self._diag(torch.as_tensor(q, dtype=torch.float64), self._rule).to(torch.as_tensor(q).dtype)

    # ------------------------------------------------------------------------------------------------- 2-D
    def _scales(self, sa, sb, rho):
        s = torch.sqrt((1.0 - rho) * (1.0 + rho))
        arho = rho.abs()
        inv_a = torch.where(sa > 0, 1.0 / sa, torch.full_like(sa, math.inf))
        inv_b = torch.where(sb > 0, 1.0 / sb, torch.full_like(sb, math.inf))
        h = s if self.kinked else torch.maximum(s, torch.where(s > 0, inv_b, inv_b))
        h = torch.where(h > 0, h, inv_b)  # s = 0: H(z) = g(±√b z), a kink (split) or a bend of width 1/√b
        d_out = torch.minimum(torch.clamp(inv_a, max=1.0), h / arho.clamp_min(1e-300))
        bs = sb * s
        d_in = torch.where(bs > 0, torch.clamp(1.0 / bs, max=1.0), torch.ones_like(bs))
        return s, d_out, d_in

    def _outer_centres(self, sa, sb, rho):
        """Feature points of the outer integrand f(√a z)·H(z): κ/√a for f and κ/(√b ρ) for H (far away when
        infinite)."""
        feats = self._features.to(rho.device)
        inv_a = torch.where(sa > 0, 1.0 / sa, torch.full_like(sa, math.inf))
        rb = sb * rho
        inv_rb = torch.where(rb != 0, 1.0 / rb, torch.full_like(rb, math.inf))
        oc = torch.cat([feats * inv_a.unsqueeze(-1), feats[1:] * inv_rb.unsqueeze(-1)], -1)
        return torch.where(torch.isfinite(oc), oc, torch.full_like(oc, 2 * _W))

    def _pairs(self, sa, sb, rho, rule: _Rule, lo: int, li: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(E[φ(u)φ(v)], E[φ'(u)φ'(v)]) on 1-D entry tensors, all with the same levels (lo, li).

        The inner integrand is built in one pass per operation over the [n, E, No, panels] node array: the weights
        as exp(log half + log w_k − w²/2), v = √b ρ z + √b s w in place, and φ, φ' from one
        :meth:`~theorycheck.activations.Activation.value_and_grad` call."""
        feats = self._features.to(rho.device)
        s, d_out, d_in = self._scales(sa, sb, rho)
        z, wz = rule(self._outer_centres(sa, sb, rho), d_out, lo)  # [E, No]
        # inner feature points w = (κ/√b − ρ z)/s for every κ
        inv_s = torch.where(s > 0, 1.0 / s, torch.zeros_like(s))
        kb = feats * torch.where(sb > 0, 1.0 / sb, torch.zeros_like(sb)).unsqueeze(-1)  # [E, F]
        ic = (kb.unsqueeze(1) - (rho.unsqueeze(-1) * z).unsqueeze(-1)) * inv_s[:, None, None]  # [E, No, F]
        ic = torch.where(s[:, None, None] > 0, ic, torch.full_like(ic, 2 * _W)).clamp_(-2 * _W, 2 * _W)
        mid, half = rule.panels(ic, d_in[:, None].expand(z.shape), li)  # [E, No, P]
        _, x, _, log_w = rule.on(rho.device)
        # node index first: every elementwise pass below runs over contiguous [E, No, P] slices
        xk, log_wk = x.view(-1, 1, 1, 1), log_w.view(-1, 1, 1, 1)
        shape = (x.numel(),) + mid.shape
        w = torch.addcmul(mid, half, xk, out=self._buffer(0, shape, mid.device))  # [n, E, No, P]
        ww = torch.add(torch.log(half), log_wk, out=self._buffer(1, shape, mid.device))
        ww.addcmul_(w, w, value=-0.5).exp_()
        v = w.mul_((sb * s)[:, None, None]).add_((sb * rho)[:, None].mul(z).unsqueeze(-1))
        g, dg = self._vg(v)
        if dg.data_ptr() == g.data_ptr():
            dg = dg.clone()
        hz = g.mul_(ww).sum((0, 3))
        dhz = dg.mul_(ww).sum((0, 3))
        f, df = self._vg(sa.unsqueeze(-1) * z)
        return (f * hz * wz).sum(-1), (df * dhz * wz).sum(-1)

    def _buffer(self, i: int, shape: tuple[int, ...], device: torch.device) -> torch.Tensor:
        """Work array ``i`` of ``shape``, reused between calls of this thread: a fresh array of a few MB per chunk
        costs as much in page faults as the arithmetic on it."""
        key = (threading.get_ident(), i, device)
        n = math.prod(shape)
        buf = self._buffers.get(key)
        if buf is None or buf.numel() < n:
            buf = torch.empty(n, dtype=torch.float64, device=device)
            self._buffers[key] = buf
        return buf[:n].view(shape)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_buffers"] = {}
        return state

    def _pairs_unit(self, sa, sb, rho, d_out, lo, rule: _Rule) -> tuple[torch.Tensor, torch.Tensor]:
        """(E[φ(√a z)φ(±√b z)], E[φ'φ']) for entries with ρ = ±1 (one-dimensional)."""
        oc = self._outer_centres(sa, sb, rho)
        rb = sb * rho
        e, ed = torch.empty_like(rho), torch.empty_like(rho)
        for p in torch.unique(lo).tolist():
            idx = torch.nonzero(lo == p).flatten()
            z, wz = rule(oc[idx], d_out[idx], int(p))
            (f, df), (g, dg) = self._vg(sa[idx].unsqueeze(-1) * z), self._vg(rb[idx].unsqueeze(-1) * z)
            e[idx] = (f * g * wz).sum(-1)
            ed[idx] = (df * dg * wz).sum(-1)
        return e, ed

    def _expect(self, sa, sb, rho, rule: _Rule) -> tuple[torch.Tensor, torch.Tensor]:
        """(E[φ(u)φ(v)], E[φ'(u)φ'(v)]) for flat entry tensors.

        Both expectations are symmetric in (a, b), so entries equal up to that swap (the mirrored half of a
        symmetric block, repeated inputs) are computed once, with √a ≤ √b; the rest are grouped by graded levels
        and chunked to bound memory."""
        sa, sb = torch.minimum(sa, sb), torch.maximum(sa, sb)
        if rho.numel() > 1:
            uniq, inv = torch.unique(torch.stack([sa, sb, rho], 1), dim=0, return_inverse=True)
            if uniq.shape[0] < rho.numel():
                e, ed = self._expect_distinct(uniq[:, 0], uniq[:, 1], uniq[:, 2].contiguous(), rule)
                return e[inv], ed[inv]
        return self._expect_distinct(sa, sb, rho, rule)

    def _expect_distinct(self, sa, sb, rho, rule: _Rule) -> tuple[torch.Tensor, torch.Tensor]:
        _, d_out, d_in = self._scales(sa, sb, rho)
        lo, li = rule.levels(d_out), rule.levels(d_in)
        e, ed = torch.empty_like(rho), torch.empty_like(rho)
        unit = rho.abs() == 1.0  # v = ±√(b/a) u: a 1-D integral
        if bool(unit.any()):
            idx = torch.nonzero(unit).flatten()
            e[idx], ed[idx] = self._pairs_unit(sa[idx], sb[idx], rho[idx], d_out[idx], lo[idx], rule)
        key = torch.where(unit, torch.full_like(lo, -1), lo * 1000 + li)
        nf = len(self._features)
        for k in torch.unique(key).tolist():
            if k < 0:
                continue
            p_out, p_in = divmod(int(k), 1000)
            idx = torch.nonzero(key == k).flatten()
            n_o = (rule.m + 2 * nf + 2 * nf * p_out) * rule.n
            n_i = (rule.m + nf + 2 * nf * p_in) * rule.n
            step = max(1, _CHUNK_NODES // (n_o * n_i))
            for c0 in range(0, idx.numel(), step):
                sel = idx[c0:c0 + step]
                e[sel], ed[sel] = self._pairs(sa[sel], sb[sel], rho[sel], rule, p_out, p_in)
        return e, ed

    def expectations(self, a: torch.Tensor, b: torch.Tensor, rho: torch.Tensor, *, fine: bool = False
                     ) -> tuple[torch.Tensor, torch.Tensor]:
        """(E[φ(u)φ(v)], E[φ'(u)φ'(v)]) for variances ``a``, ``b`` and correlations ``rho`` (broadcasting).

        Args:
            a: Variance of u (≥ 0).
            b: Variance of v (≥ 0).
            rho: Correlation in [−1, 1].
            fine: Use the finer rule of the a-posteriori check.

        Returns:
            Two tensors of the broadcast shape.
        """
        a, b, rho = torch.broadcast_tensors(*(torch.as_tensor(t, dtype=torch.float64) for t in (a, b, rho)))
        shape = rho.shape
        e, ed = self._expect(a.sqrt().reshape(-1), b.sqrt().reshape(-1), rho.reshape(-1),
                             self._fine if fine else self._rule)
        return e.reshape(shape), ed.reshape(shape)

    def stats(self, q: torch.Tensor) -> dict[str, torch.Tensor]:
        """No statistics beyond √q and 1/√q."""
        return {}

    def block(self, rho: torch.Tensor, rs: dict[str, torch.Tensor], cs: dict[str, torch.Tensor],
              dot: torch.Tensor, work: list[torch.Tensor]) -> None:
        """In place: ``rho`` (correlations) ← E[φ(u)φ(v)], ``dot`` ← E[φ'(u)φ'(v)], with √a = ``rs["s"]`` [r, 1]
        and √b = ``cs["s"]`` [1, m].

        A block whose leading square is symmetric (the diagonal block of a kernel of x with itself: equal row and
        column scales, ρ_ij = ρ_ji within 4 ulps) is computed on its upper triangle and mirrored, since both
        expectations are symmetric in (u, v)."""
        sa_full, sb_full = rs["s"].expand_as(rho), cs["s"].expand_as(rho)
        keep = self._upper_of_symmetric_square(rho, sa_full, sb_full)
        if keep is None:
            sa, sb, r = sa_full.reshape(-1), sb_full.reshape(-1), rho.reshape(-1)
        else:
            sa, sb, r = sa_full[..., keep].reshape(-1), sb_full[..., keep].reshape(-1), rho[..., keep].reshape(-1)
        e, ed = self._expect(sa, sb, r, self._rule)
        if self.check:
            self._check(sa, sb, r, e, ed)
        if keep is None:
            rho.copy_(e.view_as(rho))
            dot.copy_(ed.view_as(dot))
        else:
            n = rho.shape[-2]
            for out, val in ((rho, e), (dot, ed)):
                out[..., keep] = val.view(out[..., keep].shape)
                sq = out[..., :n]
                sq.copy_(torch.triu(sq) + torch.triu(sq, 1).transpose(-1, -2))

    @staticmethod
    def _upper_of_symmetric_square(rho, sa, sb) -> torch.Tensor | None:
        """Mask [r, m] of the entries to compute when the block's leading r × r square is symmetric (its strict lower
        triangle is left out), else ``None``."""
        if rho.dim() < 2:
            return None
        n, m = rho.shape[-2], rho.shape[-1]
        if n < 2 or m < n:
            return None
        sq = rho[..., :n]
        if not (torch.equal(sa[..., :n], sb[..., :n].transpose(-1, -2))
                and bool(((sq - sq.transpose(-1, -2)).abs() <= 4 * _EPS * sq.abs()).all())):
            return None
        keep = torch.ones(n, m, dtype=torch.bool, device=rho.device)
        keep[:, :n] = torch.ones(n, n, dtype=torch.bool, device=rho.device).triu()
        return keep

    def _check(self, sa, sb, rho, e, ed) -> None:
        """Recompute a sample of entries (the extremes of ρ, of closeness to ±1 and of √(ab), and the middle one) with
        the finer rule; keep and report the largest discrepancy."""
        n = rho.numel()
        near_one = (rho.abs() - 1).abs() + (rho.abs() == 1).to(rho.dtype)  # closest to ±1 without being ±1
        scale = sa * sb
        picks = {int(torch.argmin(rho)), int(torch.argmax(rho)), int(torch.argmin(near_one)),
                 int(torch.argmin(scale)), int(torch.argmax(scale)), n // 2}
        # entries of a kind already checked (same scales within 2^¼, same correlation within 0.05 and the same
        # distance to ±1 within a factor √10) are skipped: deep recursions converge and would repeat the check
        fresh = []
        for i in sorted(picks):
            r = float(rho[i])
            key = (round(4 * math.log2(max(float(sa[i]), 1e-300))), round(4 * math.log2(max(float(sb[i]), 1e-300))),
                   round(20 * r), round(2 * math.log10(max(1 - abs(r), 1e-18))))
            if key not in self._checked:
                self._checked.add(key)
                fresh.append(i)
        if not fresh:
            return
        idx = torch.tensor(fresh, device=rho.device)
        dphi = self.activation.grad
        fe, fed = self._expect(sa[idx], sb[idx], rho[idx], self._fine)
        qa, qb = sa[idx] ** 2, sb[idx] ** 2
        scale = torch.sqrt(self._diag(qa, self._fine) * self._diag(qb, self._fine))
        dscale = torch.sqrt(self._diag(qa, self._fine, dphi) * self._diag(qb, self._fine, dphi))
        err = torch.maximum((fe - e[idx]).abs() / scale.clamp_min(1e-300),
                            (fed - ed[idx]).abs() / dscale.clamp_min(1e-300))
        err = torch.where(torch.isfinite(err), err, torch.full_like(err, math.inf))
        worst = float(err.max()) if err.numel() else 0.0
        if worst > self.error_estimate:
            self.error_estimate = worst
        if worst > TARGET:
            warnings.warn(f"{self.activation.name}: quadrature error estimate {worst:.2g} exceeds the target "
                          f"{TARGET:g} (relative to √(E[φ(u)²]E[φ(v)²])); see Quadrature.error_estimate",
                          QuadratureAccuracyWarning, stacklevel=4)

    def pair_mp(self, a, b, rho):  # pragma: no cover - guarded by the engine
        raise ValueError(
            f"dps (arbitrary precision) is available for the closed-form activations only; {self.activation.name!r} "
            "is evaluated by quadrature in float64"
        )


class GaussHermite:
    r"""The fixed-degree 2-D Gauss–Hermite rule (the previous default; kept as the benchmark baseline).

    u = √a (α z₁ + β z₂), v = √b (α z₁ − β z₂), α = √((1+ρ)/2), β = √((1−ρ)/2), z₁, z₂ on K probabilists'
    Gauss–Hermite nodes. Exact for polynomials of degree ≤ 2K − 1; slow (root-exponential) convergence for
    activations analytic only in a strip, and wrong for kinks and large variances (see the module docstring).

    Args:
        activation: The activation φ.
        degree: Nodes per dimension K.
    """

    def __init__(self, activation: Any, degree: int) -> None:
        self.activation = activation
        self.degree = int(degree)
        self.name = f"{activation.name} (Gauss–Hermite, K={self.degree})"
        self._nodes: dict[tuple, tuple[torch.Tensor, torch.Tensor]] = {}

    def _rule(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        key = (like.dtype, like.device)
        if key not in self._nodes:
            self._nodes[key] = gauss_hermite(self.degree, like.dtype, like.device)
        return self._nodes[key]

    def diag(self, q: torch.Tensor) -> torch.Tensor:
        z, w = self._rule(q)
        u = torch.sqrt(q)[:, None] * z[None, :]
        return (self.activation(u) ** 2) @ w

    def stats(self, q: torch.Tensor) -> dict[str, torch.Tensor]:
        """No statistics beyond √q and 1/√q."""
        return {}

    def block(self, rho: torch.Tensor, rs: dict[str, torch.Tensor], cs: dict[str, torch.Tensor],
              dot: torch.Tensor, work: list[torch.Tensor]) -> None:
        z, w = self._rule(rho)
        phi, dphi = self.activation, self.activation.grad
        sa, sb = rs["s"], cs["s"]
        al, be = work[0], work[1]
        torch.add(rho, 1.0, out=al).mul_(0.5).sqrt_()
        torch.neg(rho, out=be).add_(1.0).mul_(0.5).sqrt_()
        acc = torch.zeros_like(rho)
        dot.zero_()
        zz = z.view(1, 1, -1)
        for i in range(self.degree):
            base = (al * z[i]).unsqueeze(-1)
            spread = be.unsqueeze(-1) * zz
            u = sa.unsqueeze(-1) * (base + spread)
            v = sb.unsqueeze(-1) * (base - spread)
            acc.add_((phi(u) * phi(v)) @ w, alpha=float(w[i]))
            dot.add_((dphi(u) * dphi(v)) @ w, alpha=float(w[i]))
        rho.copy_(acc)

    def pair_mp(self, a, b, rho):  # pragma: no cover - guarded by the engine
        raise ValueError(f"dps is available for the closed-form activations only; {self.activation.name!r} uses "
                         "quadrature")
