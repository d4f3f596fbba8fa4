r"""Activations of the two-layer network on the sphere, with their Gaussian kernels in closed form.

For a unit-norm neuron ``w`` and ``x ~ N(0, I_d)`` the pre-activation ⟨w, x⟩ is standard normal, so every population
quantity of the network reduces to the one-dimensional kernels

    h(q) = E σ(G₁)σ(G_q),    φ̂(q) = E φ(G₁)σ(G_q)      (G₁, G_q standard normal with correlation q).

Two families have them in closed form:

* :class:`HermiteActivation`: σ(z) = Σ_k s_k He_k(z)/√(k!) (normalised probabilists' Hermite polynomials), for which
  h(q) = Σ_k s_k² q^k and, for a Hermite teacher with coefficients c_k, φ̂(q) = Σ_k c_k s_k q^k (Mehler's formula).
  The activation of Montanari & Urbani's figures is :meth:`HermiteActivation.paper` (s₁ = √0.9, s₃ = 1/√6:
  σ(z) = √0.9·z + (z³ − 3z)/6, h(q) = 0.9q + q³/6).
* :class:`ErfActivation`: σ(z) = erf(z), h(q) = (2/π) arcsin(2q/3) (Williams 1997 at unit variance); bounded and
  Lipschitz, so it satisfies the hypotheses of the paper's Theorems 1–2, which the cubic does not.

Docs: ``docs/theory/beyond_kernel.md#decoupling-of-generalisation-and-overfitting``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from .._validation import check_real

__all__ = ["SphereActivation", "HermiteActivation", "ErfActivation", "cross_kernel", "sphere_activation",
           "SPHERE_ACTIVATIONS"]


def _asin(x: Any) -> Any:
    return torch.asin(x) if isinstance(x, torch.Tensor) else np.arcsin(x)


def _sqrt(x: Any) -> Any:
    return torch.sqrt(x) if isinstance(x, torch.Tensor) else np.sqrt(x)


class SphereActivation:
    """An activation σ with its Gaussian kernel h(q) = E σ(G₁)σ(G_q) and h'(q) in closed form.

    Subclasses implement :meth:`__call__`, :meth:`derivative`, :meth:`kernel` and :meth:`kernel_derivative`; the
    kernel methods accept floats, numpy arrays or torch tensors with entries in [−1, 1].
    """

    name = "activation"

    def __call__(self, z: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def derivative(self, z: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def kernel(self, q: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def kernel_derivative(self, q: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def norm2(self) -> float:
        """‖σ‖² = E σ(G)² = h(1)."""
        return float(self.kernel(1.0))


class HermiteActivation(SphereActivation):
    r"""σ(z) = Σ_k s_k He_k(z)/√(k!), a polynomial in normalised Hermite form; h(q) = Σ_k s_k² q^k.

    Args:
        coefficients: the normalised Hermite coefficients (s₀, s₁, …, s_K), real, not all zero.

    Raises:
        TypeError: if ``coefficients`` is not a sequence of real numbers.
        ValueError: if it is empty, all zero or holds a non-finite number.
    """

    def __init__(self, coefficients: tuple[float, ...] | list[float]) -> None:
        if isinstance(coefficients, (str, bytes)) or not hasattr(coefficients, "__len__"):
            raise TypeError(f"coefficients must be a sequence of real numbers, got {type(coefficients).__name__}")
        if len(coefficients) == 0:
            raise ValueError("coefficients must hold at least one Hermite coefficient, got an empty sequence")
        self.coefficients = tuple(check_real(f"coefficients[{k}]", c) for k, c in enumerate(coefficients))
        if not any(self.coefficients):
            raise ValueError("coefficients must not all be zero (σ ≡ 0 has no kernel to learn with)")
        self.name = "hermite(" + ", ".join(f"{c:.4g}" for c in self.coefficients) + ")"
        self._poly, self._dpoly = self._monomial()

    @classmethod
    def paper(cls) -> HermiteActivation:
        """Montanari & Urbani's figure activation: s₁ = √0.9, s₃ = 1/√6, so h(q) = 0.9q + q³/6."""
        return cls((0.0, math.sqrt(0.9), 0.0, 1.0 / math.sqrt(6.0)))

    def _monomial(self) -> tuple[np.ndarray, np.ndarray]:
        """Monomial coefficients of σ and σ' (lowest degree first), for Horner evaluation."""
        scaled = [c / math.sqrt(math.factorial(k)) for k, c in enumerate(self.coefficients)]
        poly = np.polynomial.hermite_e.herme2poly(scaled)
        return poly, np.polynomial.polynomial.polyder(poly) if poly.size > 1 else np.zeros(1)

    @staticmethod
    def _horner(coef: np.ndarray, z: torch.Tensor) -> torch.Tensor:
        out = torch.full_like(z, float(coef[-1]))
        for c in coef[-2::-1]:
            out.mul_(z).add_(float(c))
        return out

    def __call__(self, z: torch.Tensor) -> torch.Tensor:
        return self._horner(self._poly, z)

    def derivative(self, z: torch.Tensor) -> torch.Tensor:
        """σ'(z) = Σ_k s_k k He_{k−1}(z)/√(k!)."""
        return self._horner(self._dpoly, z)

    def kernel(self, q: Any) -> Any:
        return sum(c * c * q**k for k, c in enumerate(self.coefficients) if c)

    def kernel_derivative(self, q: Any) -> Any:
        terms = [k * c * c * q ** (k - 1) for k, c in enumerate(self.coefficients) if c and k]
        return sum(terms) if terms else 0.0 * q

    def __repr__(self) -> str:
        return f"HermiteActivation({self.coefficients})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HermiteActivation) and other.coefficients == self.coefficients

    def __hash__(self) -> int:
        return hash(("hermite", self.coefficients))


class ErfActivation(SphereActivation):
    """σ(z) = erf(z); h(q) = (2/π) arcsin(2q/3), h'(q) = (4/(3π)) / √(1 − 4q²/9)."""

    name = "erf"

    def __call__(self, z: torch.Tensor) -> torch.Tensor:
        return torch.erf(z)

    def derivative(self, z: torch.Tensor) -> torch.Tensor:
        return 2.0 / math.sqrt(math.pi) * torch.exp(-z * z)

    def kernel(self, q: Any) -> Any:
        return 2.0 / math.pi * _asin(2.0 * q / 3.0)

    def kernel_derivative(self, q: Any) -> Any:
        return 4.0 / (3.0 * math.pi) / _sqrt(1.0 - 4.0 * q * q / 9.0)

    def __repr__(self) -> str:
        return "ErfActivation()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ErfActivation)

    def __hash__(self) -> int:
        return hash("erf")


class _CrossKernel:
    """φ̂(q) = E φ(G₁)σ(G_q) and its derivative, for a teacher φ and a student σ."""

    def __init__(self, teacher: SphereActivation, student: SphereActivation) -> None:
        self.teacher, self.student = teacher, student
        if teacher == student:
            self._same = True
        elif isinstance(teacher, HermiteActivation) and isinstance(student, HermiteActivation):
            self._same = False
            k = min(len(teacher.coefficients), len(student.coefficients))
            self._coef = tuple(teacher.coefficients[i] * student.coefficients[i] for i in range(k))
        else:
            raise ValueError("teacher and student must be the same activation, or both HermiteActivation, for φ̂ to "
                             f"have a closed form; got teacher={teacher!r}, student={student!r}")

    def __call__(self, q: Any) -> Any:
        if self._same:
            return self.student.kernel(q)
        return sum(c * q**k for k, c in enumerate(self._coef) if c) + 0.0 * q

    def derivative(self, q: Any) -> Any:
        if self._same:
            return self.student.kernel_derivative(q)
        return sum(k * c * q ** (k - 1) for k, c in enumerate(self._coef) if c and k) + 0.0 * q


def cross_kernel(teacher: SphereActivation, student: SphereActivation) -> _CrossKernel:
    """The teacher–student kernel φ̂(q) = E φ(G₁)σ(G_q) (callable, with ``.derivative``).

    Args:
        teacher: φ.
        student: σ.

    Returns:
        A callable q ↦ φ̂(q) with a ``derivative`` method; equal to h when φ = σ, and Σ c_k s_k q^k for two Hermite
        activations (Mehler's formula).

    Raises:
        TypeError: if either is not a :class:`SphereActivation`.
        ValueError: for a pair without a closed form (different activations, not both Hermite).
    """
    for name, act in (("teacher", teacher), ("student", student)):
        if not isinstance(act, SphereActivation):
            raise TypeError(f"{name} must be a SphereActivation (HermiteActivation or ErfActivation), "
                            f"got {type(act).__name__}")
    return _CrossKernel(teacher, student)


#: Named activations for configs and sweep points: the paper's cubic (h = 0.9q + q³/6) and erf.
SPHERE_ACTIVATIONS = ("cubic", "erf")


def sphere_activation(name: str) -> SphereActivation:
    """The named activation: ``"cubic"`` (:meth:`HermiteActivation.paper`) or ``"erf"`` (:class:`ErfActivation`).

    Raises:
        ValueError: for another name.
    """
    if name == "cubic":
        return HermiteActivation.paper()
    if name == "erf":
        return ErfActivation()
    raise ValueError(f"activation must be one of {', '.join(SPHERE_ACTIVATIONS)}, got {name!r}")
