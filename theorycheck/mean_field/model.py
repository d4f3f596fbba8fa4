r"""The teacher task and the network on the sphere: data, network output, exact test error.

Montanari & Urbani (NeurIPS 2025, arXiv 2502.21269, §2 and App. A) study

    f(x; θ) = (1/m) Σ_{i≤m} a_i σ(⟨w_i, x⟩),   ‖w_i‖ = 1,   θ = (a, W)
    x ~ N(0, I_d),   y = φ(⟨u, x⟩) + ε,   ε ~ N(0, τ²),   ‖u‖ = 1   (one index, k = 1; here u = e₁).

Because each ⟨w_i, x⟩ is standard normal with correlation ⟨w_i, u⟩ to ⟨u, x⟩ and ⟨w_i, w_j⟩ to ⟨w_j, x⟩, the test
error needs no test sample (A.4, A.6):

    R(θ) = ½ [τ² + ‖φ‖² − (2/m) Σ_i a_i φ̂(⟨u, w_i⟩) + (1/m²) Σ_{i,j} a_i a_j h(⟨w_i, w_j⟩)].

Docs: ``docs/theory/beyond_kernel.md#decoupling-of-generalisation-and-overfitting``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from .._validation import check_int, check_real, check_seed, resolve_device
from ..stats import chunked_mean
from .activations import SPHERE_ACTIVATIONS, HermiteActivation, SphereActivation, cross_kernel, sphere_activation

__all__ = ["SphereTask", "network_output"]


def _params(a: Any, w: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Validate (a, W): a of shape [m], W of shape [d, m] with unit-norm columns (float64)."""
    if not isinstance(a, torch.Tensor) or not isinstance(w, torch.Tensor):
        raise TypeError(f"a and w must be torch tensors, got {type(a).__name__} and {type(w).__name__}")
    for name, t in (("a", a), ("w", w)):
        if t.dtype != torch.float64:
            raise TypeError(f"{name} must be a float64 tensor (the exact test error and the unit-norm check need "
                            f"float64), got {t.dtype}; convert with {name}.double() (and renormalise w's columns)")
    if a.dim() != 1 or w.dim() != 2 or w.shape[1] != a.shape[0] or a.numel() == 0:
        raise ValueError(f"a must have shape [m] and w shape [d, m] with m ≥ 1, got {tuple(a.shape)} and "
                         f"{tuple(w.shape)}")
    if not (torch.isfinite(a.detach()).all() and torch.isfinite(w.detach()).all()):
        raise ValueError("a and w must be finite")
    off = float((w.detach().norm(dim=0) - 1).abs().max())
    if not off <= 1e-8:  # NaN fails too
        raise ValueError(f"every column of w must have unit norm (neurons live on the sphere); max |‖w_i‖ − 1| = "
                         f"{off:.3g}")
    return a, w


def _activation(name: str, value: Any) -> SphereActivation:
    """An activation argument: a SphereActivation, or a name from SPHERE_ACTIVATIONS."""
    if isinstance(value, str):
        if value not in SPHERE_ACTIVATIONS:
            raise ValueError(f"{name} must be a SphereActivation or one of the names {', '.join(SPHERE_ACTIVATIONS)}, "
                             f"got {value!r}")
        return sphere_activation(value)
    if not isinstance(value, SphereActivation):
        raise TypeError(f"{name} must be a SphereActivation (HermiteActivation or ErfActivation) or one of the names "
                        f"{', '.join(SPHERE_ACTIVATIONS)}, got {type(value).__name__}")
    return value


def network_output(x: torch.Tensor, a: torch.Tensor, w: torch.Tensor, activation: SphereActivation) -> torch.Tensor:
    """f(x; θ) = (1/m) Σ_i a_i σ(⟨w_i, x⟩) for each row of x ([n, d] → [n])."""
    return activation(x @ w) @ a / a.shape[0]


@dataclass(frozen=True)
class SphereTask:
    """A single-index teacher y = φ(⟨e₁, x⟩) + ε on Gaussian inputs in R^d, learned by a student with activation σ.

    Args:
        d: input dimension (≥ 2).
        tau: noise standard deviation τ ≥ 0.
        student: the student's activation σ (default: the paper's cubic, h(q) = 0.9q + q³/6): a
            :class:`~theorycheck.mean_field.activations.SphereActivation` or one of the names ``"cubic"``, ``"erf"``
            (resolved by :func:`~theorycheck.mean_field.activations.sphere_activation`).
        teacher: the teacher's φ, an activation or a name as for ``student`` (default: σ itself, the paper's case
            φ̂ = h).

    Raises:
        TypeError: for a non-integer ``d``, or a ``student``/``teacher`` that is neither an activation nor a string.
        ValueError: for a too small ``d``, a negative ``tau``, an unknown activation name, or an activation pair
            without a closed-form φ̂ (see :func:`~theorycheck.mean_field.activations.cross_kernel`).
    """

    d: int
    tau: float
    student: SphereActivation = field(default_factory=HermiteActivation.paper)
    teacher: SphereActivation | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "d", check_int("d", self.d, minimum=2))
        object.__setattr__(self, "tau", check_real("tau", self.tau, minimum=0.0))
        object.__setattr__(self, "student", _activation("student", self.student))
        if self.teacher is not None:
            object.__setattr__(self, "teacher", _activation("teacher", self.teacher))
        if self.teacher is None:
            object.__setattr__(self, "teacher", self.student)
        cross_kernel(self.teacher, self.student)  # validates the pair

    # -------------------------------------------------------------- kernels
    @property
    def phi_hat(self):
        """φ̂(q) = E φ(G₁)σ(G_q) (callable, with ``.derivative``)."""
        return cross_kernel(self.teacher, self.student)

    def h(self, q: Any) -> Any:
        """h(q) = E σ(G₁)σ(G_q)."""
        return self.student.kernel(q)

    @property
    def teacher_norm2(self) -> float:
        """‖φ‖² = E φ(G)²."""
        return self.teacher.norm2

    @property
    def bayes_error(self) -> float:
        """τ²/2, the test error of the teacher itself (R is half the mean squared error)."""
        return 0.5 * self.tau**2

    # -------------------------------------------------------------- data
    def sample(self, n: int, generator: torch.Generator, device: Any = None) -> tuple[torch.Tensor, torch.Tensor]:
        """n i.i.d. pairs (x, y): x ~ N(0, I_d), y = φ(x₁) + τ ε (float64; drawn on the CPU generator, then moved).

        Args:
            n: number of samples (≥ 1).
            generator: a CPU ``torch.Generator`` (x first, then ε).
            device: where the tensors go (CPU default).

        Returns:
            ``(x [n, d], y [n])``.
        """
        n = check_int("n", n, minimum=1)
        if not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
        x = torch.randn(n, self.d, generator=generator, dtype=torch.float64)
        eps = torch.randn(n, generator=generator, dtype=torch.float64)
        y = self.teacher(x[:, 0]) + self.tau * eps
        dev = resolve_device(device)
        return x.to(dev), y.to(dev)

    # -------------------------------------------------------------- errors
    def test_error(self, a: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """The exact population risk R(θ) = ½ E (y − f(x; θ))² (App. A.4/A.6), differentiable in (a, w).

        Args:
            a: second-layer weights, a float64 tensor of shape [m].
            w: first-layer weights, a float64 tensor of shape [d, m], unit-norm columns.

        Returns:
            A 0-d float64 tensor.

        Raises:
            TypeError: for non-tensors or a dtype other than float64.
            ValueError: for wrong shapes, non-finite entries or columns off the sphere.
        """
        a, w = _params(a, w)
        if w.shape[0] != self.d:
            raise ValueError(f"w must have d = {self.d} rows, got {w.shape[0]}")
        m = a.shape[0]
        gram = (w.T @ w).clamp(-1.0, 1.0)
        cross = self.phi_hat(w[0])
        return 0.5 * (self.tau**2 + self.teacher_norm2 - 2.0 / m * (a @ cross) + (a @ self.h(gram) @ a) / m**2)

    def test_error_monte_carlo(self, a: torch.Tensor, w: torch.Tensor, samples: int, seed: int,
                               chunk: int = 50_000) -> tuple[float, float]:
        """½ mean (y − f(x))² over ``samples`` fresh pairs, with its standard error (an independent route to R).

        Args:
            a, w: the network (as in :meth:`test_error`).
            samples: number of Monte Carlo pairs (≥ 2).
            seed: seed of the sampling generator.
            chunk: pairs per batch (memory only).

        Returns:
            ``(mean, standard error)``.
        """
        a, w = _params(a, w)
        samples = check_int("samples", samples, minimum=2)
        chunk = check_int("chunk", chunk, minimum=1)
        gen = torch.Generator().manual_seed(check_seed("seed", seed))

        def draw(b: int) -> torch.Tensor:
            x, y = self.sample(b, gen, device=a.device)
            return 0.5 * (y - network_output(x, a, w, self.student)) ** 2

        return chunked_mean(draw, samples, chunk)

    def train_error(self, a: torch.Tensor, w: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """R̂_n(θ) = (1/2n) Σ_μ (y_μ − f(x_μ; θ))²."""
        return 0.5 * ((y - network_output(x, a, w, self.student)) ** 2).mean()

    def mean_field_error(self, v: Any, a: Any) -> Any:
        """e_mf(v, a) = ½(τ² + ‖φ‖² − 2aφ̂(v) + a²h(v²)): R of infinitely many identical neurons with overlap v."""
        return 0.5 * (self.tau**2 + self.teacher_norm2 - 2.0 * a * self.phi_hat(v) + a * a * self.h(v * v))
