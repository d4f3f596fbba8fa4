"""Activation functions shared by the finite networks and their infinite-width kernels.

An :class:`Activation` carries the pointwise function φ, its derivative φ' (needed by the NTK's derivative kernel
Σ̇ = σ_w² E[φ'(u)φ'(v)], THEORY.md §0.2) and, for the five activations with closed-form Gaussian expectations
(THEORY.md §0.3), the name of that closed form. Every other activation is integrated by 2-D Gauss–Hermite quadrature.

Named activations: ``relu``, ``leaky_relu`` (``negative_slope``), ``abs``, ``erf``, ``identity`` (closed forms),
``tanh``, ``gelu`` (exact, erf-based), ``softplus``, ``sigmoid`` (quadrature). A user's own activation is
``Activation(fn, derivative=..., name=...)``; when ``derivative`` is omitted it is obtained by autograd.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

__all__ = ["Activation", "get_activation", "CLOSED_FORM_ACTIVATIONS", "NAMED_ACTIVATIONS"]

TensorFn = Callable[[torch.Tensor], torch.Tensor]

#: Activations whose Gaussian expectations E[φφ], E[φ'φ'] have closed forms (THEORY.md §0.3).
CLOSED_FORM_ACTIVATIONS = ("relu", "leaky_relu", "abs", "erf", "identity")


def _autograd_derivative(fn: TensorFn) -> TensorFn:
    """φ' of an elementwise φ by autograd: the gradient of Σ φ(z) w.r.t. z."""

    def derivative(z: torch.Tensor) -> torch.Tensor:
        with torch.enable_grad():
            zz = z.detach().requires_grad_(True)
            (g,) = torch.autograd.grad(fn(zz).sum(), zz)
        return g

    return derivative


@dataclass(frozen=True)
class Activation:
    """A pointwise activation φ with its derivative.

    Parameters
    ----------
    fn:
        Elementwise torch function φ.
    derivative:
        Elementwise φ'. Computed by autograd when ``None``.
    name:
        Display name.
    closed_form:
        Key of the closed-form Gaussian expectations (``"relu"``, ``"leaky_relu"``, ``"erf"``, ``"identity"``), or
        ``None`` for quadrature. ``"abs"`` is ``leaky_relu`` with slope −1.
    negative_slope:
        Slope α of the negative part for ``leaky_relu`` (φ(z) = z for z > 0, αz otherwise; ``abs`` is α = −1).
    """

    fn: TensorFn
    derivative: TensorFn | None = None
    name: str = "custom"
    closed_form: str | None = None
    negative_slope: float = 0.0
    _dfn: TensorFn = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not callable(self.fn):
            raise TypeError(f"activation fn must be callable, got {type(self.fn).__name__}")
        if self.derivative is not None and not callable(self.derivative):
            raise TypeError(f"activation derivative must be callable or None, got {type(self.derivative).__name__}")
        dfn = self.derivative if self.derivative is not None else _autograd_derivative(self.fn)
        object.__setattr__(self, "_dfn", dfn)

    def __call__(self, z: torch.Tensor) -> torch.Tensor:
        return self.fn(z)

    def grad(self, z: torch.Tensor) -> torch.Tensor:
        """φ'(z), elementwise."""
        return self._dfn(z)


def _relu_grad(z: torch.Tensor) -> torch.Tensor:
    return (z > 0).to(z.dtype)


def _erf_grad(z: torch.Tensor) -> torch.Tensor:
    return (2.0 / math.sqrt(math.pi)) * torch.exp(-z * z)


def _tanh_grad(z: torch.Tensor) -> torch.Tensor:
    t = torch.tanh(z)
    return 1.0 - t * t


def _gelu_grad(z: torch.Tensor) -> torch.Tensor:
    # d/dz [z Φ(z)] = Φ(z) + z φ(z)
    cdf = 0.5 * torch.erfc(-z / math.sqrt(2.0))
    pdf = torch.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return cdf + z * pdf


def _sigmoid_grad(z: torch.Tensor) -> torch.Tensor:
    s = torch.sigmoid(z)
    return s * (1.0 - s)


def _leaky(slope: float) -> Activation:
    def fn(z: torch.Tensor) -> torch.Tensor:
        return torch.where(z > 0, z, slope * z)

    def dfn(z: torch.Tensor) -> torch.Tensor:
        # torch's leaky_relu backward uses the negative slope at z = 0; so do we.
        return torch.where(z > 0, torch.ones_like(z), torch.full_like(z, slope))

    return Activation(fn, dfn, name=f"leaky_relu({slope:g})", closed_form="leaky_relu", negative_slope=slope)


def _abs_grad(z: torch.Tensor) -> torch.Tensor:
    return torch.sign(z)


NAMED_ACTIVATIONS: tuple[str, ...] = CLOSED_FORM_ACTIVATIONS + ("tanh", "gelu", "softplus", "sigmoid")


def get_activation(
    activation: str | Activation | TensorFn,
    *,
    negative_slope: float = 0.01,
    derivative: TensorFn | None = None,
) -> Activation:
    """Resolve a name, an :class:`Activation` or a torch callable into an :class:`Activation`.

    Raises ``ValueError`` for an unknown name (listing the known ones) and ``TypeError`` for anything that is
    neither a string nor callable.
    """
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        key = activation.strip().lower()
        if key == "relu":
            return Activation(torch.relu, _relu_grad, name="relu", closed_form="relu")
        if key == "leaky_relu":
            slope = float(negative_slope)
            if not math.isfinite(slope):
                raise ValueError(f"negative_slope must be a finite real number, got {negative_slope!r}")
            return _leaky(slope)
        if key == "abs":
            return Activation(torch.abs, _abs_grad, name="abs", closed_form="leaky_relu", negative_slope=-1.0)
        if key == "erf":
            return Activation(torch.erf, _erf_grad, name="erf", closed_form="erf")
        if key in ("identity", "linear"):
            return Activation(lambda z: z, torch.ones_like, name="identity", closed_form="identity")
        if key == "tanh":
            return Activation(torch.tanh, _tanh_grad, name="tanh")
        if key == "gelu":
            return Activation(F.gelu, _gelu_grad, name="gelu")
        if key == "softplus":
            return Activation(F.softplus, torch.sigmoid, name="softplus")
        if key == "sigmoid":
            return Activation(torch.sigmoid, _sigmoid_grad, name="sigmoid")
        raise ValueError(f"activation must be one of {', '.join(NAMED_ACTIVATIONS)} or a callable, got {activation!r}")
    if callable(activation):
        name = getattr(activation, "__name__", "custom")
        return Activation(activation, derivative, name=name)
    raise TypeError(f"activation must be a name, an Activation or a callable, got {type(activation).__name__}")
