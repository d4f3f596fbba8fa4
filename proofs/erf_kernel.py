"""erf NNGP and derivative kernel (Williams 1997), THEORY.md §0.3.

Claims proved:
    E[erf'(u) erf'(v)] = (4/π) / √((1+2a)(1+2b) − 4c²)           (Gaussian integral of e^{−u²−v²})
    E[erf(u) erf(v)]   = (2/π) arcsin(2c / √((1+2a)(1+2b)))        (Price's theorem + the value 0 at c = 0)
and the overflow-free rewriting used by theorycheck/kernels/erf.py.
"""

import sys
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _steps import numeric_step, step  # noqa: E402

from theorycheck.kernels import symbolic  # noqa: E402

a, b, c, rho = symbolic.a, symbolic.b, symbolic.c, symbolic.rho
s, x = sp.symbols("s x", positive=True)


def main() -> None:
    print("erf kernels")
    closed = symbolic.closed_form("erf")
    # 1. 1-D Gaussian lemma: E[e^{−s x²}] = (1 + 2 s σ²)^{-1/2} for x ~ N(0, σ²) — here with σ² = 1 after scaling.
    lemma = sp.integrate(sp.exp(-s * x**2) * sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi), (x, -sp.oo, sp.oo))
    step("E[e^{−s z²}] = 1/√(1 + 2s) for z ~ N(0, 1)", lemma, 1 / sp.sqrt(1 + 2 * s))
    # 2. Multivariate version: E[e^{−wᵀw}] = det(I + 2Λ)^{−1/2} for w ~ N(0, Λ) (diagonalise Λ and apply the
    #    lemma per eigen-direction); det(I + 2Λ) for Λ = [[a, c], [c, b]]:
    lam = sp.Matrix([[a, c], [c, b]])
    step("det(I + 2Λ) = (1+2a)(1+2b) − 4c²", (sp.eye(2) + 2 * lam).det(), (1 + 2 * a) * (1 + 2 * b) - 4 * c**2)
    l1, l2 = sp.symbols("l1 l2", positive=True)
    step("product of per-eigenvalue lemmas = det^{-1/2} (eigenvalues l1, l2)",
         (1 / sp.sqrt(1 + 2 * l1)) * (1 / sp.sqrt(1 + 2 * l2)),
         1 / sp.sqrt(sp.factor(sp.Matrix([[1 + 2 * l1, 0], [0, 1 + 2 * l2]]).det())))
    # 3. erf'(u) erf'(v) = (4/π) e^{−u²−v²}, so E[erf' erf'] = (4/π) det(I + 2Λ)^{−1/2}.
    u, v = sp.symbols("u v", real=True)
    step("erf'(u) erf'(v) = (4/π) e^{−u²−v²}", sp.diff(sp.erf(u), u) * sp.diff(sp.erf(v), v),
         4 / sp.pi * sp.exp(-u**2 - v**2))
    step("E[erf'(u)erf'(v)] equals the closed form", 4 / sp.pi / sp.sqrt((sp.eye(2) + 2 * lam).det()), closed["deriv"])
    # 4. Price's theorem ∂/∂c E[φ(u)φ(v)] = E[φ'(u)φ'(v)]: the closed NNGP form satisfies it ...
    step("∂/∂c (2/π) arcsin(2c/√((1+2a)(1+2b))) = E[erf' erf']", sp.diff(closed["nngp"], c), closed["deriv"])
    # ... and has the right value at c = 0, where u, v are independent and E[erf u] = 0 (erf is odd).
    step("E[erf(u)] = 0 (odd integrand)", sp.integrate(sp.erf(x) * sp.exp(-x**2 / 2), (x, -sp.oo, sp.oo)), 0)
    step("closed form at c = 0 is 0", closed["nngp"].subs(c, 0), 0)
    print("  ⇒ both sides solve the same ODE in c with the same value at c = 0: the NNGP form holds")
    # 5. Diagonal: E[erf(u)²] = (2/π) arcsin(2q/(1+2q)), E[erf'(u)²] = (4/π)/√(1+4q).
    step("diagonal E[erf'²] = (4/π)/√(1+4a)", closed["deriv"].subs({b: a, c: a}), 4 / sp.pi / sp.sqrt(1 + 4 * a))
    step("diagonal E[erf²] = (2/π) arcsin(2a/(1+2a))", closed["nngp"].subs({b: a, c: a}),
         2 / sp.pi * sp.asin(2 * a / (1 + 2 * a)))
    # 6. Overflow-free form: e_a = 1/(1+2a), t_a = √(2a/(1+2a)), c = ρ√(ab).
    ea, eb = 1 / (1 + 2 * a), 1 / (1 + 2 * b)
    ta, tb = sp.sqrt(2 * a * ea), sp.sqrt(2 * b * eb)
    step("arcsin argument 2c/√((1+2a)(1+2b)) = ρ t_a t_b",
         (2 * c / sp.sqrt((1 + 2 * a) * (1 + 2 * b))).subs(c, rho * sp.sqrt(a * b)), rho * ta * tb)
    step("(1+2a)(1+2b) − 4c² = (1+2a)(1+2b)[(1−ρ)(1+ρ) + ρ²(e_a + e_b − e_a e_b)]",
         ((1 + 2 * a) * (1 + 2 * b) - 4 * c**2).subs(c, rho * sp.sqrt(a * b)),
         (1 + 2 * a) * (1 + 2 * b) * ((1 - rho) * (1 + rho) + rho**2 * (ea + eb - ea * eb)))
    numeric_step("every term of the bracket is ≥ 0 for ρ ∈ [−1, 1] (no cancellation)",
                 sp.Min(0, (1 - rho) * (1 + rho), ea + eb - ea * eb),
                 [{rho: r_, a: av, b: bv} for r_ in (-1, -0.5, 0.9, 1) for av, bv in ((0.1, 3.0), (1e6, 2.0))])


if __name__ == "__main__":
    main()
