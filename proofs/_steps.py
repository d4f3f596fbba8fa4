"""Tiny harness for step-by-step symbolic proofs: every step is an identity sympy must reduce to zero."""

from __future__ import annotations

import sympy as sp

_COUNT = {"steps": 0}


def step(description: str, lhs, rhs, *, subs: dict | None = None) -> None:
    """Assert ``lhs == rhs`` symbolically (after ``subs``) and print the step."""
    diff = sp.simplify(sp.sympify(lhs) - sp.sympify(rhs))
    if subs:
        diff = sp.simplify(diff.subs(subs))
    if diff != 0:
        raise AssertionError(f"step failed: {description}\n  lhs = {lhs}\n  rhs = {rhs}\n  lhs - rhs = {diff}")
    _COUNT["steps"] += 1
    print(f"  ✓ {description}")


def numeric_step(description: str, expr, values: list[dict], tol: float = 1e-25) -> None:
    """Assert ``expr`` vanishes at each point of ``values`` to ``tol`` (30-digit evaluation); for identities with
    branch cuts (arccos, sqrt) that sympy cannot simplify without case analysis."""
    for v in values:
        exact = {k: sp.Rational(str(x)) if isinstance(x, float) else x for k, x in v.items()}
        val = abs(sp.N(sp.sympify(expr).subs(exact), 30))
        if val > tol:
            raise AssertionError(f"step failed: {description} at {v}: |residual| = {val}")
    _COUNT["steps"] += 1
    print(f"  ✓ {description} (at {len(values)} points, 30 digits)")


def steps_done() -> int:
    return _COUNT["steps"]
