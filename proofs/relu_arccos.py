"""ReLU NNGP and derivative kernel (arc-cosine kernels of degree 1 and 0), THEORY.md §0.3, Cho & Saul 2009.

(u, v) ~ N(0, [[a, c], [c, b]]), ρ = c/√(ab) = cos θ, θ ∈ [0, π]. Claims proved step by step:
    E[relu(u) relu(v)] = √(ab) (sin θ + (π − θ) cos θ) / (2π)
    E[step(u) step(v)] = (π − θ) / (2π)
plus Price's theorem (∂/∂c of the first is the second), the special cases ρ = ±1, 0, the bias-free fixed point of
the ReLU recursion and the one-hidden-layer NTK of THEORY.md §0.3.
"""

import sys
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _steps import numeric_step, step  # noqa: E402

from theorycheck.kernels import symbolic  # noqa: E402

r, phi = sp.symbols("r phi", real=True)
theta = sp.Symbol("theta", positive=True)  # θ ∈ (0, π)
a, b, c = symbolic.a, symbolic.b, symbolic.c
z1, z2 = sp.symbols("z1 z2", real=True)


def main() -> None:
    print("ReLU / arc-cosine kernels")
    # 1. Write z = r (cos φ, sin φ); the Jacobian of the polar map is r.
    jac = sp.Matrix([r * sp.cos(phi), r * sp.sin(phi)]).jacobian([r, phi]).det()
    step("polar Jacobian |∂(z1,z2)/∂(r,φ)| = r", jac, r)
    # 2. u = √a z1, v = √b (ρ z1 + √(1−ρ²) z2) has the right covariance, and in polar form v = √b r cos(φ − θ).
    rho_ = sp.cos(theta)
    u = sp.sqrt(a) * z1
    v = sp.sqrt(b) * (rho_ * z1 + sp.sin(theta) * z2)
    cov = sp.expand(u * v).coeff(z1, 2) + sp.expand(u * v).coeff(z2, 2)  # E[z1²] = E[z2²] = 1, E[z1 z2] = 0
    step("Cov(u, v) = √(ab) cos θ = c", cov, sp.sqrt(a * b) * sp.cos(theta))
    step("Var v = b", sp.expand(v**2).coeff(z1, 2) + sp.expand(v**2).coeff(z2, 2), b)
    polar_v = v.subs({z1: r * sp.cos(phi), z2: r * sp.sin(phi)})
    step("v = √b r cos(φ − θ)", sp.expand_trig(polar_v), sp.expand_trig(sp.sqrt(b) * r * sp.cos(phi - theta)))
    # 3. Radial integrals against the density e^{−r²/2}/(2π) · r dr dφ.
    step("∫₀^∞ r³ e^{−r²/2} dr = 2", sp.integrate(r**3 * sp.exp(-r**2 / 2), (r, 0, sp.oo)), 2)
    step("∫₀^∞ r e^{−r²/2} dr = 1", sp.integrate(r * sp.exp(-r**2 / 2), (r, 0, sp.oo)), 1)
    # 4. The region {u > 0, v > 0} is φ ∈ (θ − π/2, π/2), of length π − θ, for every θ ∈ [0, π].
    for t in (0, sp.pi / 5, sp.pi / 2, 3 * sp.pi / 4, sp.pi):
        region = sp.Intersection(sp.Interval.open(-sp.pi / 2, sp.pi / 2),
                                 sp.Interval.open(t - sp.pi / 2, t + sp.pi / 2))
        expected = sp.Interval.open(t - sp.pi / 2, sp.pi / 2) if t != sp.pi else sp.EmptySet
        assert region == expected, (t, region)
    print("  ✓ {cos φ > 0, cos(φ − θ) > 0} = (θ − π/2, π/2) at θ ∈ {0, π/5, π/2, 3π/4, π}")
    # 5. Angular integrals.
    ang1 = sp.integrate(sp.cos(phi) * sp.cos(phi - theta), (phi, theta - sp.pi / 2, sp.pi / 2))
    step("∫ cos φ cos(φ−θ) dφ over the region = (sin θ + (π−θ) cos θ)/2", ang1,
         (sp.sin(theta) + (sp.pi - theta) * sp.cos(theta)) / 2)
    ang0 = sp.integrate(1, (phi, theta - sp.pi / 2, sp.pi / 2))
    step("length of the region = π − θ", ang0, sp.pi - theta)
    # 6. Combine: E[relu relu] = √(ab)/(2π) · (radial 2) · (angular), E[step step] = 1/(2π) · 1 · (π − θ).
    k1 = sp.sqrt(a * b) / (2 * sp.pi) * 2 * ang1
    k0 = 1 / (2 * sp.pi) * 1 * ang0
    closed = symbolic.closed_form("relu")
    # On θ ∈ [0, π] (the range of arccos) sin θ ≥ 0, so √(1 − cos²θ) = sin θ and arccos(cos θ) = θ.
    on_range = {sp.acos(sp.cos(theta)): theta, sp.sqrt(1 - sp.cos(theta) ** 2): sp.sin(theta)}
    numeric_step("√(1 − cos²θ) = sin θ and arccos(cos θ) = θ on [0, π]",
                 sp.sqrt(1 - sp.cos(theta) ** 2) - sp.sin(theta) + sp.acos(sp.cos(theta)) - theta,
                 [{theta: v} for v in (0.0, 0.4, 1.5, 2.9, 3.14159)])
    step("E[relu(u)relu(v)] equals the closed form (c = √(ab) cos θ)",
         k1, closed["nngp"].subs(c, sp.sqrt(a * b) * sp.cos(theta)).subs(on_range))
    step("E[step(u)step(v)] equals the closed form",
         k0, closed["deriv"].subs(c, sp.sqrt(a * b) * sp.cos(theta)).subs(on_range))
    # 7. Price's theorem: ∂/∂c E[φ(u)φ(v)] = E[φ'(u)φ'(v)].
    pts = [{a: 2, b: 3, c: cv} for cv in (-2.3, -1, 0, 0.5, 2.4)]
    numeric_step("Price: ∂/∂c E[relu relu] = E[step step]", sp.diff(closed["nngp"], c) - closed["deriv"], pts)
    # 8. Special cases.
    t = symbolic.rho
    kappa1 = (sp.sqrt(1 - t**2) + (sp.pi - sp.acos(t)) * t) / sp.pi
    kappa0 = (sp.pi - sp.acos(t)) / sp.pi
    step("ρ = 1, a = b: E[relu²] = a/2", closed["nngp"].subs(c, a).subs(b, a), a / 2)
    step("ρ = 1: E[step²] = 1/2", closed["deriv"].subs(c, sp.sqrt(a * b)), sp.Rational(1, 2))
    step("ρ = −1: E[relu(u)relu(v)] = 0", closed["nngp"].subs(c, -sp.sqrt(a * b)), 0)
    step("ρ = −1: E[step(u)step(v)] = 0", closed["deriv"].subs(c, -sp.sqrt(a * b)), 0)
    step("ρ = 0: E[relu relu] = √(ab)/(2π)", closed["nngp"].subs(c, 0), sp.sqrt(a * b) / (2 * sp.pi))
    step("ρ = 0: E[step step] = 1/4", closed["deriv"].subs(c, 0), sp.Rational(1, 4))
    # 9. Bias-free fixed point (σ_w² = 2, σ_b = 0): variances are preserved and the correlation map is κ1.
    step("σ_w² E[relu(u)²] = q at σ_w² = 2 (variance fixed point)", 2 * closed["nngp"].subs({b: a, c: a}), a)
    step("normalised ReLU map: 2 E[relu relu]/√(ab) = κ1(ρ)",
         (2 * closed["nngp"] / sp.sqrt(a * b)).subs(c, t * sp.sqrt(a * b)), kappa1)
    step("κ1(1) = 1 (ρ = 1 is a fixed point)", kappa1.subs(t, 1), 1)
    numeric_step("κ1'(ρ) = κ0(ρ)", sp.diff(kappa1, t) - kappa0, [{t: v} for v in (-0.9, -0.3, 0.2, 0.7, 0.99)])
    step("κ1'(1) = κ0(1) = 1 (marginally stable)", kappa0.subs(t, 1), 1)
    numeric_step("κ1''(ρ) = 1/(π√(1−ρ²)) > 0, so κ1(ρ) ≥ ρ and correlations increase to 1",
                 sp.diff(kappa1, t, 2) - 1 / (sp.pi * sp.sqrt(1 - t**2)), [{t: v} for v in (-0.9, 0.0, 0.5, 0.95)])
    # 10. One hidden layer, §0.1 convention, σ_w² = 2 in both layers, ‖x‖² = d: Θ = 2(ρκ0 + κ1), diagonal 4.
    sigma1 = 2 * t  # σ_w² x·x'/d with ‖x‖² = ‖x'‖² = d
    sigma2 = 2 * closed["nngp"].subs({a: 2, b: 2, c: sigma1})
    sdot2 = 2 * closed["deriv"].subs({a: 2, b: 2, c: sigma1})
    theta2 = sigma2 + sigma1 * sdot2
    numeric_step("Θ^{(2)} = 2(ρκ0(ρ) + κ1(ρ))", theta2 - 2 * (t * kappa0 + kappa1),
                 [{t: v} for v in (-0.8, -0.5, 0.1, 0.6)])
    step("diagonal Θ^{(2)}(x, x) = 4", theta2.subs(t, 1), 4)
    arora = (t * kappa0 + kappa1).subs(t, sp.Rational(-1, 2))
    assert abs(float(arora) + 0.0580) < 5e-4, float(arora)
    print(f"  ✓ Arora convention at ρ = −1/2: Θ = {float(arora):.4f} (negative, ≈ −0.058 as in THEORY.md §0.3)")


if __name__ == "__main__":
    main()
