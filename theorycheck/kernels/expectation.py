r"""The interface of a Gaussian-expectation object: what the kernel recursions need from an activation φ.

For (u, v) ~ N(0, [[a, c], [c, b]]) with correlation ρ = c/√(ab), the NNGP/NTK recursions (docs/theory/dense.md)
need E[φ(u)φ(v)] and E[φ'(u)φ'(v)] for every pair of inputs, and E[φ(u)²] for every input. Every object that
computes them satisfies :class:`Expectations`: the closed forms (:class:`~theorycheck.kernels.relu.ReLU`,
:class:`~theorycheck.kernels.leaky_relu.LeakyReLU`, :class:`~theorycheck.kernels.erf.Erf`,
:class:`~theorycheck.kernels.identity.Identity`), scale-aware quadrature
(:class:`~theorycheck.kernels.quadrature.Quadrature`) and any object a user registers with
:func:`theorycheck.activations.register_activation`.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import mpmath
import torch

__all__ = ["Expectations"]


@runtime_checkable
class Expectations(Protocol):
    """Gaussian expectations of one activation φ, in float64 blocks and in mpmath (docs/theory/dense.md)."""

    #: Display name (e.g. ``"relu"``, ``"leaky_relu(0.2)"``).
    name: str

    def diag(self, q: torch.Tensor) -> torch.Tensor:
        """E[φ(u)²] for u ~ N(0, q), elementwise.

        Args:
            q: 1-D tensor of variances q ≥ 0.

        Returns:
            A tensor shaped like ``q``.
        """
        ...

    def stats(self, q: torch.Tensor) -> dict[str, torch.Tensor]:
        """Per-point statistics of the variances that :meth:`block` reads besides √q and 1/√q.

        Args:
            q: tensor of variances q ≥ 0.

        Returns:
            A dict of tensors shaped like ``q`` (empty when :meth:`block` needs nothing else).
        """
        ...

    def block(self, rho: torch.Tensor, rs: dict[str, torch.Tensor], cs: dict[str, torch.Tensor],
              dot: torch.Tensor, work: list[torch.Tensor]) -> None:
        """In place: ``rho`` ← E[φ(u)φ(v)] and ``dot`` ← E[φ'(u)φ'(v)] for a block of pairs.

        Args:
            rho: correlations ρ ∈ [−1, 1] of the block (overwritten with E[φφ]).
            rs: row statistics, broadcastable against ``rho``: ``"s"`` = √a, ``"inv_s"`` = 1/√a (0 at a = 0) and
                the entries of :meth:`stats`.
            cs: the same for the columns (b).
            dot: output buffer shaped like ``rho``.
            work: three scratch buffers shaped like ``rho`` (their contents are destroyed).
        """
        ...

    def pair_mp(self, a: mpmath.mpf, b: mpmath.mpf, rho: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
        """(E[φ(u)φ(v)], E[φ'(u)φ'(v)]) at the working mpmath precision.

        Args:
            a: variance of u.
            b: variance of v.
            rho: correlation of (u, v).

        Returns:
            The two expectations as mpf.

        Raises:
            ValueError: where the expectations are only available in float64 (quadrature).
        """
        ...
