"""Activation functions shared by the finite networks and their infinite-width kernels: one registry.

An :class:`Activation` carries the pointwise function φ, its derivative φ' (needed by the NTK's derivative kernel
Σ̇ = σ_w² E[φ'(u)φ'(v)], docs/theory/dense.md) and, where one is known, the object computing its Gaussian
expectations in closed form (:class:`~theorycheck.kernels.expectation.Expectations`). Every other activation is
integrated by scale-aware quadrature (:class:`~theorycheck.kernels.quadrature.Quadrature`).

The registry maps a name to (φ, φ', expectations). Built in: ``relu``, ``leaky_relu`` (``negative_slope``),
``abs``, ``erf``, ``identity`` (alias ``linear``) with closed forms; ``tanh``, ``gelu`` (exact, erf-based),
``softplus``, ``sigmoid`` by quadrature. :func:`register_activation` adds a user's own, closed form or not; a
callable passed directly (``Activation(fn, derivative=..., name=...)`` or a bare torch function) works too, its
derivative by autograd when omitted.

This module sits above the analytic kernels (it imports the closed-form expectation classes); the kernels never
import it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from .kernels.erf import Erf
from .kernels.expectation import Expectations
from .kernels.identity import Identity
from .kernels.leaky_relu import LeakyReLU
from .kernels.quadrature import Quadrature
from .kernels.relu import ReLU

__all__ = [
    "Activation", "get_activation", "register_activation", "unregister_activation", "registered_activations",
    "CLOSED_FORM_ACTIVATIONS", "NAMED_ACTIVATIONS",
]

TensorFn = Callable[[torch.Tensor], torch.Tensor]

#: Built-in activations whose Gaussian expectations E[φφ], E[φ'φ'] have closed forms (docs/theory/dense.md).
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
    """A pointwise activation φ with its derivative and, optionally, closed-form Gaussian expectations.

    Args:
        fn: elementwise torch function φ.
        derivative: elementwise φ'; computed by autograd when ``None``.
        name: display name.
        expectation: an :class:`~theorycheck.kernels.expectation.Expectations` object computing E[φφ] and
            E[φ'φ'] exactly (docs/theory/dense.md), or ``None`` for quadrature.

    Raises:
        TypeError: if ``fn`` or ``derivative`` is not callable, or ``expectation`` lacks a method of the protocol.
    """

    fn: TensorFn
    derivative: TensorFn | None = None
    name: str = "custom"
    expectation: Expectations | None = None
    _dfn: TensorFn = field(init=False, repr=False, compare=False)
    _joint: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]] | None = field(
        default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not callable(self.fn):
            raise TypeError(f"activation fn must be callable, got {type(self.fn).__name__}")
        if self.derivative is not None and not callable(self.derivative):
            raise TypeError(f"activation derivative must be callable or None, got {type(self.derivative).__name__}")
        if self.expectation is not None and not isinstance(self.expectation, Expectations):
            raise TypeError("activation expectation must implement theorycheck.kernels.expectation.Expectations "
                            f"(name, diag, stats, block, pair_mp), got {type(self.expectation).__name__}")
        dfn = self.derivative if self.derivative is not None else _autograd_derivative(self.fn)
        object.__setattr__(self, "_dfn", dfn)

    def __call__(self, z: torch.Tensor) -> torch.Tensor:
        return self.fn(z)

    def grad(self, z: torch.Tensor) -> torch.Tensor:
        """φ'(z), elementwise."""
        return self._dfn(z)

    def value_and_grad(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(φ(z), φ'(z)) together, sharing the work where possible (the quadrature's inner loop).

        Built-ins whose derivative shares the transcendental with the value (tanh: φ' = 1 − φ², sigmoid:
        φ(1 − φ), gelu: Φ(z) in φ = zΦ(z) and φ' = Φ(z) + zφ(z)) evaluate it once; an autograd derivative comes from
        one forward and one backward pass; otherwise ``(fn(z), grad(z))``. The numbers agree with :meth:`__call__`
        and :meth:`grad` to rounding (absolutely, ≤ 1e-15·max(1, |z|)).

        Args:
            z: Tensor of pre-activations.

        Returns:
            (φ(z), φ'(z)), two tensors shaped like ``z``.
        """
        if self._joint is not None:
            return self._joint(z)
        if self.derivative is None:
            with torch.enable_grad():
                zz = z.detach().requires_grad_(True)
                y = self.fn(zz)
                (g,) = torch.autograd.grad(y.sum(), zz)
            return y.detach(), g
        return self.fn(z), self._dfn(z)

    @property
    def closed_form(self) -> bool:
        """Whether the Gaussian expectations are exact (else quadrature)."""
        return self.expectation is not None

    def expectations(self, quadrature_degree: int = 48) -> Expectations:
        """The object the kernel recursions use for E[φφ] and E[φ'φ'] (docs/theory/dense.md).

        Args:
            quadrature_degree: accuracy knob of the quadrature when there is no closed form (see ``tc.MLP``).

        Returns:
            The closed-form expectations, else a :class:`~theorycheck.kernels.quadrature.Quadrature` of φ.
        """
        if self.expectation is not None:
            return self.expectation
        return Quadrature(self, quadrature_degree)


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


def _tanh_joint(z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    t = torch.tanh(z)
    return t, torch.addcmul(torch.ones((), dtype=t.dtype, device=t.device), t, t, value=-1.0)


def _sigmoid_joint(z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    s = torch.sigmoid(z)
    return s, s * (1.0 - s)


def _gelu_joint(z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    # Φ once for φ = zΦ(z) and φ' = Φ(z) + zφ(z); erfc keeps Φ accurate where torch's erf-based gelu cancels
    cdf = 0.5 * torch.erfc(z * (-1.0 / math.sqrt(2.0)))
    pdf = torch.exp(-0.5 * z * z) * (1.0 / math.sqrt(2.0 * math.pi))
    return z * cdf, torch.addcmul(cdf, z, pdf)


def _with_joint(act: Activation, joint: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]) -> Activation:
    """``act`` with a (φ, φ') evaluator that shares the transcendental (see :meth:`Activation.value_and_grad`)."""
    object.__setattr__(act, "_joint", joint)
    return act


def _leaky(slope: float) -> Activation:
    def fn(z: torch.Tensor) -> torch.Tensor:
        return torch.where(z > 0, z, slope * z)

    def dfn(z: torch.Tensor) -> torch.Tensor:
        # torch's leaky_relu backward uses the negative slope at z = 0; so do we.
        return torch.where(z > 0, torch.ones_like(z), torch.full_like(z, slope))

    return Activation(fn, dfn, name=f"leaky_relu({slope:g})", expectation=LeakyReLU(slope))


def _abs_grad(z: torch.Tensor) -> torch.Tensor:
    return torch.sign(z)


#: name → builder(negative_slope) of the :class:`Activation`: the one registry of (φ, φ', expectations).
_REGISTRY: dict[str, Callable[[float], Activation]] = {}


def _constant(act: Activation) -> Callable[[float], Activation]:
    return lambda negative_slope: act


def _leaky_builder(negative_slope: float) -> Activation:
    slope = float(negative_slope)
    if not math.isfinite(slope):
        raise ValueError(f"negative_slope must be a finite real number, got {negative_slope!r}")
    return _leaky(slope)


_BUILTINS: dict[str, Callable[[float], Activation]] = {
    "relu": _constant(Activation(torch.relu, _relu_grad, name="relu", expectation=ReLU())),
    "leaky_relu": _leaky_builder,
    "abs": _constant(Activation(torch.abs, _abs_grad, name="abs", expectation=LeakyReLU(-1.0))),
    "erf": _constant(Activation(torch.erf, _erf_grad, name="erf", expectation=Erf())),
    "identity": _constant(Activation(lambda z: z, torch.ones_like, name="identity", expectation=Identity())),
    "tanh": _constant(_with_joint(Activation(torch.tanh, _tanh_grad, name="tanh"), _tanh_joint)),
    "gelu": _constant(_with_joint(Activation(F.gelu, _gelu_grad, name="gelu"), _gelu_joint)),
    "softplus": _constant(Activation(F.softplus, torch.sigmoid, name="softplus")),
    "sigmoid": _constant(_with_joint(Activation(torch.sigmoid, _sigmoid_grad, name="sigmoid"), _sigmoid_joint)),
}
_REGISTRY.update(_BUILTINS)
_ALIASES = {"linear": "identity"}

#: The built-in names (``registered_activations()`` also lists the user's).
NAMED_ACTIVATIONS: tuple[str, ...] = CLOSED_FORM_ACTIVATIONS + ("tanh", "gelu", "softplus", "sigmoid")


def _key(name: str) -> str:
    key = name.strip().lower()
    return _ALIASES.get(key, key)


def registered_activations() -> tuple[str, ...]:
    """The names :func:`get_activation` resolves: the built-ins first, then the user's in registration order."""
    return tuple(_REGISTRY)


def register_activation(name: str, fn: TensorFn, derivative: TensorFn | None = None,
                        expectation: Expectations | None = None, *, replace: bool = False) -> Activation:
    """Register φ under ``name`` so that ``tc.MLP(activation=name)`` and :func:`get_activation` find it.

    The finite network uses ``fn`` and ``derivative``; the limiting kernels (docs/theory/dense.md) use
    ``expectation`` when given (and then ``MLP.kernel_mp`` works too), else scale-aware quadrature of ``fn``.

    Args:
        name: the key (case-insensitive, stripped); not a built-in name.
        fn: elementwise torch function φ.
        derivative: elementwise φ' (default: autograd).
        expectation: closed-form :class:`~theorycheck.kernels.expectation.Expectations` of φ, or ``None``.
        replace: allow overwriting an earlier user registration of ``name``.

    Returns:
        The registered :class:`Activation`.

    Raises:
        TypeError: if ``name`` is not a string, or ``fn``/``derivative``/``expectation`` have the wrong type.
        ValueError: if ``name`` is empty, a built-in, or already registered and ``replace`` is false.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    key = _key(name)
    if not key:
        raise ValueError("name must be a non-empty string")
    if key in _BUILTINS or key in _ALIASES:
        raise ValueError(f"name {name!r} is a built-in activation and cannot be replaced")
    if key in _REGISTRY and not replace:
        raise ValueError(f"activation {key!r} is already registered; pass replace=True to overwrite it")
    act = Activation(fn, derivative, name=key, expectation=expectation)
    _REGISTRY[key] = _constant(act)
    return act


def unregister_activation(name: str) -> None:
    """Remove a user-registered activation.

    Args:
        name: a name registered by :func:`register_activation`.

    Raises:
        ValueError: for a built-in or an unknown name.
    """
    key = _key(name)
    if key in _BUILTINS:
        raise ValueError(f"name {name!r} is a built-in activation and cannot be removed")
    if key not in _REGISTRY:
        raise ValueError(f"activation {name!r} is not registered")
    del _REGISTRY[key]


def get_activation(
    activation: str | Activation | TensorFn,
    *,
    negative_slope: float = 0.01,
    derivative: TensorFn | None = None,
) -> Activation:
    """Resolve a registered name, an :class:`Activation` or a torch callable into an :class:`Activation`.

    Args:
        activation: a name of :func:`registered_activations`, an :class:`Activation` (returned as is) or an
            elementwise torch callable (quadrature kernels).
        negative_slope: slope α of ``leaky_relu``'s negative part (finite).
        derivative: φ' of a bare callable (default: autograd).

    Returns:
        The :class:`Activation`.

    Raises:
        ValueError: for an unknown name (listing the registered ones) or a non-finite ``negative_slope``.
        TypeError: for anything that is neither a string nor callable.
    """
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        builder = _REGISTRY.get(_key(activation))
        if builder is None:
            raise ValueError(f"activation must be one of {', '.join(_REGISTRY)} or a callable, got {activation!r}")
        return builder(negative_slope)
    if callable(activation):
        name = getattr(activation, "__name__", "custom")
        return Activation(activation, derivative, name=name)
    raise TypeError(f"activation must be a name, an Activation or a callable, got {type(activation).__name__}")
