r"""Iterative magnitude pruning (IMP) of a dense two-layer ReLU network: the memory-hungry baseline of IHT.

The network f(x) = Σ_j (x·u_j)_+ v_j of width m is trained by full-batch Adam on the mean squared error; each round
then removes ``prune_fraction`` (10 %) of the remaining first-layer weights of smallest magnitude, rewinds the
survivors to their initial values, resets Adam and retrains (lottery-ticket rewinding, as in the authors'
``baselines.IMP``), until s first-layer weights remain. The output layer stays dense (it is fused into the first
layer's s weights in the IHT count). Fridovich-Keil & Pilanci, arXiv 2509.20323 (§5 baseline); docs
``docs/theory/iht_recovery.md``. The solver holds O(d·m + n·m) numbers: the dense weights, their mask, Adam moments, the
rewind copy and the hidden activations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validation import check_int, check_real

__all__ = ["IMPResult", "iterative_magnitude_pruning"]


@dataclass
class IMPResult:
    """Pruned network ``u`` [d, m] (zeros off the mask), ``v`` [m]; ``rounds`` pruning rounds; ``nnz`` the first-layer
    nonzeros after each round; ``train_loss`` the final mean squared error."""

    u: np.ndarray
    v: np.ndarray
    rounds: int
    nnz: list[int]
    train_loss: float

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x @ self.u, 0.0) @ self.v


def _train(x, y, u, v, mask, steps, lr):
    n = x.shape[0]
    mu_u, vu = np.zeros_like(u), np.zeros_like(u)
    mu_v, vv = np.zeros_like(v), np.zeros_like(v)
    b1, b2, eps = 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        h = x @ u
        z = np.maximum(h, 0.0)
        r = (z @ v - y) / n
        gv = z.T @ r
        gu = x.T @ (np.outer(r, v) * (h > 0)) * mask
        for p, g, m1, m2 in ((u, gu, mu_u, vu), (v, gv, mu_v, vv)):
            m1 *= b1
            m1 += (1 - b1) * g
            m2 *= b2
            m2 += (1 - b2) * g * g
            p -= lr * (m1 / (1 - b1**t)) / (np.sqrt(m2 / (1 - b2**t)) + eps)
        u *= mask
    return 0.5 * float(np.mean((np.maximum(x @ u, 0.0) @ v - y) ** 2))


def iterative_magnitude_pruning(x: np.ndarray, y: np.ndarray, width: int, s: int, *, seed: int = 0,
                                prune_fraction: float = 0.1, steps: int = 300, lr: float = 1e-2) -> IMPResult:
    """Train a width-``width`` ReLU network on (x, y) and prune it by IMP to s first-layer nonzeros.

    Args:
        x: inputs [n, d].
        y: targets [n].
        width: hidden width m (≥ 1).
        s: final number of first-layer nonzeros, in [1, d·m].
        seed: seed of the initialisation (u, v ~ Uniform(±1/√fan_in), PyTorch's default).
        prune_fraction: fraction of the remaining weights pruned per round, in (0, 1).
        steps: Adam steps per round (the dense training and every retraining).
        lr: Adam learning rate.

    Returns:
        :class:`IMPResult`.

    Raises:
        ValueError: if s exceeds d·m, or an argument is out of range.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(f"x must be [n, d] and y of length n; got {x.shape} and {y.shape}")
    n, d = x.shape
    width = check_int("width", width, minimum=1)
    s = check_int("s", s, minimum=1, maximum=d * width)
    check_real("prune_fraction", prune_fraction, minimum=0.0, maximum=1.0, min_inclusive=False, max_inclusive=False)
    steps = check_int("steps", steps, minimum=1)
    check_real("lr", lr, minimum=0.0, min_inclusive=False)
    rng = np.random.default_rng([check_int("seed", seed, minimum=0), 13])
    u0 = rng.uniform(-1, 1, (d, width)) / math.sqrt(d)
    v0 = rng.uniform(-1, 1, width) / math.sqrt(width)
    mask = np.ones((d, width))
    u, v = u0.copy(), v0.copy()
    loss = _train(x, y, u, v, mask, steps, lr)
    nnz, rounds = [d * width], 0
    while nnz[-1] > s:
        keep = max(s, math.floor((1 - prune_fraction) * nnz[-1]))
        scores = np.where(mask > 0, np.abs(u), -np.inf).ravel()
        order = np.argsort(-scores, kind="stable")
        mask = np.zeros(d * width)
        mask[order[:keep]] = 1.0
        mask = mask.reshape(d, width)
        u, v = u0 * mask, v0.copy()  # rewind the survivors to initialisation
        loss = _train(x, y, u, v, mask, steps, lr)
        nnz.append(int(mask.sum()))
        rounds += 1
    return IMPResult(u=u, v=v, rounds=rounds, nnz=nnz, train_loss=loss)
