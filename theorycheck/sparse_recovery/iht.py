r"""Iterative hard thresholding on the activation-pattern operator, with memory linear in the number of nonzeros.

Three variants (``variant=``):

* ``"iht"`` — plain IHT, w ← H_s(w + μ Aᵀ(y − A w)) with the fixed step μ = 1/‖A‖₂² (Blumensath & Davies 2009);
* ``"aiht"`` — accelerated IHT as in the authors' code (Blumensath 2012): the normalised step
  μ = ‖g_S‖²/‖A_S g_S‖² on the current support S with the NIHT backtracking safeguard, then ``refine_steps``
  conjugate-gradient (CGLS) steps of least squares restricted to the new support (the authors use Armijo gradient
  steps there; CG reaches the restricted least-squares solution in ≤ s steps);
* ``"sequential"`` — AIHT that every ``refresh`` iterations re-estimates the activation patterns from the current
  weights, h_j ← w_j for every block with nonzeros (the authors' non-convex default; exact for positive output
  weights, as in the planted task).

H_s keeps the s entries of largest magnitude. The iterate is stored as (indices, values) of length s and Aᵀr is
streamed ``op.chunk`` blocks at a time into a running top-s, so the solver's own arrays are O(n·s + (n + d)·chunk)
numbers — never O(d·p). Fridovich-Keil & Pilanci, arXiv 2509.20323 (§3, Algorithm 1);
docs ``docs/theory/iht_recovery.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validation import check_int, check_real
from .operator import ActivationPatternOperator

__all__ = ["IHTResult", "hard_threshold", "iht", "VARIANTS"]

VARIANTS = ("iht", "aiht", "sequential")


def hard_threshold(w: np.ndarray, s: int) -> np.ndarray:
    """H_s(w): keep the s entries of largest magnitude (ties: the lower index wins), zero the rest.

    Raises:
        ValueError: if s is not in [0, len(w)].
    """
    w = np.asarray(w, dtype=np.float64).reshape(-1)
    s = check_int("s", s, minimum=0, maximum=w.size)
    out = np.zeros_like(w)
    if s:
        keep = np.argsort(-np.abs(w), kind="stable")[:s]
        out[keep] = w[keep]
    return out


def _top_s(idx: np.ndarray, val: np.ndarray, s: int) -> tuple[np.ndarray, np.ndarray]:
    if idx.size <= s:
        return idx, val
    order = np.lexsort((idx, -np.abs(val)))[:s]  # by magnitude, ties to the lower index (as hard_threshold)
    return idx[order], val[order]


@dataclass
class IHTResult:
    """The solver's output: the s-sparse iterate as sorted flat ``indices`` and ``values``, and its history.

    Attributes:
        indices, values: the final iterate's support (length s) and values.
        size: d·p, the length of the dense vector.
        n_iter: iterations run.
        converged: whether the relative residual reached ``tol``.
        residuals: ‖y − A w_t‖/‖y‖ after each iteration.
        support_sizes: number of stored entries of each iterate (always s).
        nonzeros: number of nonzero values of each iterate.
        generators: the sequential variant's final ``{block: h_j}`` (empty otherwise).
    """

    indices: np.ndarray
    values: np.ndarray
    size: int
    n_iter: int
    converged: bool
    residuals: list[float] = field(default_factory=list)
    support_sizes: list[int] = field(default_factory=list)
    nonzeros: list[int] = field(default_factory=list)
    generators: dict = field(default_factory=dict)

    def dense(self) -> np.ndarray:
        """The iterate as a dense vector of length d·p."""
        w = np.zeros(self.size)
        w[self.indices] = self.values
        return w


def _stream_step(op: ActivationPatternOperator, idx: np.ndarray, val: np.ndarray, r: np.ndarray, mu: float,
                 s: int) -> tuple[np.ndarray, np.ndarray]:
    """H_s(w + μ Aᵀ r), streamed over chunks of blocks into a running top-s."""
    d = op.d
    best_i, best_v = np.empty(0, dtype=np.int64), np.empty(0)
    for blocks, g in op.rmatvec_chunks(r):
        lo, hi = int(blocks[0]) * d, (int(blocks[-1]) + 1) * d
        cand = mu * g.T.ravel()  # flat order j·d + k within the chunk
        inside = (idx >= lo) & (idx < hi)
        cand[idx[inside] - lo] += val[inside]
        best_i, best_v = _top_s(np.concatenate([best_i, np.arange(lo, hi)]), np.concatenate([best_v, cand]), s)
    order = np.argsort(best_i)
    return best_i[order], best_v[order]


def _sparse_difference(i1: np.ndarray, v1: np.ndarray, i0: np.ndarray, v0: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """(indices, values) of w1 − w0 for sparse w1, w0 given by sorted indices (O(s) memory)."""
    idx = np.union1d(i1, i0)
    out = np.zeros(idx.size)
    out[np.searchsorted(idx, i1)] += v1
    out[np.searchsorted(idx, i0)] -= v0
    return idx, out


def _cgls(a: np.ndarray, y: np.ndarray, x0: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` CGLS iterations for min ‖a x − y‖² from x0."""
    x = x0.copy()
    r = y - a @ x
    g = a.T @ r
    p = g.copy()
    gg = float(g @ g)
    for _ in range(steps):
        if gg <= 1e-300:
            break
        q = a @ p
        qq = float(q @ q)
        if qq <= 0.0:
            break
        alpha = gg / qq
        x += alpha * p
        r -= alpha * q
        g = a.T @ r
        gg_new = float(g @ g)
        p = g + (gg_new / gg) * p
        gg = gg_new
    return x


def iht(op: ActivationPatternOperator, y: np.ndarray, s: int, *, variant: str = "aiht", max_iter: int = 300,
        tol: float = 1e-13, refine_steps: int = 10, refresh: int = 1, step: float | None = None,
        stall: int = 40) -> IHTResult:
    """Recover an s-sparse w with y ≈ A w by (accelerated / sequential) iterative hard thresholding.

    Args:
        op: the activation-pattern operator A (the sequential variant works on a copy; ``op`` is not changed).
        y: labels, length n.
        s: sparsity, in [1, d·p].
        variant: ``"iht"``, ``"aiht"`` or ``"sequential"`` (see the module docstring).
        max_iter: maximum iterations (≥ 1).
        tol: stop when ‖y − A w‖/‖y‖ ≤ tol.
        refine_steps: CGLS steps on the support per iteration (``"aiht"``, ``"sequential"``).
        refresh: the sequential variant re-estimates the patterns every ``refresh`` iterations.
        step: the fixed step of ``"iht"`` (default 1/‖A‖₂², ‖A‖₂ by 100 power iterations).
        stall: stop early when the best residual has not fallen by 1 % over the last ``stall`` iterations
            (0: never); a stalled run is reported as not converged.

    Returns:
        :class:`IHTResult`; every iterate has exactly s stored entries.

    Raises:
        ValueError: if s exceeds d·p (or is < 1), ``variant`` is unknown, y has the wrong length or is not finite.
        TypeError: if ``op`` is not an :class:`ActivationPatternOperator`.
    """
    if not isinstance(op, ActivationPatternOperator):
        raise TypeError(f"op must be an ActivationPatternOperator, got {type(op).__name__}")
    if not isinstance(variant, str) or variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    size = op.d * op.p
    s = check_int("s", s, minimum=1, maximum=size)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    refine_steps = check_int("refine_steps", refine_steps, minimum=0)
    refresh = check_int("refresh", refresh, minimum=1)
    stall = check_int("stall", stall, minimum=0)
    check_real("tol", tol, minimum=0.0)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if y.shape != (op.n,) or not np.isfinite(y).all():
        raise ValueError(f"y must be a finite vector of length n = {op.n}")
    if variant == "sequential":
        op = ActivationPatternOperator(op.x, op.p, seed=op.seed, overrides=op.overrides, chunk=op.chunk)
    if variant == "iht":
        mu_fixed = 1.0 / (1.01 * op.norm_estimate(100) ** 2) if step is None else check_real(
            "step", step, minimum=0.0, min_inclusive=False)
    ynorm = float(np.linalg.norm(y)) or 1.0

    # w_0 = 0 on the support of H_s(Aᵀ y) (the NIHT start: the first normalised step is then well defined)
    idx, _ = _stream_step(op, np.empty(0, dtype=np.int64), np.empty(0), y, 1.0, s)
    val = np.zeros(s)
    a_s = op.columns(idx)
    r = y.copy()
    res = IHTResult(indices=idx, values=val, size=size, n_iter=0, converged=False)
    for it in range(1, max_iter + 1):
        if variant == "iht":
            idx, val = _stream_step(op, idx, val, r, mu_fixed, s)
            a_s = op.columns(idx)
        else:
            g_s = a_s.T @ r
            ag = a_s @ g_s
            mu = float(g_s @ g_s) / max(float(ag @ ag), 1e-300)
            for _ in range(20):  # NIHT safeguard (κ = 2, c = 0.01) when the support changes
                new_i, new_v = _stream_step(op, idx, val, r, mu, s)
                if np.array_equal(new_i, idx):
                    break
                nz, diff = _sparse_difference(new_i, new_v, idx, val)
                adiff = op.columns(nz) @ diff
                if mu <= 0.99 * float(diff @ diff) / max(float(adiff @ adiff), 1e-300):
                    break
                mu /= 2 * 0.99
            idx, val = new_i, new_v
            a_s = op.columns(idx)
            if refine_steps:
                val = _cgls(a_s, y, val, refine_steps)
        r = y - a_s @ val
        rel = float(np.linalg.norm(r)) / ynorm
        res.residuals.append(rel)
        res.support_sizes.append(int(idx.size))
        res.nonzeros.append(int(np.count_nonzero(val)))
        res.n_iter = it
        if variant == "sequential" and it % refresh == 0:
            for b in np.unique(idx // op.d):
                wb = np.zeros(op.d)
                sel = idx // op.d == b
                wb[idx[sel] % op.d] = val[sel]
                if np.any(wb):
                    op.set_generator(int(b), wb)
            a_s = op.columns(idx)
            r = y - a_s @ val
        if rel <= tol:
            res.converged = True
            break
        if stall and it > stall and min(res.residuals[-stall:]) > 0.99 * min(res.residuals[:-stall]):
            break
    res.indices, res.values = idx, val
    if variant == "sequential":
        res.generators = {j: h.copy() for j, h in op.overrides.items()}
    return res
