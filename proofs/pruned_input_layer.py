"""A pruned input layer at fixed d: which terms carry the mask row, and why the averaged covariance is not exact
(docs/theory/pruned.md, issue 16).

Claims proved:
  1. Given its mask row m, unit i of layer 1 has Var(h | m) = c² v Σ_j m_j x_j² + σ_b² and
     Cov(h, h' | m) = c² v Σ_j m_j x_j x'_j + σ_b² (M² = M; v the variance of the stored weights): a = c² v.
  2. Its own tangent kernel (weights and bias) is T_m = c² Σ_j m_j x_j x'_j + σ_b²: the gradient is taken w.r.t.
     the stored weight, so v does not enter: b = c².
  3. The three conventions give (a, b) = (σ_w²/d, σ_w²/d), (σ_w²/(qd), σ_w²/(qd)), (σ_w²/(qd), σ_w²/d), and
     averaging over m gives the d → ∞ factors (α₁, β₁) = (q, q), (1, 1), (1, q) of the recursion.
  4. For φ = identity the mixture equals the averaged recursion exactly (E[uv | m] is linear in m); for erf the
     mixture over a single input (d = 1) differs from erf's expectation at the averaged covariance (Jensen), and
     E_m[T_m Ė_m] ≠ E_m[T_m] E_m[Ė_m].
"""

import sys
from pathlib import Path

import sympy as sp
from sympy.stats import Bernoulli, E, Normal

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _steps import step  # noqa: E402

q, sw2, d, v, sb2 = sp.symbols("q sigma_w2 d v sigma_b2", positive=True)
x1, x2, y1, y2 = sp.symbols("x1 x2 y1 y2", real=True)


def main() -> None:
    print("pruned input layer at fixed d: mask-row mixture")
    M1, M2 = Bernoulli("M1", q), Bernoulli("M2", q)
    W1, W2 = Normal("W1", 0, sp.sqrt(v)), Normal("W2", 0, sp.sqrt(v))
    m1, m2 = sp.symbols("m1 m2", nonnegative=True)
    c2 = sp.Symbol("c2", positive=True)
    # 1. conditional covariance given the mask row (m1, m2) ∈ {0,1}², two inputs x, y, two coordinates
    h_x = sp.sqrt(c2) * (m1 * W1 * x1 + m2 * W2 * x2)
    h_y = sp.sqrt(c2) * (m1 * W1 * y1 + m2 * W2 * y2)
    cov = sp.expand(E(h_x * h_y))
    for mv in ((0, 0), (0, 1), (1, 0), (1, 1)):
        sub = {m1: mv[0], m2: mv[1]}
        step(f"Cov(h(x), h(y) | m = {mv}) = c² v Σ_j m_j x_j y_j", cov.subs(sub),
             (c2 * v * (m1 * x1 * y1 + m2 * x2 * y2)).subs(sub))
    # 2. the layer's own tangent kernel: ∂h/∂W_j = c m_j x_j, summed over j (M² = M), no v
    grad_x = [sp.diff(sp.sqrt(c2) * (m1 * sp.Symbol("w1") * x1 + m2 * sp.Symbol("w2") * x2), w)
              for w in sp.symbols("w1 w2")]
    grad_y = [sp.diff(sp.sqrt(c2) * (m1 * sp.Symbol("w1") * y1 + m2 * sp.Symbol("w2") * y2), w)
              for w in sp.symbols("w1 w2")]
    tk = sum(a * b for a, b in zip(grad_x, grad_y))
    for mv in ((0, 1), (1, 1)):
        sub = {m1: mv[0], m2: mv[1]}
        step(f"weight tangent kernel given m = {mv}: c² Σ_j m_j x_j y_j (v absent)", tk.subs(sub),
             (c2 * (m1 * x1 * y1 + m2 * x2 * y2)).subs(sub))
    # 3. conventions: (c², v) → (a, b) = (c² v, c²); averaging over m multiplies by E[M] = q
    conv = {"False": (sw2 / d, 1), "True (A)": (sw2 / (q * d), 1), "'weights' (B)": (sw2 / d, 1 / q)}
    expect_ab = {"False": (sw2 / d, sw2 / d), "True (A)": (sw2 / (q * d), sw2 / (q * d)),
                 "'weights' (B)": (sw2 / (q * d), sw2 / d)}
    expect_factors = {"False": (q, q), "True (A)": (1, 1), "'weights' (B)": (1, q)}
    for name, (cc, vv) in conv.items():
        a, b = cc * vv, cc
        step(f"rescale={name}: a = c² v", a, expect_ab[name][0])
        step(f"rescale={name}: b = c²", b, expect_ab[name][1])
        step(f"rescale={name}: E_m[a S_m] = α₁ σ_w²/d · x·x' with α₁ = {expect_factors[name][0]}",
             E(M1) * a * d / sw2, expect_factors[name][0])
        step(f"rescale={name}: E_m[b S_m] = β₁ σ_w²/d · x·x' with β₁ = {expect_factors[name][1]}",
             E(M1) * b * d / sw2, expect_factors[name][1])
    # 4. identity: E[uv | m] = Λ_m(x, y) is linear in m, so the mixture is the averaged covariance
    lam = c2 * v * (M1 * x1 * y1 + M2 * x2 * y2) + sb2
    step("identity φ: E_m[Λ_m] = Λ at the averaged covariance", sp.expand(E(lam)),
         c2 * v * q * (x1 * y1 + x2 * y2) + sb2)
    # erf at d = 1, σ_b = 0: E[erf erf] = (2/π) asin(2Λ/(1+2Λ)) at x = y; the mixture q·f(a) + (1−q)·f(0) vs f(q a)
    A = sp.Symbol("A", positive=True)
    f = 2 / sp.pi * sp.asin(2 * A / (1 + 2 * A))
    gap = q * f + (1 - q) * f.subs(A, 0) - f.subs(A, q * A)
    jensen = float(gap.subs({q: sp.Rational(1, 10), A: 2}))
    assert abs(jensen) > 0.1, jensen
    print(f"  ✓ erf, d = 1, q = 0.1, Λ₁ = 2: mixture − averaged = {jensen:.4f} ≠ 0 (Jensen)")
    # NTK term: E_m[T_m Ė_m] ≠ E[T_m] E[Ė_m] (erf, d = 1, x = y, σ_b = 0: T = b m x², Ė = (4/π)/√(1+4 a m x²))
    T1, Ed1, Ed0 = A, 4 / sp.pi / sp.sqrt(1 + 4 * A), 4 / sp.pi
    mixed = q * T1 * Ed1  # m = 0 has T = 0
    product = q * T1 * (q * Ed1 + (1 - q) * Ed0)
    diff = float((mixed - product).subs({q: sp.Rational(1, 2), A: 1}))
    assert abs(diff) > 0.1, diff
    print(f"  ✓ erf NTK term, d = 1, q = 0.5, T₁ = Λ₁ = 1: E_m[T Ė] − E[T] E[Ė] = {diff:.4f} ≠ 0")
    print("  ⇒ the exact limit averages E[φφ | m] and T_m E[φ'φ' | m] over rows; averaging Λ_m first is exact only "
          "for linear φ")


if __name__ == "__main__":
    main()
