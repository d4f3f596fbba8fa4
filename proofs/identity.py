"""Identity activation: E[uv] = c, E[1·1] = 1, and the closed form of a deep linear network's NTK (THEORY.md §0.2).

Σ^{(l+1)} = σ_w² Σ^{(l)} + σ_b²,  Θ^{(l+1)} = Σ^{(l+1)} + σ_w² Θ^{(l)}
⇒  Θ^{(L+1)} = Σ_{l=1}^{L+1} σ_w^{2(L+1−l)} Σ^{(l)}.
"""

import sys
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _steps import step  # noqa: E402

from theorycheck.kernels import symbolic  # noqa: E402

a, b, c = symbolic.a, symbolic.b, symbolic.c
z1, z2 = sp.symbols("z1 z2", real=True)


def main() -> None:
    print("identity kernels and deep linear networks")
    rho = sp.Symbol("rho", real=True)
    u = sp.sqrt(a) * z1
    v = sp.sqrt(b) * (rho * z1 + sp.sqrt(1 - rho**2) * z2)
    prod = sp.expand(u * v)
    # E[z1²] = 1, E[z1 z2] = 0, E[z2²] = 1
    step("E[uv] = √(ab) ρ = c", prod.coeff(z1, 2), sp.sqrt(a * b) * rho)
    step("closed form E[φφ] = c, E[φ'φ'] = 1", symbolic.closed_form("identity")["nngp"] + 0 * c,
         c)
    w2, b2, s1 = sp.symbols("sigma_w2 sigma_b2 Sigma1", positive=True)
    for depth in (1, 2, 3, 4):
        sig, th = s1, s1
        sigmas = [s1]
        for _ in range(depth):
            sig = w2 * sig + b2
            th = sig + w2 * th
            sigmas.append(sig)
        closed = sum(w2 ** (depth - k) * sigmas[k] for k in range(depth + 1))
        step(f"L = {depth}: Θ^{{(L+1)}} = Σ_l σ_w^{{2(L+1−l)}} Σ^{{(l)}}", th, closed)


if __name__ == "__main__":
    main()
