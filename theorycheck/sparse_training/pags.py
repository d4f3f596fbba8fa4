r"""PAGS: pick, from a population of candidate masks, the one with the largest summed full-spectrum norm.

Σ_layers ‖(Δ_r, λ, Δ_r^IMDB, λ^IMDB)‖₂ (undefined entries → 0) is the score (Hoang, Kundu, Liu, Wang, NeurIPS 2023,
as the third-party ``PAGS_SNIP`` pruner keeps the whole mask with the largest summed norm;
``docs/theory/dynamic_sparse_training.md``). The authors' own code accepts layer-wise instead, which can drift the
global density; this whole-mask version keeps the candidates' density.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from .._validation import check_int
from .coordinates import layer_coordinates

__all__ = ["PagsResult", "pags_select"]


@dataclass(frozen=True)
class PagsResult:
    """``index`` of the chosen candidate, every candidate's summed ``norms`` and the chosen ``masks``."""

    index: int
    norms: list[float]
    masks: list[torch.Tensor]


def pags_select(candidate: Callable[[int], Sequence[torch.Tensor]], population: int,
                weights: Sequence[torch.Tensor]) -> PagsResult:
    """Draw ``population`` candidate masks ``candidate(i)`` (i = 0 … population − 1) and keep the one whose summed
    full-spectrum norm on ``weights`` is largest (the first among equals).

    Args:
        candidate: ``i -> masks`` (one mask per layer), e.g. SNIP on the i-th random mini-batch.
        population: number of candidates, ≥ 1.
        weights: the layers' weights at initialisation (the weighted gap's |W ⊙ M|).

    Returns:
        The :class:`PagsResult`.

    Raises:
        ValueError: for a population < 1.
        TypeError: for a non-integer population or a non-callable candidate.
    """
    population = check_int("population", population, minimum=1)
    if not callable(candidate):
        raise TypeError(f"candidate must be a callable i -> masks, got {type(candidate).__name__}")
    norms, best, best_masks = [], -1, None
    for i in range(population):
        masks = list(candidate(i))
        norm = float(sum(row["norm"] for row in layer_coordinates(masks, weights)))
        norms.append(norm)
        if best < 0 or norm > norms[best]:
            best, best_masks = i, masks
    return PagsResult(index=best, norms=norms, masks=best_masks)
