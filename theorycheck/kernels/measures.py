r"""Kernel measures of trainability and generalization at initialisation (Chen, Huang, Wang 2023, §4).

* convergence: λ_min of the NNGP K^{(H)} (Thm 4.3: GD contracts the loss by (1 − ηλ_min/2) per step);
* generalization: λ_min of the NTK Θ and the bound of Thm 4.5 (via Cao & Gu 2019, Cor. 3.10),

  .. math:: L_D \lesssim \Bigl(\sum_p d_p\Bigr)\sqrt{y^\top \Theta^{-1} y / N};

* the linearised (NTK) model trained by full-batch gradient descent from f₀ = 0 with the squared loss,
  r_{k+1} = (I − ηΘ) r_k, r₀ = −y: the number of steps until ‖r_k‖² ≤ fraction·‖r₀‖², from the spectrum of Θ
  (:func:`spectral_weights` and :func:`gd_steps`);
* the kernel-regression (t → ∞) classifier's test error.

Docs: ``docs/theory/architectures.md``.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .._validation import check_int, check_real

__all__ = ["lambda_min", "generalization_bound", "spectral_weights", "gd_steps", "kernel_regression_error"]


def _square(name: str, k: torch.Tensor) -> torch.Tensor:
    if not isinstance(k, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor, got {type(k).__name__}")
    if k.dim() != 2 or k.shape[0] != k.shape[1] or k.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty square matrix, got shape {tuple(k.shape)}")
    return k


def _targets(y: torch.Tensor, n: int) -> torch.Tensor:
    y = torch.as_tensor(y)
    if y.dim() == 1:
        y = y[:, None]
    if y.dim() != 2 or y.shape[0] != n:
        raise ValueError(f"y must be [N] or [N, c] with N = {n} rows, got shape {tuple(y.shape)}")
    return y


def lambda_min(k: torch.Tensor) -> float:
    """The smallest eigenvalue of a symmetric matrix."""
    return float(torch.linalg.eigvalsh(_square("k", k))[0])


def generalization_bound(theta: torch.Tensor, y: torch.Tensor, total_depth: float) -> float:
    """(Σ_p d_p)·√(yᵀ Θ⁻¹ y / N) (Thm 4.5 without its constants; columns of a [N, c] target are summed).

    Args:
        theta: [N, N] training NTK, positive definite.
        y: [N] or [N, c] targets.
        total_depth: Σ_p d_p of the cell (> 0).

    Raises:
        ValueError: Θ not positive definite (its Cholesky factorisation fails), or shapes that do not match.
    """
    theta = _square("theta", theta)
    y = _targets(y, theta.shape[0]).to(theta)
    total_depth = check_real("total_depth", total_depth, minimum=0.0, min_inclusive=False)
    chol, info = torch.linalg.cholesky_ex(theta)
    if int(info) != 0:
        raise ValueError("theta must be positive definite for yᵀΘ⁻¹y (its Cholesky factorisation failed)")
    z = torch.cholesky_solve(y, chol)
    return total_depth * math.sqrt(float((y * z).sum()) / theta.shape[0])


def spectral_weights(theta: torch.Tensor, y: torch.Tensor) -> tuple[list[float], list[float]]:
    """(eigenvalues λ_i of Θ, weights w_i = Σ_c (v_iᵀ y_c)²): all that GD on the linearised model depends on."""
    theta = _square("theta", theta)
    y = _targets(y, theta.shape[0]).to(theta)
    lam, vec = torch.linalg.eigh(theta)
    w = ((vec.T @ y) ** 2).sum(dim=1)
    return lam.tolist(), w.tolist()


def _residual(lam: np.ndarray, w: np.ndarray, lr: float, k: int) -> float:
    base = np.abs(1.0 - lr * lam)
    if k == 0:
        return float(w.sum())
    with np.errstate(divide="ignore"):
        terms = np.where(base > 0, np.exp(2.0 * k * np.log(np.maximum(base, 1e-300))), 0.0)
    return float((w * terms).sum())


def gd_steps(eigenvalues, weights, lr: float, fraction: float = 0.1, max_steps: int = 10**12) -> float:
    """Steps of GD on the linearised model until ‖r_k‖² ≤ fraction·‖r₀‖², r_k = (I − ηΘ)^k y.

    ‖r_k‖² = Σ_i w_i (1 − ηλ_i)^{2k} is non-increasing in k when 0 < η ≤ 2/λ_max, so the first such k is found by
    doubling and bisection.

    Args:
        eigenvalues, weights: from :func:`spectral_weights`.
        lr: η, with 0 < η ≤ 2/λ_max.
        fraction: target residual fraction in (0, 1).
        max_steps: cap; ``math.inf`` is returned if the target is not reached by then.

    Raises:
        ValueError: η outside (0, 2/λ_max], a fraction outside (0, 1) or mismatched lengths.
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if lam.ndim != 1 or lam.shape != w.shape or lam.size == 0:
        raise ValueError(f"eigenvalues and weights must be 1-D of equal non-zero length, got {lam.shape} and "
                         f"{w.shape}")
    lmax = float(lam.max())
    lr = check_real("lr", lr, minimum=0.0, maximum=2.0 / lmax if lmax > 0 else math.inf, min_inclusive=False)
    fraction = check_real("fraction", fraction, minimum=0.0, maximum=1.0, min_inclusive=False, max_inclusive=False)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    target = fraction * float(w.sum())
    if _residual(lam, w, lr, 0) <= target:
        return 0.0
    hi = 1
    while _residual(lam, w, lr, hi) > target:
        if hi >= max_steps:
            return math.inf
        hi = min(2 * hi, max_steps)
    lo = hi // 2  # residual(lo) > target (or lo = 0)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _residual(lam, w, lr, mid) > target:
            lo = mid
        else:
            hi = mid
    return float(hi)


def kernel_regression_error(theta_train: torch.Tensor, theta_test_train: torch.Tensor, y_train: torch.Tensor,
                            labels_test) -> float:
    """Test classification error of the kernel-regression predictor Θ(x, X) Θ⁻¹ Y (GD on the linearised model at
    t → ∞ from f₀ = 0): one-hot targets ``y_train`` [N, c] with the argmax rule, or ±1 targets [N] with the sign
    rule (label 1 for a positive prediction, else 0); ``labels_test`` are the integer test labels."""
    theta_train = _square("theta_train", theta_train)
    y = _targets(y_train, theta_train.shape[0]).to(theta_train)
    if theta_test_train.dim() != 2 or theta_test_train.shape[1] != theta_train.shape[0]:
        raise ValueError(f"theta_test_train must be [n_test, {theta_train.shape[0]}], got "
                         f"{tuple(theta_test_train.shape)}")
    pred = theta_test_train @ torch.linalg.solve(theta_train, y)
    labels = torch.as_tensor(labels_test).to(pred.device)
    if labels.shape != (pred.shape[0],):
        raise ValueError(f"labels_test must be [{pred.shape[0]}], got {tuple(labels.shape)}")
    guess = pred.argmax(dim=1) if pred.shape[1] > 1 else (pred[:, 0] > 0).long()
    return float((guess != labels).double().mean())
