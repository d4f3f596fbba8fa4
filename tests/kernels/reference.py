"""An independent reference for the dense kernels, written without the closed forms' arc-cosine/arcsin algebra.

E[φ(u)φ(v)] = ∫ φ(u) E[φ(v) | u] N(u; 0, a) du, with v | u ~ N(μ, s²), μ = c u / a, s² = b − c²/a, where the
inner conditional expectations are the elementary Gaussian integrals
    E[relu(v)] = μ Φ(μ/s) + s φ(μ/s),   E[step(v)] = Φ(μ/s),
    E[erf(v)]  = erf(μ/√(1+2s²)),       E[erf'(v)] = (2/√π) e^{−μ²/(1+2s²)}/√(1+2s²),
and the outer integral is done by scipy's adaptive quadrature (QUADPACK) to ~1e-14. The layer recursion is a
plain per-entry Python loop. Slow: for a few points only.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate, special


def _inner(act: str, mu: float, s: float) -> tuple[float, float]:
    if act == "relu":
        if s == 0.0:
            return max(mu, 0.0), float(mu > 0)
        t = mu / s
        return mu * special.ndtr(t) + s * math.exp(-0.5 * t * t) / math.sqrt(2 * math.pi), special.ndtr(t)
    if act == "erf":
        den = 1.0 + 2.0 * s * s
        return special.erf(mu / math.sqrt(den)), 2.0 / math.sqrt(math.pi) * math.exp(-mu * mu / den) / math.sqrt(den)
    raise ValueError(act)


def _phi(act: str, u: float) -> tuple[float, float]:
    if act == "relu":
        return max(u, 0.0), float(u > 0)
    return special.erf(u), 2.0 / math.sqrt(math.pi) * math.exp(-u * u)


def expectations(act: str, a: float, b: float, c: float) -> tuple[float, float]:
    """(E[φ(u)φ(v)], E[φ'(u)φ'(v)]) by conditioning on u and adaptive 1-D quadrature."""
    if act == "identity":
        return c, 1.0
    sa = math.sqrt(a)
    s2 = max(b - c * c / a, 0.0)
    s = math.sqrt(s2)

    def integrand(z: float, which: int) -> float:
        u = sa * z
        f, df = _phi(act, u)
        g, dg = _inner(act, c * u / a, s)
        w = math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
        return (f * g if which == 0 else df * dg) * w

    opts = dict(epsabs=1e-15, epsrel=1e-14, limit=400)
    lo = 0.0 if act == "relu" else -np.inf  # relu(u) and step(u) vanish for u < 0
    e0 = integrate.quad(integrand, lo, np.inf, args=(0,), **opts)[0]
    e1 = integrate.quad(integrand, lo, np.inf, args=(1,), **opts)[0]
    return e0, e1


def mlp_kernels_reference(act: str, x1: np.ndarray, x2: np.ndarray, depth: int, sw: float, sb: float):
    """NNGP and NTK by the plain §0.2 recursion with the quadrature expectations above."""
    w2, b2, d = sw * sw, sb * sb, x1.shape[1]
    nngp = np.zeros((len(x1), len(x2)))
    ntk = np.zeros_like(nngp)
    for i, xa in enumerate(x1):
        for j, xb in enumerate(x2):
            qa, qb, c = w2 * xa @ xa / d + b2, w2 * xb @ xb / d + b2, w2 * xa @ xb / d + b2
            t = c
            for _ in range(depth):
                e, ed = expectations(act, qa, qb, c)
                c, t = w2 * e + b2, w2 * e + b2 + t * w2 * ed
                qa = w2 * expectations(act, qa, qa, qa)[0] + b2
                qb = w2 * expectations(act, qb, qb, qb)[0] + b2
            nngp[i, j], ntk[i, j] = c, t
    return nngp, ntk
