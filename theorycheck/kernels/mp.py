"""The recursion of :mod:`theorycheck.kernels.recursion` in arbitrary precision with mpmath (docs/theory/dense.md).

Meant for small inputs (tens of points): every entry is an ``mpmath.mpf`` at ``dps`` significant digits. Float
inputs are converted exactly (every float64 is an mpf), so the only difference from the float64 path is round-off.
Available for the closed-form activations (relu, leaky_relu, abs, erf, identity).
"""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
import torch

from .kernel import MPKernel
from .schedule import layer_sigma_w

__all__ = ["mlp_kernels_mp", "as_mp_rows"]


def mp_scales(sigma_w: Any, depth: int) -> list:
    """One scale per weight matrix: a float/str/mpf broadcast, or a sequence of ``depth + 1`` (validated as
    :func:`~.schedule.layer_sigma_w` when they are floats; strings and mpf are taken as given)."""
    if isinstance(sigma_w, (str, mpmath.mpf)):
        return [sigma_w] * (depth + 1)
    if isinstance(sigma_w, (list, tuple)) and any(isinstance(s, (str, mpmath.mpf)) for s in sigma_w):
        if len(sigma_w) != depth + 1:
            raise ValueError(f"sigma_w must have depth + 1 = {depth + 1} entries, got {len(sigma_w)}")
        return list(sigma_w)
    return list(layer_sigma_w(sigma_w, depth))


def as_mp_rows(name: str, x: Any) -> list[list[mpmath.mpf]]:
    """Convert inputs (tensor, array or nested lists of numbers/mpf/strings) to rows of mpf, exactly."""
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    if isinstance(x, np.ndarray):
        if x.ndim != 2:
            raise ValueError(f"{name} must be 2-D [n_samples, n_features], got shape {x.shape}")
        rows = [[mpmath.mpf(float(v)) for v in row] for row in x]
    elif isinstance(x, (list, tuple)):
        rows = [[mpmath.mpf(v) for v in row] for row in x]
    else:
        raise TypeError(f"{name} must be a tensor, an array or a nested list, got {type(x).__name__}")
    if not rows or not rows[0]:
        raise ValueError(f"{name} must be non-empty")
    width = len(rows[0])
    if any(len(r) != width for r in rows):
        raise ValueError(f"{name} must be a rectangular 2-D array (got ragged rows)")
    if any(not mpmath.isfinite(v) for r in rows for v in r):
        raise ValueError(f"{name} must be finite: it contains NaN or ±inf")
    return rows


def mlp_kernels_mp(
    x1: list[list[mpmath.mpf]],
    x2: list[list[mpmath.mpf]] | None,
    *,
    depth: int,
    sigma_w: Any,
    sigma_b: float,
    expect,
    dps: int,
    factors: list[tuple[float, float, float]] | None = None,
    start=None,
) -> MPKernel:
    """NNGP and NTK at ``dps`` digits. ``sigma_w``/``sigma_b`` may be floats (converted exactly) or strings;
    ``sigma_w`` may also be a sequence of ``depth + 1`` such scales, one per weight matrix (input layer first,
    readout last; docs/theory/depth_init.md). ``factors`` are the per-matrix (α, β, γ) of
    :func:`theorycheck.kernels.recursion.mlp_kernels`.

    ``start`` (hook of :mod:`theorycheck.kernels.input_layer_mp`): a callable ``start(i, j) → (Σ^{(2)}, Θ^{(2)})``
    and the lists of variances Σ^{(2)}(x, x) of x1 and x2, as a tuple; it replaces the first step (depth ≥ 1)."""
    from .recursion import check_factors

    factors = check_factors(factors, depth)
    first = 0 if start is None else 1  # --- input-layer hook: start after hidden layer 1 ---
    with mpmath.workdps(dps):
        fac = [tuple(mpmath.mpf(v) for v in f) for f in factors]
        sym = x2 is None
        xb = x1 if sym else x2
        if len(xb[0]) != len(x1[0]):
            raise ValueError(f"x2 must have {len(x1[0])} features to match x1, got {len(xb[0])}")
        d = len(x1[0])
        w2s = [mpmath.mpf(s) ** 2 for s in mp_scales(sigma_w, depth)]
        b2 = mpmath.mpf(sigma_b) ** 2

        def dot(u, v):
            return mpmath.fsum(a * b for a, b in zip(u, v))

        def gram(u, v):
            return w2s[0] * dot(u, v) / d

        # diagonals per layer
        def variances(rows):
            q = [fac[0][0] * gram(r, r) + b2 for r in rows]
            out = [q]
            for layer in range(1, depth):
                q = [fac[layer][0] * w2s[layer] * expect.pair_mp(v, v, mpmath.mpf(1))[0] + b2 for v in q]
                out.append(q)
            return out

        def variances_from(q):  # layers 2..depth from the hook's Σ^{(2)}(x, x)
            out = [list(q)]
            for layer in range(2, depth):
                q = [fac[layer][0] * w2s[layer] * expect.pair_mp(v, v, mpmath.mpf(1))[0] + b2 for v in q]
                out.append(q)
            return [None] + out

        if start is None:
            qa = variances(x1)
            qb = qa if sym else variances(xb)
        else:
            qa = variances_from(start[1])
            qb = qa if sym else variances_from(start[2])
        n1, n2 = len(x1), len(xb)
        nngp = mpmath.matrix(n1, n2)
        ntk = mpmath.matrix(n1, n2)
        for i in range(n1):
            for j in range(i if sym else 0, n2):
                if start is None:
                    g = gram(x1[i], xb[j])
                    c, t = fac[0][0] * g + b2, fac[0][1] * g + b2
                else:
                    c, t = start[0](i, j)
                for layer in range(first, depth):
                    a, b = qa[layer][i], qb[layer][j]
                    if sym and i == j:
                        rho = mpmath.mpf(1)
                        e, ed = expect.pair_mp(a, b, rho)
                    elif layer == 0:
                        e, ed = _first_layer_pair(x1[i], xb[j], fac[0][0] * w2s[0] / d, b2, expect)
                    else:
                        s = mpmath.sqrt(a) * mpmath.sqrt(b)
                        rho = mpmath.mpf(0) if s == 0 else c / s
                        e, ed = expect.pair_mp(a, b, rho)
                    al, be, ga = fac[layer + 1]
                    w2 = w2s[layer + 1]
                    c = al * w2 * e + b2
                    t = be * w2 * e + b2 + t * ga * w2 * ed
                nngp[i, j], ntk[i, j] = c, t
                if sym:
                    nngp[j, i], ntk[j, i] = c, t
        return MPKernel(nngp=nngp, ntk=ntk, dps=dps)


def _first_layer_pair(u, v, a_w, b2, expect):
    """The expectations of hidden layer 1 with log10(ab/(ab − c²)) extra digits: ab − c² =
    A²Σ_{j<k}(u_j v_k − u_k v_j)² + A b² Σ(u_j − v_j)² is exact, so 1 − ρ² keeps the working digits for nearly
    colinear inputs at any scale (erf's Ė ∝ 1/√(1 − ρ² + O(1/q)) needs them; exactly colinear inputs: ρ = ±1)."""
    d = len(u)
    lag = mpmath.fsum((u[p] * v[q] - u[q] * v[p]) ** 2 for p in range(d) for q in range(p + 1, d))
    gram = a_w * a_w * lag + a_w * b2 * mpmath.fsum((p - q) ** 2 for p, q in zip(u, v))
    a = a_w * mpmath.fsum(p * p for p in u) + b2
    b = a_w * mpmath.fsum(q * q for q in v) + b2
    extra = 0 if gram == 0 or a * b == 0 else max(0, int(mpmath.log10(a * b / gram)) + 5)
    with mpmath.workdps(mpmath.mp.dps + extra):
        a = a_w * mpmath.fsum(p * p for p in u) + b2
        b = a_w * mpmath.fsum(q * q for q in v) + b2
        c = a_w * mpmath.fsum(p * q for p, q in zip(u, v)) + b2
        den = mpmath.sqrt(a * b)
        rho = mpmath.mpf(0) if den == 0 else (c / den if gram != 0 else mpmath.sign(c))
        e, ed = expect.pair_mp(a, b, rho)
    return +e, +ed
