r"""The bias-generalized NTK of a one-hidden-layer ReLU network with large initial bias (Yang, Jiang, Zhang, Wang,
Liang 2023; docs/theory/bias.md, §0.4).

For f(x) = m^{-1/2} Σ_r a_r relu(⟨w_r, x⟩ − b_r), a_r = ±1 fixed, w_r ~ N(0, I), b_r(0) = B, ‖x‖ = 1, with
ρ = ⟨x, x'⟩ and (Z1, Z2) standard bivariate normal with correlation ρ:

.. math::

    H_B(x,x') = (\rho + 1)\,P(Z_1 \ge B, Z_2 \ge B) \ \ \text{(trainable bias)},\qquad
    \rho\,P(Z_1 \ge B, Z_2 \ge B)\ \ \text{(frozen bias)},

    K_B(x,x') = E[\mathrm{relu}(Z_1 - B)\,\mathrm{relu}(Z_2 - B)] \quad \text{(NNGP: the output covariance)}.

Diagonal: H_B(x, x) = 2(1 − Φ(B)). At B = 0: H_0 = (ρ + 1)(π − arccos ρ)/(2π) and K_0 the degree-1 arc-cosine
kernel. Both are computed by :mod:`theorycheck.kernels.orthant` (relative error ≤ 1e-10 for B ∈ [0, 30]); ``log``
variants give the logarithms where the values underflow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .orthant import orthant_probability, shifted_relu_moment
from .recursion import SNAP

__all__ = ["bias_kernels", "LogKernel", "correlations"]


@dataclass(frozen=True)
class LogKernel:
    """Logarithms of a kernel whose entries may underflow: ``log_nngp``, ``log_abs_ntk`` and ``sign_ntk``."""

    log_nngp: torch.Tensor
    log_abs_ntk: torch.Tensor
    sign_ntk: torch.Tensor


def correlations(x1: torch.Tensor, x2: torch.Tensor | None) -> np.ndarray:
    """ρ = ⟨x, x'⟩ of unit inputs, clipped to [−1, 1], snapped to ±1 within 16 ulps, exactly 1 on a self-diagonal."""
    rho = (x1 @ (x1 if x2 is None else x2).T).cpu().numpy().astype(np.float64)
    rho = np.clip(rho, -1.0, 1.0)
    rho = np.where(np.abs(rho) > 1.0 - SNAP, np.sign(rho), rho)
    if x2 is None:
        np.fill_diagonal(rho, 1.0)
    return rho


def bias_kernels(x1: torch.Tensor, x2: torch.Tensor | None, B: float, train_bias: bool = True, log: bool = False):
    """(NNGP K_B, NTK H_B) on validated unit inputs as float64 tensors, or a :class:`LogKernel` if ``log``."""
    rho = correlations(x1, x2)
    factor = rho + 1.0 if train_bias else rho
    if log:
        lp = orthant_probability(B, rho, log=True)
        with np.errstate(divide="ignore"):
            log_abs = np.log(np.abs(factor)) + lp
        return LogKernel(torch.from_numpy(shifted_relu_moment(B, rho, log=True)), torch.from_numpy(log_abs),
                         torch.from_numpy(np.sign(factor) * (lp > -np.inf)))
    p = orthant_probability(B, rho)
    return torch.from_numpy(shifted_relu_moment(B, rho)), torch.from_numpy(factor * p)
