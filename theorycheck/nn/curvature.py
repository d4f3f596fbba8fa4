r"""Extrinsic curvature of a network's output along a circle in input space (Chen, Huang, Wang 2023, Lemma D.1).

For the curve x(θ) = r (u₀ cos θ + u₁ sin θ) with orthonormal u₀, u₁ and the output curve f(x(θ)) ∈ R^c,

.. math::

    \kappa(\theta) = \frac{\sqrt{\lVert v\rVert^2 \lVert a\rVert^2 - (v\cdot a)^2}}{\lVert v\rVert^3},
    \qquad v = \partial_\theta f = J x', \qquad a = \partial_\theta^2 f = J x'' + x'^\top (\nabla^2 f)\, x'.

v and both terms of a are exact forward-mode derivatives (``torch.func.jvp``, nested for the second-order term). For
a ReLU network the Hessian term vanishes almost everywhere, and for a bias-free one f(x) = J(x) x (Euler), so
a = J x'' = −f. The paper's Cor. 4.2 states κ(θ) = 1/‖v(θ)‖; in truth κ‖v‖ = sin∠(v, a)·‖a‖/‖v‖, which is ≈ 1 only
when J is close to conformal on the plane (many outputs). Docs: ``docs/theory/architectures.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch.func import jvp

from .._validation import check_int, check_real

__all__ = ["circle", "curve_derivatives", "circle_curvature"]


def circle(u0: torch.Tensor, u1: torch.Tensor, radius: float, n_points: int) -> tuple[torch.Tensor, ...]:
    """Points x(θ_k), tangents x'(θ_k) and x''(θ_k) = −x(θ_k) at θ_k = 2πk/n, each [n, d].

    Args:
        u0, u1: orthonormal directions [d] (validated: unit norm and orthogonal to 1e-10).
        radius: r > 0.
        n_points: number of points n ≥ 3.

    Raises:
        ValueError: u0, u1 not orthonormal, or radius/n_points out of range.
    """
    radius = check_real("radius", radius, minimum=0.0, min_inclusive=False)
    n_points = check_int("n_points", n_points, minimum=3)
    if u0.dim() != 1 or u0.shape != u1.shape:
        raise ValueError(f"u0 and u1 must be 1-D of equal length, got {tuple(u0.shape)} and {tuple(u1.shape)}")
    gram = torch.stack([u0, u1]) @ torch.stack([u0, u1]).T
    if float((gram - torch.eye(2, dtype=gram.dtype, device=gram.device)).abs().max()) > 1e-10:
        raise ValueError("u0 and u1 must be orthonormal (unit norm, orthogonal)")
    theta = torch.arange(n_points, dtype=u0.dtype, device=u0.device) * (2 * math.pi / n_points)
    c, s = torch.cos(theta)[:, None], torch.sin(theta)[:, None]
    x = radius * (c * u0 + s * u1)
    dx = radius * (-s * u0 + c * u1)
    return x, dx, -x


def curve_derivatives(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, dx: torch.Tensor,
                      ddx: torch.Tensor, *, hessian: bool = True) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(f, v, a) along a curve: f(x), v = J dx and a = J ddx + dxᵀ ∇²f dx, row by row (``fn`` acts row-wise).

    Args:
        fn: row-wise map [n, d] → [n, c].
        x, dx, ddx: points and first and second curve derivatives, [n, d] each.
        hessian: include the second-order term dxᵀ ∇²f dx (a nested forward-mode pass, twice the cost). It is
            exactly zero for piecewise-linear networks (ReLU) away from the kinks, which ``hessian=False`` assumes.

    Returns:
        three [n, c] tensors, detached (a 1-D output is treated as c = 1).
    """
    with torch.no_grad():
        f, v = jvp(fn, (x,), (dx,))
        _, a = jvp(fn, (x,), (ddx,))
        if hessian:
            a = a + jvp(lambda z: jvp(fn, (z,), (dx,))[1], (x,), (dx,))[1]
    if f.dim() == 1:
        f, v, a = f[:, None], v[:, None], a[:, None]
    return f, v, a


def circle_curvature(fn: Callable[[torch.Tensor], torch.Tensor], u0: torch.Tensor, u1: torch.Tensor,
                     radius: float = 1.0, n_points: int = 128, *, hessian: bool = True) -> dict[str, torch.Tensor]:
    """κ(θ), ‖v(θ)‖ and the Euler residual along a circle (module docstring).

    Args:
        fn: row-wise map [n, d] → [n, c] (a network).
        u0, u1: orthonormal directions [d].
        radius: circle radius r.
        n_points: number of equally spaced θ.
        hessian: include the Hessian term of a (see :func:`curve_derivatives`).

    Returns:
        ``{"kappa": [n], "speed": [n] (‖v‖), "euler": [n] (‖a + f‖/‖f‖, 0 for a bias-free ReLU net)}``.
    """
    x, dx, ddx = circle(u0, u1, radius, n_points)
    f, v, a = curve_derivatives(fn, x, dx, ddx, hessian=hessian)
    vv, aa, va = (v * v).sum(1), (a * a).sum(1), (v * a).sum(1)
    num = torch.sqrt((vv * aa - va * va).clamp_min(0.0))
    kappa = num / vv.clamp_min(1e-300) ** 1.5
    euler = (a + f).norm(dim=1) / f.norm(dim=1).clamp_min(1e-300)
    return {"kappa": kappa, "speed": torch.sqrt(vv), "euler": euler}
