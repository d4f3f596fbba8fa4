r"""Sympy forms of the closed-form Gaussian expectations (docs/theory/dense.md).

These are the expressions that ``proofs/`` derives step by step and that the float64 and mpmath kernels are checked
against (``tests/kernels/test_symbolic.py`` lambdifies them). Each is a function of the 2×2 covariance entries
``a = Var u``, ``b = Var v``, ``c = Cov(u, v)`` (and the slope ``alpha`` for the leaky ReLU)::

    >>> from theorycheck.kernels.symbolic import closed_form, latex
    >>> closed_form("relu")["nngp"]                          # doctest: +SKIP
    >>> print(latex("erf"))                                   # doctest: +SKIP
"""

from __future__ import annotations

import sympy as sp

__all__ = ["a", "b", "c", "alpha", "rho", "closed_form", "latex", "NTK_RECURSION", "ACTIVATIONS"]

a, b = sp.symbols("a b", positive=True)
c = sp.Symbol("c", real=True)
alpha = sp.Symbol("alpha", real=True)
rho = sp.Symbol("rho", real=True)

_theta = sp.acos(c / sp.sqrt(a * b))

_RELU_NNGP = sp.sqrt(a * b) * (sp.sin(_theta) + (sp.pi - _theta) * sp.cos(_theta)) / (2 * sp.pi)
_RELU_DERIV = (sp.pi - _theta) / (2 * sp.pi)

_FORMS: dict[str, dict[str, sp.Expr]] = {
    "relu": {"nngp": _RELU_NNGP, "deriv": _RELU_DERIV},
    "leaky_relu": {
        "nngp": alpha * c + (1 - alpha) ** 2 * _RELU_NNGP,
        "deriv": alpha + (1 - alpha) ** 2 * _RELU_DERIV,
    },
    "abs": {"nngp": 4 * _RELU_NNGP - c, "deriv": 4 * _RELU_DERIV - 1},
    "erf": {
        "nngp": 2 / sp.pi * sp.asin(2 * c / sp.sqrt((1 + 2 * a) * (1 + 2 * b))),
        "deriv": 4 / sp.pi / sp.sqrt((1 + 2 * a) * (1 + 2 * b) - 4 * c**2),
    },
    "identity": {"nngp": c, "deriv": sp.Integer(1)},
}

#: Names with a closed form.
ACTIVATIONS = tuple(_FORMS)

_l = sp.Symbol("l", integer=True, positive=True)
_S = sp.Function(r"\Sigma")
_Sd = sp.Function(r"\dot{\Sigma}")
_T = sp.Function(r"\Theta")
#: Θ^{(l+1)} = Σ^{(l+1)} + Θ^{(l)} Σ̇^{(l+1)} (docs/theory/dense.md), for display in reports.
NTK_RECURSION = sp.Eq(_T(_l + 1), _S(_l + 1) + _T(_l) * _Sd(_l + 1))


def closed_form(name: str) -> dict[str, sp.Expr]:
    """``{"nngp": E[φ(u)φ(v)], "deriv": E[φ'(u)φ'(v)]}`` as sympy expressions in a, b, c (and alpha)."""
    try:
        return dict(_FORMS[name])
    except KeyError:
        raise ValueError(f"name must be one of {', '.join(_FORMS)}, got {name!r}") from None


def latex(name: str) -> str:
    """LaTeX of both expectations, e.g. for a report."""
    form = closed_form(name)
    return (
        r"E[\varphi(u)\varphi(v)] = " + sp.latex(form["nngp"]) + r",\quad "
        r"E[\varphi'(u)\varphi'(v)] = " + sp.latex(form["deriv"])
    )
