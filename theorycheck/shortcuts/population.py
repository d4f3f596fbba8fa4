r"""The population loss of a two-layer non-overlapping ReLU CNN and of its residual version, in closed form.

Model (Liu, Chen, Zhou, Du, Zhou, Zhao, NeurIPS 2019, on top of Du, Lee, Tian, Póczos, Singh, ICML 2018) [R]: an
input is k non-overlapping patches Z = [Z_1, …, Z_k], Z_j i.i.d. N(0, I_p); one filter is shared by all patches,

    CNN:     f(Z; w, a) = Σ_j a_j σ(Z_jᵀ w/‖w‖),
    ResNet:  f(Z; w, a) = Σ_j a_j σ(Z_jᵀ (s + w)/‖s + w‖)     (s a fixed unit shortcut filter, w(0) = 0),

σ = ReLU, and the teacher is f* = Σ_j a*_j σ(Z_jᵀ v*), ‖v*‖ = 1. For Gaussian patches the normalisation layer is weight
normalisation. With v the unit filter direction and φ = ∠(v, v*), the arc-cosine kernel of degree 1 gives
E σ(Z_jᵀv)σ(Z_jᵀv*) = g(φ)/(2π), g(φ) = sin φ + (π − φ) cos φ, and E σ(Z_iᵀv)σ(Z_jᵀv*) = 1/(2π) for i ≠ j, so

    L(v, a) = ½ E (f − f*)² = ½ [aᵀC(0)a − 2aᵀC(φ)a* + a*ᵀC(0)a*],   C(φ) = ((g(φ) − 1) I_k + 11ᵀ)/(2π),
    ∇_a L = C(0)a − C(φ)a*,
    ∇_u L = −(aᵀa*) (π − φ)/(2π) · (I − vvᵀ)v*/‖u‖     for the raw filter u (= w, or s + w), v = u/‖u‖.

The spurious critical point is (v, a) = (−v*, C(0)⁻¹C(π)a*); it is a local minimum iff its aᵀa* < 0.

Every function is batched: a leading dimension indexes independent runs. Docs:
``docs/theory/beyond_kernel.md#shortcut-connections``.
"""

from __future__ import annotations

import math

import torch

__all__ = ["arccos_g", "angle", "bilinear_c", "population_loss", "population_gradients", "spurious_point",
           "a_optimum", "critical_angle", "random_angle_below"]

TWO_PI = 2.0 * math.pi


def arccos_g(phi: torch.Tensor) -> torch.Tensor:
    """g(φ) = sin φ + (π − φ) cos φ: 2π E σ(G₁)σ(G₂) for standard Gaussians at angle φ (g(0) = π, g(π) = 0)."""
    return torch.sin(phi) + (math.pi - phi) * torch.cos(phi)


def _unit(u: torch.Tensor, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    norm = u.norm(dim=-1, keepdim=True)
    if not bool((norm > 0).all()):
        raise ValueError(f"{name} must be non-zero (a filter has a direction)")
    return u / norm, norm


def angle(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """∠(u, v) ∈ [0, π] along the last dimension (neither need be unit)."""
    uu, _ = _unit(u, "u")
    vv, _ = _unit(v, "v")
    return torch.arccos((uu * vv).sum(-1).clamp(-1.0, 1.0))


def bilinear_c(x: torch.Tensor, y: torch.Tensor, phi: torch.Tensor) -> torch.Tensor:
    """xᵀC(φ)y = ((g(φ) − 1) xᵀy + (1ᵀx)(1ᵀy))/(2π), batched over the leading dimensions."""
    return ((arccos_g(phi) - 1.0) * (x * y).sum(-1) + x.sum(-1) * y.sum(-1)) / TWO_PI


def _check(a: torch.Tensor, u: torch.Tensor, a_star: torch.Tensor, v_star: torch.Tensor) -> None:
    for name, t in (("a", a), ("u", u), ("a_star", a_star), ("v_star", v_star)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch tensor, got {type(t).__name__}")
        if t.dim() == 0 or t.shape[-1] == 0:
            raise ValueError(f"{name} must have a non-empty last dimension, got shape {tuple(t.shape)}")
        if not bool(torch.isfinite(t).all()):
            raise ValueError(f"{name} must be finite")
    if a.shape[-1] != a_star.shape[-1]:
        raise ValueError(f"a and a_star must have the same number of patches k, got {a.shape[-1]} and "
                         f"{a_star.shape[-1]}")
    if u.shape[-1] != v_star.shape[-1]:
        raise ValueError(f"u and v_star must have the same patch dimension p, got {u.shape[-1]} and "
                         f"{v_star.shape[-1]}")


def population_loss(a: torch.Tensor, u: torch.Tensor, a_star: torch.Tensor, v_star: torch.Tensor) -> torch.Tensor:
    """L = ½[aᵀC(0)a − 2aᵀC(φ)a* + a*ᵀC(0)a*], φ = ∠(u, v*).

    Args:
        a: second-layer weights, shape [..., k].
        u: the raw filter (w for the CNN, s + w for the ResNet), shape [..., p], non-zero.
        a_star: the teacher's second layer, [..., k].
        v_star: the teacher's filter, [..., p] (its norm is ignored).

    Returns:
        The loss, shape [...].

    Raises:
        TypeError / ValueError: for non-tensors, mismatched k or p, non-finite entries or a zero filter.
    """
    _check(a, u, a_star, v_star)
    phi = angle(u, v_star)
    zero = torch.zeros_like(phi)
    return 0.5 * (bilinear_c(a, a, zero) - 2.0 * bilinear_c(a, a_star, phi) + bilinear_c(a_star, a_star, zero))


def population_gradients(a: torch.Tensor, u: torch.Tensor, a_star: torch.Tensor, v_star: torch.Tensor
                         ) -> tuple[torch.Tensor, torch.Tensor]:
    """(∇_a L, ∇_u L) in closed form (see the module docstring); ∇_u L is also ∇_w L for u = w or u = s + w.

    Args and raises: as :func:`population_loss`.

    Returns:
        ``(grad_a [..., k], grad_u [..., p])``.
    """
    _check(a, u, a_star, v_star)
    v, norm = _unit(u, "u")
    vs, _ = _unit(v_star, "v_star")
    phi = torch.arccos((v * vs).sum(-1).clamp(-1.0, 1.0))
    g = arccos_g(phi)[..., None]
    grad_a = ((math.pi - 1.0) * a + a.sum(-1, keepdim=True) - (g - 1.0) * a_star
              - a_star.sum(-1, keepdim=True)) / TWO_PI
    tangent = vs - v * (v * vs).sum(-1, keepdim=True)
    coef = -(a * a_star).sum(-1, keepdim=True) * (math.pi - phi[..., None]) / TWO_PI
    return grad_a, coef * tangent / norm


def a_optimum(a_star: torch.Tensor, phi: torch.Tensor) -> torch.Tensor:
    """a(φ) = C(0)⁻¹C(φ)a*, the best second layer for a filter at angle φ (batched; φ of shape [...]).

    C(0) = ((π − 1)I + 11ᵀ)/(2π) is inverted in closed form (Sherman–Morrison): on 1 it is (π − 1 + k)/(2π), on 1^⊥
    (π − 1)/(2π).
    """
    k = a_star.shape[-1]
    g = arccos_g(phi)[..., None]
    mean = a_star.mean(-1, keepdim=True)
    perp = a_star - mean
    return (g - 1.0 + k) / (math.pi - 1.0 + k) * mean + (g - 1.0) / (math.pi - 1.0) * perp


def spurious_point(a_star: torch.Tensor, v_star: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The spurious critical point (a_s, v_s) = (C(0)⁻¹C(π)a*, −v*) of the population loss (batched).

    With C(φ) = ((g(φ) − 1)I + 11ᵀ)/(2π) and g(π) = 0, C(π) = (11ᵀ − I)/(2π), and inverting C(0) on 1 and on 1^⊥,

        a_s = (k − 1)/(π − 1 + k) · ā 1 − (a* − ā 1)/(π − 1),     ā = 1ᵀa*/k.

    The filter points away from the teacher (φ = π), where ∇_u L = 0, and a_s is the best second layer there. It is
    a local minimum iff a_sᵀa* < 0 (e.g. for a* mostly orthogonal to 1); Du, Lee, Tian, Póczos, Singh (ICML 2018)
    for the CNN, Liu et al. (NeurIPS 2019) for the ResNet, model reconstructed [R]. Docs:
    ``docs/theory/beyond_kernel.md#shortcut-connections``.

    Args:
        a_star: the teacher's second layer, a floating-point tensor of shape [..., k], k ≥ 1, finite.
        v_star: the teacher's filter, a floating-point tensor of shape [..., p], p ≥ 1, finite and non-zero (its norm
            is kept: v_s = −v*); its batch dimensions [...] must equal those of ``a_star``.

    Returns:
        ``(a_s [..., k], v_s [..., p])``.

    Raises:
        TypeError: for an argument that is not a torch tensor (lists are not accepted; use
            ``torch.tensor(..., dtype=torch.float64)``) or has a non-floating dtype.
        ValueError: for a 0-d or empty tensor, non-finite entries, a zero ``v_star`` or mismatched batch shapes.
    """
    for name, t in (("a_star", a_star), ("v_star", v_star)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch tensor (e.g. torch.tensor(..., dtype=torch.float64)), got "
                            f"{type(t).__name__}")
        if not t.is_floating_point():
            raise TypeError(f"{name} must be a floating-point tensor (float64 recommended), got dtype {t.dtype}")
        if t.dim() == 0 or t.shape[-1] == 0:
            raise ValueError(f"{name} must be at least 1-D with a non-empty last dimension, got shape "
                             f"{tuple(t.shape)}")
        if not bool(torch.isfinite(t).all()):
            raise ValueError(f"{name} must be finite (it contains NaN or ±inf)")
    if a_star.shape[:-1] != v_star.shape[:-1]:
        raise ValueError(f"a_star [..., k] and v_star [..., p] must have the same batch shape [...], got "
                         f"{tuple(a_star.shape)} and {tuple(v_star.shape)}")
    _unit(v_star, "v_star")
    phi = torch.full(a_star.shape[:-1], math.pi, dtype=a_star.dtype, device=a_star.device)
    return a_optimum(a_star, phi), -v_star


def critical_angle(a_star: torch.Tensor, iterations: int = 80) -> torch.Tensor:
    """φ_c: the filter angle where the equilibrated second layer stops pulling the filter towards v*.

    With a = a(φ) = C(0)⁻¹C(φ)a*, the filter's gradient is −(a(φ)ᵀa*)(π − φ)/(2π)·(I − vvᵀ)v*, so it moves towards
    v* iff a(φ)ᵀa* > 0. Writing A = (1ᵀa*)²/(k(π − 1 + k)) and B = ‖P_⊥a*‖²/(π − 1),
    a(φ)ᵀa* = A(g(φ) − 1 + k) + B(g(φ) − 1) vanishes at g_c = 1 − Ak/(A + B); g falls from π to 0 on [0, π], so φ_c is
    found by bisection (φ_c = π when g_c ≤ 0: the filter is pulled towards v* from everywhere). For a* ⊥ 1, φ_c = π/2.

    Args:
        a_star: teachers, [..., k].
        iterations: bisection steps (error ≤ π·2^−iterations).

    Returns:
        φ_c, shape [...].
    """
    k = a_star.shape[-1]
    ones = a_star.sum(-1) ** 2 / k
    big_a = ones / (math.pi - 1.0 + k)
    big_b = ((a_star * a_star).sum(-1) - ones) / (math.pi - 1.0)
    g_c = 1.0 - big_a * k / (big_a + big_b)
    lo = torch.zeros_like(g_c)
    hi = torch.full_like(g_c, math.pi)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        above = arccos_g(mid) > g_c  # g decreasing: the root lies to the right
        lo = torch.where(above, mid, lo)
        hi = torch.where(above, hi, mid)
    return torch.where(g_c <= 0, torch.full_like(g_c, math.pi), 0.5 * (lo + hi))


def random_angle_below(phi: torch.Tensor | float, p: int) -> torch.Tensor:
    """P(∠(w, v) < φ) for w uniform on S^{p−1} and a fixed v: (1 + cos ∠)/2 ~ Beta((p − 1)/2, (p − 1)/2)."""
    from scipy.stats import beta

    phi_t = torch.as_tensor(phi, dtype=torch.float64)
    x = ((1.0 + torch.cos(phi_t)) / 2.0).clamp(0.0, 1.0).cpu().numpy()
    return torch.as_tensor(1.0 - beta.cdf(x, (p - 1) / 2.0, (p - 1) / 2.0), dtype=torch.float64)
