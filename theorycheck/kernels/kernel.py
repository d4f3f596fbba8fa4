"""Containers for limiting kernels: float64 torch tensors (:class:`Kernel`) or mpmath matrices (:class:`MPKernel`)."""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import torch

__all__ = ["Kernel", "MPKernel"]


@dataclass(frozen=True)
class Kernel:
    """The infinite-width NNGP Σ^{(L+1)} and NTK Θ^{(L+1)} of a network on two batches (THEORY.md §0.2).

    Attributes
    ----------
    nngp:
        ``[n1, n2]`` float64 tensor, the covariance of the output at initialisation.
    ntk:
        ``[n1, n2]`` float64 tensor, the neural tangent kernel w.r.t. all weights and biases.
    """

    nngp: torch.Tensor
    ntk: torch.Tensor

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.ntk.shape[0]), int(self.ntk.shape[1]))

    def to(self, device: str | torch.device) -> Kernel:
        return Kernel(self.nngp.to(device), self.ntk.to(device))

    def __repr__(self) -> str:
        return f"Kernel(shape={self.shape}, dtype={self.ntk.dtype}, device={self.ntk.device})"


@dataclass(frozen=True)
class MPKernel:
    """The same kernels as :class:`Kernel`, evaluated with mpmath at ``dps`` significant decimal digits."""

    nngp: mpmath.matrix
    ntk: mpmath.matrix
    dps: int

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.ntk.rows), int(self.ntk.cols))

    def to_torch(self) -> Kernel:
        """Round both matrices to float64 tensors."""

        def conv(m: mpmath.matrix) -> torch.Tensor:
            return torch.tensor([[float(m[i, j]) for j in range(m.cols)] for i in range(m.rows)], dtype=torch.float64)

        return Kernel(conv(self.nngp), conv(self.ntk))

    def __repr__(self) -> str:
        return f"MPKernel(shape={self.shape}, dps={self.dps})"
