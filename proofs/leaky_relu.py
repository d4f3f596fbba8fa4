"""Leaky-ReLU and abs kernels from the ReLU ones, THEORY.md §0.3.

φ(z) = z (z > 0), αz (z ≤ 0). Claims proved:
    φ(z) = αz + (1−α) relu(z),  φ'(z) = α + (1−α) step(z)
    E[u relu(v)] = c/2,  E[step(v)] = 1/2
    E[φ(u)φ(v)] = αc + (1−α)² E[relu relu],  E[φ'φ'] = α + (1−α)² E[step step]
and abs (α = −1): E[|u||v|] = 4 E[relu relu] − c, E[sgn u sgn v] = 4 E[step step] − 1.
"""

import sys
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _steps import numeric_step, step  # noqa: E402

from theorycheck.kernels import symbolic  # noqa: E402

a, b, c, alpha = symbolic.a, symbolic.b, symbolic.c, symbolic.alpha
z = sp.Symbol("z", real=True)
zp = sp.Symbol("zp", positive=True)


def main() -> None:
    print("leaky ReLU / abs kernels")
    relu = sp.Max(z, 0)
    leaky = sp.Piecewise((z, z > 0), (alpha * z, True))
    for val in (-2, -sp.Rational(1, 3), 0, sp.Rational(1, 2), 3):
        step(f"φ(z) = αz + (1−α) relu(z) at z = {val}", leaky.subs(z, val),
             (alpha * z + (1 - alpha) * relu).subs(z, val))
    step("for z > 0: φ'(z) = 1 = α + (1−α)·1", sp.diff(alpha * zp + (1 - alpha) * zp, zp), 1)
    step("for z < 0: φ'(z) = α = α + (1−α)·0", sp.diff(alpha * (-zp), zp) * -1, alpha)
    # E[v relu(v)] = b/2 and E[step(v)] = 1/2 for v ~ N(0, b)
    dens = sp.exp(-zp**2 / (2 * b)) / sp.sqrt(2 * sp.pi * b)
    step("E[v relu(v)] = ∫₀^∞ v² N(v; 0, b) dv = b/2", sp.integrate(zp**2 * dens, (zp, 0, sp.oo)), b / 2)
    step("E[step(v)] = 1/2", sp.integrate(dens, (zp, 0, sp.oo)), sp.Rational(1, 2))
    # u = (c/b) v + w with w ⟂ v  ⇒  E[u relu(v)] = (c/b) E[v relu(v)] = c/2
    step("E[u relu(v)] = (c/b)·(b/2) = c/2", (c / b) * (b / 2), c / 2)
    k1 = symbolic.closed_form("relu")["nngp"]
    k0 = symbolic.closed_form("relu")["deriv"]
    # Expand E[(αu + (1−α)relu u)(αv + (1−α)relu v)] using E[uv] = c and E[u relu v] = E[relu u · v] = c/2.
    expanded = alpha**2 * c + 2 * alpha * (1 - alpha) * (c / 2) + (1 - alpha) ** 2 * k1
    step("E[φ(u)φ(v)] = αc + (1−α)² E[relu relu]", expanded, symbolic.closed_form("leaky_relu")["nngp"])
    expanded_d = alpha**2 + 2 * alpha * (1 - alpha) * sp.Rational(1, 2) + (1 - alpha) ** 2 * k0
    step("E[φ'(u)φ'(v)] = α + (1−α)² E[step step]", expanded_d, symbolic.closed_form("leaky_relu")["deriv"])
    pts = [{alpha: al, a: 2, b: 3, c: cv} for al in (-1, 0.2) for cv in (-2, 0.3, 2.2)]
    numeric_step("Price: ∂/∂c E[φφ] = E[φ'φ']", sp.diff(symbolic.closed_form("leaky_relu")["nngp"], c)
                 - symbolic.closed_form("leaky_relu")["deriv"], pts)
    step("abs (α = −1): E[|u||v|] = 4 E[relu relu] − c",
         symbolic.closed_form("leaky_relu")["nngp"].subs(alpha, -1), symbolic.closed_form("abs")["nngp"])
    step("abs (α = −1): E[sgn u sgn v] = 4 E[step step] − 1",
         symbolic.closed_form("leaky_relu")["deriv"].subs(alpha, -1), symbolic.closed_form("abs")["deriv"])
    step("abs at ρ = 1, a = b: E[u²] = a", symbolic.closed_form("abs")["nngp"].subs(c, a).subs(b, a), a)
    step("abs at ρ = −1: E[sgn u sgn v] = −1", symbolic.closed_form("abs")["deriv"].subs(c, -sp.sqrt(a * b)), -1)
    step("α = 1 gives the identity: E[uv] = c", symbolic.closed_form("leaky_relu")["nngp"].subs(alpha, 1), c)


if __name__ == "__main__":
    main()
