"""Pruned layers: the expectation over a Bernoulli mask gives the factor (1−p) (THEORY.md §0.5, Yang & Wang 2023).

Claims proved:
  1. E[M] = E[M²] = q for M ~ Bernoulli(q): the masked layer's pre-activation covariance is q σ_w² E[g g'] and the
     weight term of the NTK (a sum over kept weights) picks up q; so does the back-propagated covariance.
  2. Convention A (c = σ_w/√(q n)) cancels it exactly: c² · q n = σ_w².
  3. Convention B (W/√q at init) keeps the forward covariance (E[(M W/√q)²] = 1) but the weight term of the NTK
     (a sum of q n gradients c² g g') is still multiplied by q.
  4. For positively homogeneous φ (ReLU, degree 1; its derivative, degree 0) and σ_b = 0, induction over layers
     gives Σ_p^{(l)} = q^l Σ^{(l)} and Θ_p^{(l)} = q^l Θ^{(l)}: the (1−p)^k identity.
"""

import sys
from pathlib import Path

import sympy as sp
from sympy.stats import Bernoulli, E, Normal

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _steps import step  # noqa: E402

from theorycheck.kernels import symbolic  # noqa: E402

q = sp.Symbol("q", positive=True)
sw2, n, lam = sp.symbols("sigma_w2 n lambda", positive=True)
a, b, c = symbolic.a, symbolic.b, symbolic.c


def main() -> None:
    print("pruned layers: mask expectations and the (1−p)^k identity")
    M = Bernoulli("M", q)
    W = Normal("W", 0, 1)
    step("E[M] = q", E(M), q)
    step("E[M²] = q", E(M**2), q)
    step("E[(M W)²] = q (mask ⟂ weight): per-weight variance of the masked layer", E(M**2) * E(W**2), q)
    # pre-activation covariance: Σ_j c² E[(M_j W_j)²] g_j g'_j with c² = σ_w²/n and (1/n)Σ g g' → E[φφ]
    gg = sp.Symbol("E_phiphi", positive=True)
    step("masked forward covariance = q σ_w² E[φφ] (no rescaling)", n * (sw2 / n) * E(M**2) * E(W**2) * gg,
         q * sw2 * gg)
    step("NTK weight term: Σ over kept weights of c² g g' = q σ_w² E[φφ]", n * E(M) * (sw2 / n) * gg, q * sw2 * gg)
    dd = sp.Symbol("E_dphidphi", positive=True)
    step("back-propagated covariance through the masked matrix = q σ_w² E[φ'φ']",
         n * (sw2 / n) * E(M**2) * E(W**2) * dd, q * sw2 * dd)
    # convention A
    cA2 = sw2 / (q * n)
    step("convention A: c² E[(MW)²] n = σ_w² (forward)", cA2 * E(M**2) * E(W**2) * n, sw2)
    step("convention A: weight term c² · q n = σ_w²", cA2 * E(M) * n, sw2)
    # convention B
    step("convention B: E[(M W/√q)²] = 1 (forward covariance dense)", E(M**2) * E(W**2) / q, 1)
    step("convention B: weight term keeps the factor q (q n kept weights, c² = σ_w²/n)", E(M) * n * sw2 / n * gg,
         q * sw2 * gg)
    # homogeneity of the ReLU expectations
    relu = symbolic.closed_form("relu")
    step("E[relu relu] is 1-homogeneous in the covariance: E(λa, λb, λc) = λ E(a, b, c)",
         relu["nngp"].subs({a: lam * a, b: lam * b, c: lam * c}, simultaneous=True), lam * relu["nngp"])
    step("E[step step] is 0-homogeneous: E(λa, λb, λc) = E(a, b, c)",
         relu["deriv"].subs({a: lam * a, b: lam * b, c: lam * c}, simultaneous=True), relu["deriv"])
    # induction (σ_b = 0): assume Σ_p = q^l Σ, Θ_p = q^l Θ; one more pruned ReLU layer
    l = sp.Symbol("l", integer=True, positive=True)
    S, T = sp.symbols("Sigma Theta", positive=True)
    E1 = relu["nngp"].subs({a: q**l * a, b: q**l * b, c: q**l * c}, simultaneous=True)
    Ed = relu["deriv"].subs({a: q**l * a, b: q**l * b, c: q**l * c}, simultaneous=True)
    sigma_next_p = q * sw2 * E1
    sigma_next = sw2 * relu["nngp"]
    step("induction: Σ_p^{(l+1)} = q^{l+1} Σ^{(l+1)}", sigma_next_p, q ** (l + 1) * sigma_next)
    theta_next_p = sigma_next_p + q**l * T * q * sw2 * Ed
    theta_next = sigma_next + T * sw2 * relu["deriv"]
    step("induction: Θ_p^{(l+1)} = q^{l+1} Θ^{(l+1)}", theta_next_p, q ** (l + 1) * theta_next)
    step("base case: Σ_p^{(1)} = q σ_w² x·x'/d = q Σ^{(1)}", q * sw2 * S, q * (sw2 * S))
    print("  ⇒ with k pruned matrices (readout included or not) Θ_p = q^k Θ for ReLU without bias")
    step("a dense readout on top (q = 1 there) keeps the factor q^L", q**l * T * 1, q**l * T)


if __name__ == "__main__":
    main()
