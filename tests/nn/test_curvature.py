"""Curvature along a circle (theorycheck/nn/curvature.py): known curves, finite differences, Euler's identity."""

import math

import pytest
import torch

from theorycheck.nn.curvature import circle, circle_curvature, curve_derivatives
from theorycheck.specs.cell import CellNet


def _plane(d, seed=0):
    q, _ = torch.linalg.qr(torch.randn(d, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(seed)))
    return q[:, 0], q[:, 1]


def test_a_circle_under_an_isometry_has_curvature_one_over_r():
    u0, u1 = _plane(5)
    q, _ = torch.linalg.qr(torch.randn(5, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(1)))
    r = circle_curvature(lambda x: x @ q.T, u0, u1, radius=2.5, n_points=16)
    assert torch.allclose(r["kappa"], torch.full((16,), 0.4, dtype=torch.float64), rtol=1e-12)
    assert torch.allclose(r["speed"], torch.full((16,), 2.5, dtype=torch.float64), rtol=1e-12)
    # an anisotropic linear map: an ellipse, κ = ab/(a² sin² + b² cos²)^{3/2}
    a, b = 3.0, 1.0
    e = torch.zeros(2, 5, dtype=torch.float64)
    e[0], e[1] = a * u0, b * u1
    r = circle_curvature(lambda x: x @ e.T, u0, u1, radius=1.0, n_points=8)
    th = torch.arange(8, dtype=torch.float64) * 2 * math.pi / 8
    expect = a * b / (a**2 * torch.sin(th) ** 2 + b**2 * torch.cos(th) ** 2) ** 1.5
    assert torch.allclose(r["kappa"], expect, rtol=1e-12)


def test_derivatives_match_finite_differences_and_euler():
    u0, u1 = _plane(6)
    net = CellNet("1_21_212", sigma_b=0.3).network(48, 6, seed=2, out_features=3)
    x, dx, ddx = circle(u0, u1, 3.0, 8)
    f, v, a = curve_derivatives(net, x, dx, ddx)
    th = torch.arange(8, dtype=torch.float64) * 2 * math.pi / 8
    h = 1e-5

    def pt(t):
        return 3.0 * (torch.cos(t)[:, None] * u0 + torch.sin(t)[:, None] * u1)

    with torch.no_grad():
        fd_v = (net(pt(th + h)) - net(pt(th - h))) / (2 * h)
        fd_a = (net(pt(th + h)) - 2 * net(pt(th)) + net(pt(th - h))) / h**2
    assert float((fd_v - v).abs().max()) < 1e-7 * float(v.abs().max())
    assert float((fd_a - a).abs().max()) < 1e-3 * float(a.abs().max())
    # ReLU: the Hessian term is zero; bias-free: a = −f (Euler)
    _, _, a0 = curve_derivatives(net, x, dx, ddx, hessian=False)
    assert torch.equal(a0, a)
    free = CellNet("1_21_212").network(48, 6, seed=2, out_features=3)
    r = circle_curvature(free, u0, u1, radius=3.0, n_points=8)
    assert float(r["euler"].max()) < 1e-12


def test_circle_validation():
    u0, u1 = _plane(4)
    with pytest.raises(ValueError, match="orthonormal"):
        circle(u0, u0, 1.0, 8)
    with pytest.raises(ValueError, match="radius"):
        circle(u0, u1, 0.0, 8)
    with pytest.raises(ValueError, match="n_points"):
        circle(u0, u1, 1.0, 2)
