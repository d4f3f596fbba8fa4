"""Bias-generalized NTK (THEORY.md §0.4, §2; Yang et al. 2023): the orthant probability in a positive-integrand
(Craig-type) form, the shifted-ReLU moment, the Gaussian tail bound behind ½e^{−B²/2}, and H_B as the expectation of
the gradient inner product.

With (X, Y) = R (cos φ, cos(φ − θ)), R Rayleigh (P(R > t) = e^{−t²/2}) and φ uniform on [0, 2π) independent
(the polar decomposition of proofs/relu_arccos.py), ρ = cos θ:
    P(X ≥ B, Y ≥ B) = (1/π) ∫_0^{(π−θ)/2} exp(−B²/(2 sin²ψ)) dψ
    E[(X−B)_+(Y−B)_+] = (1/π) ∫_0^{(π−θ)/2} e^{−B²/(2 sin²ψ)} [a(b−a) + a(a+b) g(B/a)] dψ,  a = sin ψ, b = sin(ψ+θ)
with g(t) = 1 − t R(t), R the Mills ratio.
"""

import sys
from pathlib import Path

import mpmath
import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _steps import numeric_step, step  # noqa: E402

from theorycheck.kernels.orthant import orthant_probability_mp  # noqa: E402

r, t, B, a, b = sp.symbols("r t B a b", positive=True)
psi, theta, phi = sp.symbols("psi theta phi", real=True)
rho = sp.Symbol("rho", real=True)


def main() -> None:
    print("bias-generalized NTK: orthant probability, shifted-ReLU moment, tail bound")
    step("Rayleigh tail: ∫_t^∞ r e^{−r²/2} dr = e^{−t²/2}", sp.integrate(r * sp.exp(-r**2 / 2), (r, t, sp.oo)),
         sp.exp(-t**2 / 2))
    # {X ≥ B, Y ≥ B} = {cos φ > 0, cos(φ−θ) > 0, R ≥ B / min(cos φ, cos(φ−θ))}; the map φ ↦ θ − φ swaps the two
    # cosines, so the integral over (θ−π/2, π/2) is twice that over (θ/2, π/2) where min = cos φ; then ψ = π/2 − φ.
    step("φ ↦ θ − φ swaps cos φ and cos(φ − θ)", sp.cos((theta - phi) - theta), sp.cos(phi))
    step("ψ = π/2 − φ turns cos φ into sin ψ", sp.cos(sp.pi / 2 - psi), sp.sin(psi))
    step("upper limit: π/2 − θ/2 = (π − θ)/2", sp.pi / 2 - theta / 2, (sp.pi - theta) / 2)
    psi_max = (sp.pi - sp.acos(rho)) / 2
    numeric_step("1/sin²ψ_max = 2/(1+ρ) (so exp(−B²/(1+ρ)) factors out exactly)",
                 1 / sp.sin(psi_max) ** 2 - 2 / (1 + rho), [{rho: v} for v in (-0.9, -0.2, 0.0, 0.5, 0.99)])
    step("B = 0: P = ψ_max/π = (π − θ)/(2π)", sp.integrate(1, (psi, 0, (sp.pi - theta) / 2)) / sp.pi,
         (sp.pi - theta) / (2 * sp.pi))

    # the Craig form against an independent representation, ∫_B^∞ φ(z) Q((B − ρz)/√(1−ρ²)) dz, at 30 digits
    def craig(Bv, rv):
        th = mpmath.acos(rv)
        integrand = lambda p: mpmath.exp(-Bv**2 / (2 * mpmath.sin(p) ** 2))  # noqa: E731
        return mpmath.quad(integrand, [0, (mpmath.pi - th) / 2]) / mpmath.pi

    def direct(Bv, rv):  # the library's converged 50-digit reference of the z-integral (normalised, breakpoints)
        return orthant_probability_mp(Bv, rv, 40)

    with mpmath.workdps(30):
        worst = max(abs(craig(Bv, rv) / direct(Bv, rv) - 1) for Bv in (0.5, 1, 2, 3) for rv in (-0.6, 0, 0.4, 0.8))
    assert worst < 1e-20, worst
    print(f"  ✓ Craig form = ∫_B^∞ φ(z) Q((B−ρz)/√(1−ρ²)) dz at 16 (B, ρ), max rel. diff {float(worst):.1e}")
    with mpmath.workdps(30):
        q3 = mpmath.quad(lambda p: mpmath.exp(-9 / (2 * mpmath.sin(p) ** 2)), [0, mpmath.pi / 2]) / mpmath.pi
        assert abs(q3 / mpmath.ncdf(-3) - 1) < 1e-25
    print("  ✓ ρ = 1 gives Craig's formula Q(B) = (1/π)∫_0^{π/2} e^{−B²/(2 sin²ψ)} dψ (B = 3, 30 digits)")

    # the moment: inner radial integral with t = B/a (a = min of the two cosines)
    inner = sp.integrate((r * a - B) * (r * b - B) * r * sp.exp(-r**2 / 2), (r, B / a, sp.oo))
    Q = sp.erfc(t / sp.sqrt(2)) / 2
    closed = 2 * a * b * sp.exp(-(B / a) ** 2 / 2) - B * (a + b) * sp.sqrt(2 * sp.pi) * Q.subs(t, B / a)
    step("∫_{B/a}^∞ (ra − B)(rb − B) r e^{−r²/2} dr = 2ab e^{−t²/2} − B(a+b)√(2π) Q(t), t = B/a",
         inner.rewrite(sp.erf), closed.rewrite(sp.erf))
    Rm = sp.Symbol("R", positive=True)  # Mills ratio value at t: √(2π)Q(t) = R e^{−t²/2}, and B = a t
    bracket = 2 * a * b - (a + b) * a * t * Rm
    g = 1 - t * Rm
    step("bracket: 2ab − (a+b)·a·t·R(t) = a(b−a) + a(a+b)·g(t)", bracket, a * (b - a) + a * (a + b) * g)
    step("B = 0 (g = 1): bracket = 2ab", (a * (b - a) + a * (a + b) * g).subs(Rm, 0), 2 * a * b)
    step("∫_0^{(π−θ)/2} 2 sin ψ sin(ψ+θ) dψ / π = (sin θ + (π−θ) cos θ)/(2π) (arc-cosine at B = 0)",
         sp.integrate(2 * sp.sin(psi) * sp.sin(psi + theta), (psi, 0, (sp.pi - theta) / 2)) / sp.pi,
         (sp.sin(theta) + (sp.pi - theta) * sp.cos(theta)) / (2 * sp.pi))
    step("b − a = sin(ψ+θ) − sin ψ = 2 cos(ψ + θ/2) sin(θ/2) (no cancellation near the top)",
         sp.expand_trig(sp.sin(psi + theta) - sp.sin(psi)),
         sp.expand_trig(2 * sp.cos(psi + theta / 2) * sp.sin(theta / 2)))

    # Gaussian tail bound: h(B) = ½e^{−B²/2} − Q(B) ≥ 0 on B ≥ 0
    h = sp.exp(-B**2 / 2) / 2 - sp.erfc(B / sp.sqrt(2)) / 2
    step("h(0) = 0", h.subs(B, 0), 0)
    step("h(∞) = 0", sp.limit(h, B, sp.oo), 0)
    step("h'(B) = e^{−B²/2}(1/√(2π) − B/2)", sp.diff(h, B), sp.exp(-B**2 / 2) * (1 / sp.sqrt(2 * sp.pi) - B / 2))
    print("  ⇒ h rises on [0, 2/√(2π)] and falls to h(∞) = 0 after it, so h ≥ 0: 1 − Φ(B) ≤ ½e^{−B²/2}")

    # H_B as the expected gradient inner product
    x1, x2, x3, y1, y2, y3 = sp.symbols("x1 x2 x3 y1 y2 y3", real=True)
    w = sp.symbols("w1 w2 w3", real=True)
    # E[(w·x)(w·x')] for w ~ N(0, I): E[w_i w_j] = δ_ij
    prod = sp.expand((w[0] * x1 + w[1] * x2 + w[2] * x3) * (w[0] * y1 + w[1] * y2 + w[2] * y3))
    cov = sum(prod.coeff(w[i], 2) for i in range(3))
    step("Cov(w·x, w·x') = ⟨x, x'⟩ (so ρ = ⟨x, x'⟩ on the unit sphere)", cov, x1 * y1 + x2 * y2 + x3 * y3)
    m_, ar = sp.symbols("m a_r", positive=True)
    grad_w_dot = (ar / sp.sqrt(m_)) ** 2 * rho  # ⟨∂f/∂w_r(x), ∂f/∂w_r(x')⟩ on active units, with ⟨x,x'⟩ = ρ
    grad_b_dot = (-ar / sp.sqrt(m_)) ** 2
    step("per active unit: ⟨∇_{w_r} f, ∇_{w_r} f'⟩ + ∂_{b_r} f ∂_{b_r} f' = (ρ + 1)/m (a_r² = 1)",
         (grad_w_dot + grad_b_dot).subs(ar, 1), (rho + 1) / m_)
    print("  ⇒ summing over m units and taking E: H_B = (ρ + 1) P(w·x ≥ B, w·x' ≥ B); frozen bias: ρ P(…)")
    step("diagonal: H_B(x, x) = 2 P(X ≥ B) = 2(1 − Φ(B))", (1 + 1) * sp.erfc(B / sp.sqrt(2)) / 2,
         sp.erfc(B / sp.sqrt(2)))


if __name__ == "__main__":
    main()
