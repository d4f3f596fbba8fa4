"""The sympy closed forms and the float64 kernels are the same functions."""

import math

import pytest
import sympy as sp
import torch

from theorycheck.activations import get_activation
from theorycheck.kernels import symbolic
from theorycheck.kernels.recursion import expectations_for


@pytest.mark.parametrize("name", symbolic.ACTIVATIONS)
def test_block_functions_equal_lambdified_sympy(name):
    form = symbolic.closed_form(name)
    alpha = -1.0 if name == "abs" else 0.3
    f = sp.lambdify((symbolic.a, symbolic.b, symbolic.c, symbolic.alpha), form["nngp"], "math")
    g = sp.lambdify((symbolic.a, symbolic.b, symbolic.c, symbolic.alpha), form["deriv"], "math")
    expect = expectations_for(get_activation(name, negative_slope=alpha))
    a = torch.tensor([[0.7], [2.0], [5.0]], dtype=torch.float64)
    b = torch.tensor([[1.3, 0.4, 9.0]], dtype=torch.float64)
    rho = torch.tensor([[-0.9, 0.1, 0.5], [0.0, 0.99, -0.3], [0.7, -0.6, 0.2]], dtype=torch.float64)
    rs, cs = {"s": a.sqrt()}, {"s": b.sqrt()}
    if hasattr(expect, "stats"):
        rs.update({k: v[:, None] for k, v in expect.stats(a[:, 0]).items()})
        cs.update({k: v[None, :] for k, v in expect.stats(b[0]).items()})
    out, dot = rho.clone(), torch.empty_like(rho)
    expect.block(out, rs, cs, dot, [torch.empty_like(rho) for _ in range(3)])
    for i in range(3):
        for j in range(3):
            av, bv = float(a[i, 0]), float(b[0, j])
            cv = float(rho[i, j]) * math.sqrt(av * bv)
            assert math.isclose(out[i, j], f(av, bv, cv, alpha), rel_tol=1e-13, abs_tol=1e-15)
            assert math.isclose(dot[i, j], g(av, bv, cv, alpha), rel_tol=1e-13, abs_tol=1e-15)


def test_latex_is_available():
    assert r"\operatorname{acos}" in symbolic.latex("relu") or "acos" in symbolic.latex("relu")
    with pytest.raises(ValueError, match="name must be one of"):
        symbolic.closed_form("tanh")
