r"""Bivariate-normal orthant probability and the shifted-ReLU moment, accurate over the whole range (
docs/theory/bias.md#orthant-probability).

For (X, Y) standard bivariate normal with correlation ρ = cos θ and a threshold B ≥ 0:

.. math::

    P(B,\rho) = P(X \ge B, Y \ge B) = \Phi(-B) - 2\,T\bigl(B, \sqrt{(1-\rho)/(1+\rho)}\bigr)
              = \frac1\pi \int_0^{\psi_{\max}} \exp\Bigl(-\frac{B^2}{2\sin^2\psi}\Bigr)\,d\psi,
    \qquad \psi_{\max} = \frac{\pi - \theta}{2},

    N(B,\rho) = E[(X-B)_+ (Y-B)_+]
              = \frac1\pi \int_0^{\psi_{\max}} e^{-B^2/(2\sin^2\psi)}
                \Bigl[a(b-a) + a(a+b)\,g(B/a)\Bigr]\,d\psi,\quad a = \sin\psi,\ b = \sin(\psi+\theta),

with g(t) = 1 − t·R(t), R the Mills ratio Q(t)/φ(t). Both integrals come from writing (X, Y) = R(cos φ, cos(φ − θ))
with R Rayleigh and φ uniform (the polar decomposition of ``proofs/relu_arccos.py``; derived step by step in
``proofs/bias_orthant.py``). Unlike the Owen's-T form, whose two terms cancel in the tails (at ρ = 0 it computes
Q(B) − Q(B)(1 − Q(B)) = Q(B)²), the integrands are positive; and since 1/sin²ψ_max = 2/(1 + ρ) the factor
exp(−B²/(1+ρ)) comes out exactly, so the log is available when the value underflows float64 (B = 30, ρ = 0 gives
e^{−900}). The integrals are evaluated with a tanh-sinh rule in the shifted exponent; the rule is checked against a
50-digit mpmath evaluation of a different representation, ∫_B^∞ φ(z) Q((B − ρz)/√(1−ρ²)) dz.

At B = 0: P = (π − θ)/(2π) and N = (sin θ + (π − θ) cos θ)/(2π) (the arc-cosine kernels). At ρ = 1: P = Q(B),
N = (1 + B²) Q(B) − B φ(B). At ρ = −1 (B ≥ 0): both are 0.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
from scipy import special

__all__ = [
    "orthant_probability", "orthant_owens_t", "shifted_relu_moment", "orthant_probability_mp",
    "shifted_relu_moment_mp", "active_fraction", "active_fraction_bound",
]

# tanh-sinh nodes on (−1, 1): x = tanh(π/2 sinh t); kept as distances to both ends for accuracy at the ends.
_H = 1.0 / 48.0
_T = np.arange(-int(3.6 / _H), int(3.6 / _H) + 1) * _H
_U = 0.5 * np.pi * np.sinh(_T)
_W = _H * 0.5 * np.pi * np.cosh(_T) / np.cosh(_U) ** 2  # Σ _W ≈ 2 = ∫_{-1}^{1} dx
_ONE_MINUS_X = 2.0 / (1.0 + np.exp(2.0 * _U))  # 1 − x
_ONE_PLUS_X = 2.0 / (1.0 + np.exp(-2.0 * _U))  # 1 + x
_CHUNK = 1 << 12


def _as_arrays(B, rho):
    B = np.asarray(B, dtype=np.float64)
    rho = np.asarray(rho, dtype=np.float64)
    if np.any(~np.isfinite(B)):
        raise ValueError("B must be finite (got NaN or ±inf)")
    if np.any(B < 0):
        raise ValueError("B must be ≥ 0 (the large-bias regime of docs/theory/bias.md)")
    if np.any(~np.isfinite(rho)):
        raise ValueError("rho must be finite (got NaN or ±inf)")
    if np.any(np.abs(rho) > 1.0):
        worst = float(np.max(np.abs(rho)))
        raise ValueError(f"rho must be a correlation in [-1, 1], got |rho| = {worst!r}")
    B, rho = np.broadcast_arrays(B, rho)
    return B.astype(np.float64), rho.astype(np.float64)


def _check_bias(B) -> np.ndarray:
    B = np.asarray(B, dtype=np.float64)
    if np.any(~np.isfinite(B)):
        raise ValueError("B must be finite (got NaN or ±inf)")
    if np.any(B < 0):
        raise ValueError("B must be ≥ 0 (the large-bias regime of docs/theory/bias.md)")
    return B


#: Above this t, g(t) = 1 − t·R(t) is taken from the continued fraction: below it erfcx is accurate and 1 − t·R(t)
#: loses at most log10(t²) ≈ 2.6 digits to cancellation (g ~ 1/t²); above it the loss would grow without bound.
MILLS_CF_THRESHOLD = 20.0
#: Depth of the Mills-ratio continued fraction: at t > 20 it converges like (k/t²)^k, so 40 terms are far below u.
MILLS_CF_TERMS = 40
#: Above this B the moment's bracket (1 + B²)R(B) − B is rewritten as R(B) − B·g(B) (the two terms cancel).
MOMENT_CANCELLATION_B = 5.0


def _mills_g(t: np.ndarray) -> np.ndarray:
    """g(t) = 1 − t R(t) with R(t) = Q(t)/φ(t) the Mills ratio; continued fraction for t > :data:`MILLS_CF_THRESHOLD`
    (no cancellation)."""
    out = np.empty_like(t)
    small = t <= MILLS_CF_THRESHOLD
    ts = t[small]
    out[small] = 1.0 - ts * np.sqrt(np.pi / 2.0) * special.erfcx(ts / np.sqrt(2.0))
    tl = t[~small]
    if tl.size:
        d = tl.copy()  # D_k = t + (k+1)/D_{k+1}, from k = MILLS_CF_TERMS down to 2
        for k in range(MILLS_CF_TERMS, 1, -1):
            d = tl + k / d
        # 1 − t R(t) = 1 / (t·D_2 + 1), D_2 = t + 2/(t + 3/(t + …))
        out[~small] = 1.0 / (tl * d + 1.0)
    return out


def _craig(B: np.ndarray, rho: np.ndarray, moment: bool) -> tuple[np.ndarray, np.ndarray]:
    """(log of the integral's prefactor-free part, exponent −B²/(1+ρ)) for 0 < ψ_max, B > 0 (vectorised)."""
    theta = np.arccos(rho)
    psi_max = 0.5 * (np.pi - theta)
    pm = psi_max[:, None]
    delta = pm * 0.5 * _ONE_MINUS_X[None, :]  # ψ_max − ψ, accurate near the top
    psi = pm * 0.5 * _ONE_PLUS_X[None, :]  # accurate near 0
    s = np.sin(psi)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        # 1/sin²ψ − 1/sin²ψ_max = sin(δ) sin(2ψ_max − δ) / (sin²ψ sin²ψ_max)
        gap = np.sin(delta) * np.sin(2.0 * pm - delta) / (s * s * np.sin(pm) ** 2)
        f = np.exp(-0.5 * (B[:, None] ** 2) * gap)
        f = np.where(s > 0, f, 0.0)
        if moment:
            b_minus_a = 2.0 * np.sin(delta) * np.cos(pm)
            b_plus_a = 2.0 * s + b_minus_a
            t = np.where(s > 0, B[:, None] / np.where(s > 0, s, 1.0), np.inf)
            g = _mills_g(np.minimum(t, 1e300).ravel()).reshape(t.shape)
            f = f * (s * b_minus_a + s * b_plus_a * g)
    total = (f * _W[None, :]).sum(axis=1) * psi_max * 0.5 / np.pi
    with np.errstate(divide="ignore"):
        return np.log(total), -(B**2) / (1.0 + rho)


def _evaluate(B, rho, log: bool, moment: bool):
    B, rho = _as_arrays(B, rho)
    shape = B.shape
    B, rho = B.ravel(), rho.ravel()
    out = np.empty_like(B)
    theta = np.arccos(rho)
    zero_b = B == 0.0
    if moment:
        exact0 = (np.sqrt((1.0 - rho) * (1.0 + rho)) + (np.pi - theta) * rho) / (2.0 * np.pi)
    else:
        exact0 = (np.pi - theta) / (2.0 * np.pi)
    with np.errstate(divide="ignore"):
        out[zero_b] = np.log(exact0[zero_b]) if log else exact0[zero_b]
    one = (rho == 1.0) & ~zero_b
    if np.any(one):
        Bo = B[one]
        if moment:  # (1 + B²) Q(B) − B φ(B) = φ(B) [(1 + B²) R(B) − B], R the Mills ratio
            lp = -0.5 * Bo**2 - 0.5 * math.log(2 * math.pi)
            r = np.sqrt(np.pi / 2.0) * special.erfcx(Bo / np.sqrt(2.0))
            val = r * (1.0 + Bo**2) - Bo
            # for large B the two terms cancel; with B·R = 1 − g the bracket is R − B·g(B), free of cancellation
            val = np.where(Bo > MOMENT_CANCELLATION_B, r - Bo * _mills_g(Bo), val)
            v = lp + np.log(val)
        else:
            v = special.log_ndtr(-Bo)
        out[one] = v if log else np.exp(v)
    minus = (rho == -1.0) & ~zero_b
    out[minus] = -np.inf if log else 0.0
    rest = ~(zero_b | one | minus)
    idx = np.flatnonzero(rest)
    for k0 in range(0, idx.size, _CHUNK):
        sel = idx[k0:k0 + _CHUNK]
        lg, ex = _craig(B[sel], rho[sel], moment)
        v = lg + ex
        out[sel] = v if log else np.exp(v)
    return out.reshape(shape)


def orthant_probability(B, rho, *, log: bool = False) -> np.ndarray:
    """P(X ≥ B, Y ≥ B) for standard bivariate normal (X, Y) with correlation ``rho``, B ≥ 0 (broadcasting).

    Relative error ≤ 1e-10 for B ∈ [0, 30], ρ ∈ [−1, 1] (checked against 50-digit mpmath). ``log=True`` returns
    log P, finite where P underflows float64 (−inf only at ρ = −1, B > 0).
    """
    return _evaluate(B, rho, log, moment=False)


def shifted_relu_moment(B, rho, *, log: bool = False) -> np.ndarray:
    """E[relu(X − B) relu(Y − B)] for standard bivariate normal (X, Y) with correlation ``rho``, B ≥ 0."""
    return _evaluate(B, rho, log, moment=True)


def orthant_owens_t(B, rho) -> np.ndarray:
    """The Owen's-T closed form Φ(−B) − 2 T(B, √((1−ρ)/(1+ρ))) (docs/theory/bias.md#orthant-probability).

    Exact in exact arithmetic, but its two terms cancel when P ≪ Φ(−B) (tails, ρ ≤ 0): use
    :func:`orthant_probability` for relative accuracy. Kept as the reference closed form of the brief.
    """
    B, rho = _as_arrays(B, rho)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.sqrt((1.0 - rho) / (1.0 + rho))
        val = special.ndtr(-B) - 2.0 * special.owens_t(B, a)
    return np.where(rho <= -1.0, 0.0, val)  # ρ = −1, B ≥ 0: X ≥ B and −X ≥ B has probability 0


def active_fraction(B) -> np.ndarray:
    """1 − Φ(B): the probability that a unit with w ~ N(0, I), ‖x‖ = 1 is active (wᵀx ≥ B).

    Raises:
        ValueError: B negative, NaN or infinite (docs/theory/bias.md: B ≥ 0).
    """
    return special.ndtr(-_check_bias(B))


def active_fraction_bound(B) -> np.ndarray:
    """½ e^{−B²/2} ≥ 1 − Φ(B) for B ≥ 0 (the Gaussian tail bound of docs/theory/bias.md).

    Raises:
        ValueError: B negative, NaN or infinite (the bound holds for B ≥ 0 only).
    """
    B = _check_bias(B)
    return 0.5 * np.exp(-0.5 * B * B)


# ----------------------------------------------------------------------------------------- mpmath references
def _mp_reference(B, rho, dps: int, integrand) -> mpmath.mpf:
    """∫_B^∞ integrand(z) dz at ``dps`` digits, in the variable z = B + σu with σ = (1+ρ)/max(B, 1) (the decay
    scale of the integrand at z = B: d/dz log = −B/(1+ρ)), breakpoints around the step of Q at z = B/ρ, and the
    integrand divided by its value at u = 1 (mpmath's convergence test is absolute, so an integrand of size 1e-198
    would stop early). Returns the log of the integral."""
    with mpmath.workdps(dps + 20):
        B, rho = mpmath.mpf(B), mpmath.mpf(rho)
        s = mpmath.sqrt((1 - rho) * (1 + rho))
        sc = (1 + rho) / max(B, mpmath.mpf(1))
        pts = [0, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128]
        if rho > 0 and B / rho > B:
            c, w = (B / rho - B) / sc, s / rho / sc
            pts += [c + k * w for k in (-8, -2, -0.5, 0, 0.5, 2, 8) if 0 < c + k * w < 400]
        pts = sorted({mpmath.mpf(p) for p in pts}) + [mpmath.mpf(400)]

        def f(u):
            return integrand(B + sc * u, B, rho, s)

        f1 = f(mpmath.mpf(1))
        val = mpmath.quad(lambda u: f(u) / f1, pts)
        return mpmath.log(val) + mpmath.log(f1) + mpmath.log(sc)


def _log_npdf(z):
    return -z * z / 2 - mpmath.log(2 * mpmath.pi) / 2


def _log_q(x):
    return mpmath.log(mpmath.erfc(x / mpmath.sqrt(2)) / 2)


def orthant_probability_mp(B, rho, dps: int = 50, *, log: bool = False) -> mpmath.mpf:
    """Reference at ``dps`` digits from ∫_B^∞ φ(z) Q((B − ρz)/√(1−ρ²)) dz, a representation independent of the
    Craig form used by :func:`orthant_probability`. Exact forms at ρ = ±1."""
    with mpmath.workdps(dps + 20):
        B_, rho_ = mpmath.mpf(B), mpmath.mpf(rho)
        if rho_ >= 1:
            lv = _log_q(B_)
        elif rho_ <= -1:
            lv = -mpmath.inf  # P(X ≥ B, −X ≥ B) = 0 for B ≥ 0
        else:
            lv = _mp_reference(B_, rho_, dps, lambda z, B, r, s: mpmath.exp(_log_npdf(z) + _log_q((B - r * z) / s)))
        return +lv if log else +mpmath.exp(lv)


def shifted_relu_moment_mp(B, rho, dps: int = 50, *, log: bool = False) -> mpmath.mpf:
    """Reference at ``dps`` digits from ∫_B^∞ φ(z)(z − B) E[(Y − B)_+ | X = z] dz, Y | X = z ~ N(ρz, 1 − ρ²)."""
    with mpmath.workdps(dps + 20):
        B_, rho_ = mpmath.mpf(B), mpmath.mpf(rho)
        if rho_ >= 1:
            lv = mpmath.log((1 + B_ * B_) * mpmath.erfc(B_ / mpmath.sqrt(2)) / 2 - B_ * mpmath.exp(_log_npdf(B_)))
        elif rho_ <= -1:
            lv = -mpmath.inf
        else:
            def integrand(z, B, r, s):
                mu = r * z - B
                inner = mu * mpmath.erfc(-mu / s / mpmath.sqrt(2)) / 2 + s * mpmath.exp(_log_npdf(mu / s))
                return mpmath.exp(_log_npdf(z)) * (z - B) * inner

            lv = _mp_reference(B_, rho_, dps, integrand)
        return +lv if log else +mpmath.exp(lv)
