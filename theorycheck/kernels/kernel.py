"""Containers for limiting kernels: float64 torch tensors (:class:`Kernel`) or mpmath matrices (:class:`MPKernel`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import torch

__all__ = ["Kernel", "MPKernel"]


@dataclass(frozen=True)
class Kernel:
    """The infinite-width NNGP Σ^{(L+1)} and NTK Θ^{(L+1)} of a network on two batches (docs/theory/dense.md).

    Attributes
    ----------
    nngp:
        ``[n1, n2]`` float64 tensor, the covariance of the output at initialisation.
    ntk:
        ``[n1, n2]`` float64 tensor, the neural tangent kernel w.r.t. all weights and biases.
    info:
        ``None``, or how a pruned input layer was treated (docs/theory/pruned.md): ``input_layer`` (``"enumerate"``,
        ``"sample"`` or ``"gaussian"``), and for ``"sample"`` the standard errors ``nngp_stderr``/``ntk_stderr``
        ([n1, n2]); for ``"gaussian"`` the estimated relative error ``gaussian_rel_error`` (see
        :meth:`theorycheck.MLP.kernel`).
    quadrature_error:
        ``None`` when every Gaussian expectation has a closed form (relu, leaky_relu, abs, erf, identity). For an
        activation integrated by quadrature (:class:`~theorycheck.kernels.quadrature.Quadrature`), the largest
        a-posteriori error estimate of one layer's expectations E[φφ], E[φ'φ'] during this call, relative to
        √(E[φ(u)²]E[φ(v)²]) (resp. the same for φ'): the difference between the rule and a finer rule (more nodes
        per panel, finer grading) on a sample of entries (the extremes of ρ, of closeness to ±1 and of the
        variances). Above :data:`~theorycheck.kernels.quadrature.TARGET` (1e-10) a
        :class:`~theorycheck.kernels.quadrature.QuadratureAccuracyWarning` was issued as well. Over L layers the
        kernel's own relative error is of order L times this (more where the recursion amplifies perturbations).
    """

    nngp: torch.Tensor
    ntk: torch.Tensor
    info: dict | None = field(default=None, compare=False, repr=False)
    quadrature_error: float | None = field(default=None, compare=False)

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.ntk.shape[0]), int(self.ntk.shape[1]))

    def to(self, device: str | torch.device) -> Kernel:
        info = None if self.info is None else {k: v.to(device) if isinstance(v, torch.Tensor) else v
                                               for k, v in self.info.items()}
        return Kernel(self.nngp.to(device), self.ntk.to(device), info, self.quadrature_error)

    def __repr__(self) -> str:
        q = "" if self.quadrature_error is None else f", quadrature_error={self.quadrature_error:.2g}"
        return f"Kernel(shape={self.shape}, dtype={self.ntk.dtype}, device={self.ntk.device}{q})"


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
        """Round both matrices to float64 tensors.

        Raises:
            OverflowError: for entries beyond float64's range (they would round to ±inf), with their magnitude.
        """

        def conv(m: mpmath.matrix) -> torch.Tensor:
            out = torch.tensor([[float(m[i, j]) for j in range(m.cols)] for i in range(m.rows)], dtype=torch.float64)
            if not bool(torch.isfinite(out).all()):
                top = max(abs(m[i, j]) for i in range(m.rows) for j in range(m.cols))
                raise OverflowError(f"kernel entries exceed float64 (≈ 1e{float(mpmath.log10(top)):.0f}); keep the "
                                    "MPKernel, or reduce sigma_w, the depth or the input scale")
            return out

        return Kernel(conv(self.nngp), conv(self.ntk))

    def __repr__(self) -> str:
        return f"MPKernel(shape={self.shape}, dps={self.dps})"
