r"""The finite two-layer non-overlapping ReLU CNN and its residual version, sampled on Gaussian patches.

f(Z; u, a) = Σ_j a_j σ(Z_jᵀ u/‖u‖) with u = w (CNN) or u = s + w (ResNet with weight normalisation), Z_j i.i.d.
N(0, I_p). The Monte Carlo loss ½ mean (f − f*)² is the independent route to the closed form of
:func:`~theorycheck.shortcuts.population.population_loss`. Docs: ``docs/theory/beyond_kernel.md#shortcut-connections``.
"""

from __future__ import annotations

import torch

from .._validation import check_int, check_seed
from ..stats import chunked_mean

__all__ = ["patch_network", "monte_carlo_loss"]


def patch_network(z: torch.Tensor, a: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """f(Z) = Σ_j a_j ReLU(Z_jᵀ u/‖u‖) for patches z of shape [n, k, p]; a: [k]; u: [p] (non-zero). Returns [n]."""
    if z.dim() != 3 or z.shape[1] != a.shape[-1] or z.shape[2] != u.shape[-1]:
        raise ValueError(f"z must have shape [n, k, p] = [n, {a.shape[-1]}, {u.shape[-1]}], got {tuple(z.shape)}")
    norm = float(u.norm())
    if not norm > 0:
        raise ValueError("u must be non-zero (a filter has a direction)")
    return torch.relu(z @ (u / norm)) @ a


def monte_carlo_loss(a: torch.Tensor, u: torch.Tensor, a_star: torch.Tensor, v_star: torch.Tensor, samples: int,
                     seed: int, chunk: int = 50_000) -> tuple[float, float]:
    """½ mean (f(Z) − f*(Z))² over ``samples`` fresh Gaussian inputs, and its standard error.

    Args:
        a, u: the student (second layer [k], raw filter [p]).
        a_star, v_star: the teacher.
        samples: number of inputs (≥ 2).
        seed: seed of the sampling generator.
        chunk: inputs per batch (memory only).

    Returns:
        ``(mean, standard error)``.
    """
    samples = check_int("samples", samples, minimum=2)
    chunk = check_int("chunk", chunk, minimum=1)
    gen = torch.Generator().manual_seed(check_seed("seed", seed))
    k, p = a.shape[-1], u.shape[-1]

    def draw(b: int) -> torch.Tensor:
        z = torch.randn(b, k, p, generator=gen, dtype=torch.float64).to(a.device)
        return 0.5 * (patch_network(z, a, u) - patch_network(z, a_star, v_star)) ** 2

    return chunked_mean(draw, samples, chunk)
