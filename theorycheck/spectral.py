r"""Spectral metrics of an NTK Gram matrix and linearised training curves (docs/theory/graphon.md, Pham et al. 2025).

For eigenvalues λ_1 ≥ λ_2 ≥ … of Θ on a batch:

* decay exponent α: least-squares fit of log λ_k = c − α log k over the positive eigenvalues;
* effective rank tr(Θ)/λ_1; spectral gap λ_1/λ_2; top-5 energy Σ_{k≤5} λ_k / Σ_k λ_k;
* linearised gradient flow on ½‖r‖² with learning rate η: r(t) = e^{−ηΘt} r(0), so
  loss(t) = ½ Σ_k (v_kᵀ r_0)² e^{−2ηλ_k t} (docs/theory/dense.md).

All four metrics are invariant under Θ → cΘ, and the time to reach a given loss scales exactly as 1/c.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ._validation import check_real

__all__ = ["SpectralMetrics", "spectral_metrics", "linearized_loss"]


@dataclass(frozen=True)
class SpectralMetrics:
    decay_alpha: float
    effective_rank: float
    spectral_gap: float
    top5_energy: float


def _matrix(theta) -> np.ndarray:
    t = theta.detach().cpu().numpy() if isinstance(theta, torch.Tensor) else np.asarray(theta, dtype=float)
    if t.ndim != 2 or t.shape[0] != t.shape[1]:
        raise ValueError(f"theta must be a square matrix, got shape {t.shape}")
    if t.shape[0] == 0:
        raise ValueError("theta must be non-empty, got shape (0, 0)")
    if not np.all(np.isfinite(t)):
        raise ValueError("theta must be finite (it contains NaN or ±inf)")
    return t.astype(np.float64)


def _eigvals(theta) -> np.ndarray:
    t = _matrix(theta)
    return np.sort(np.linalg.eigvalsh(0.5 * (t + t.T)))[::-1]


def spectral_metrics(theta) -> SpectralMetrics:
    """α, effective rank, spectral gap and top-5 energy of a symmetric PSD Gram matrix.

    Raises:
        ValueError: ``theta`` empty, not square, not finite, or with no positive eigenvalue (e.g. all zero): the
            metrics are ratios of eigenvalues and undefined there.
    """
    lam = _eigvals(theta)
    if not lam[0] > 0:
        raise ValueError(f"theta has no positive eigenvalue (largest {lam[0]:.3g}); spectral metrics are undefined")
    pos = lam[lam > lam[0] * 1e-12]
    k = np.arange(1, pos.size + 1)
    alpha = float(-np.polyfit(np.log(k), np.log(pos), 1)[0]) if pos.size >= 2 else float("nan")
    total = float(pos.sum())
    return SpectralMetrics(decay_alpha=alpha, effective_rank=total / float(lam[0]),
                           spectral_gap=float(lam[0] / lam[1]) if lam.size > 1 and lam[1] > 0 else float("inf"),
                           top5_energy=float(pos[:5].sum() / total))


def linearized_loss(theta, residual, times, lr: float = 1.0) -> np.ndarray:
    """½‖e^{−ηΘt} r_0‖² at each time in ``times`` (gradient flow in the kernel regime).

    Raises:
        ValueError: ``lr`` ≤ 0 or not finite, ``residual`` not one entry per row of ``theta``, non-finite values.
    """
    lr = check_real("lr", lr, minimum=0.0, min_inclusive=False)
    t = _matrix(theta)
    lam, vec = np.linalg.eigh(0.5 * (t + t.T))
    r0 = np.asarray(residual.detach().cpu() if isinstance(residual, torch.Tensor) else residual, dtype=float)
    r0 = r0.reshape(-1)
    if r0.size != t.shape[0]:
        raise ValueError(f"residual must have one entry per row of theta ({t.shape[0]}), got {r0.size}")
    if not np.all(np.isfinite(r0)):
        raise ValueError("residual must be finite")
    coef = (vec.T @ r0) ** 2
    times = np.asarray(times, dtype=float)
    if not np.all(np.isfinite(times)):
        raise ValueError("times must be finite")
    return 0.5 * (coef[None, :] * np.exp(-2.0 * lr * np.clip(lam, 0, None)[None, :] * times[:, None])).sum(axis=1)
