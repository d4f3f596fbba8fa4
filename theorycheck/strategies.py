"""Hypothesis strategies for property tests of theory claims (users' CI and this project's tests).

Every strategy draws only valid objects, within the ranges the library accepts, and shrinks towards the simplest
case: fewer points, fewer features, shallower networks, σ_b and p towards 0 and dense masks. Compose them like any
hypothesis strategy::

    from hypothesis import given
    import theorycheck as tc
    from theorycheck import strategies as tcs

    @given(spec=tcs.mlp_specs(max_depth=4), x=tcs.unit_sphere_inputs(max_n=8, max_d=6))
    def test_ntk_psd(spec, x):
        k = spec.kernel(x).ntk
        assert torch.linalg.eigvalsh(k)[0] >= -1e-12 * k.abs().max()

=============================  ==================================================================================
strategy                       draws (bounds; shrinks towards)
=============================  ==================================================================================
``inputs``                     [n, d] float64 tensors, entries in [−scale, scale] (n→min_n, d→min_d, entries→0)
``unit_sphere_inputs``         rows with ‖x‖ = 1 (rows that are ~0 are redrawn; shrinks like ``inputs``)
``separated_inputs``           unit rows with min_{i≠j} min(‖x_i − x_j‖, ‖x_i + x_j‖) ≥ δ (THEORY.md §2)
``pruning_probabilities``      p ∈ [0, max_p], max_p < 1 (→ 0)
``bias_values``                B ∈ [0, max_bias], max_bias ≤ 30 (→ 0)
``activations``                a closed-form activation name (→ "relu")
``mlp_specs``                  ``tc.MLP`` with depth ∈ [0, max_depth], σ_w ∈ [0.3, 3], σ_b ∈ [0, 2], optional
                               pruning (→ depth 0/relu/σ_b = 0/dense)
``masks``                      0/1 float64 tensors of a shape with density ∈ [min_density, 1] (→ all ones)
``large_bias_specs``           ``tc.LargeBiasNet`` with B from ``bias_values`` (→ B = 0, trainable bias)
=============================  ==================================================================================
"""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .activations import CLOSED_FORM_ACTIVATIONS
from .specs.large_bias import LargeBiasNet
from .specs.mlp import MLP

__all__ = [
    "inputs", "unit_sphere_inputs", "separated_inputs", "pruning_probabilities", "bias_values", "activations",
    "mlp_specs", "masks", "large_bias_specs", "separation",
]


def _check_sizes(min_n: int, max_n: int, min_d: int, max_d: int) -> None:
    if not 1 <= min_n <= max_n or not 1 <= min_d <= max_d:
        raise ValueError(f"need 1 ≤ min_n ≤ max_n and 1 ≤ min_d ≤ max_d, got n ∈ [{min_n}, {max_n}], "
                         f"d ∈ [{min_d}, {max_d}]")


@st.composite
def inputs(draw, min_n: int = 1, max_n: int = 12, min_d: int = 1, max_d: int = 8, scale: float = 10.0,
           d: int | None = None) -> torch.Tensor:
    """Finite float64 input batches [n, d] with entries in [−scale, scale] (``d`` fixes the feature count)."""
    _check_sizes(min_n, max_n, min_d if d is None else d, max_d if d is None else d)
    n = draw(st.integers(min_n, max_n))
    dd = d if d is not None else draw(st.integers(min_d, max_d))
    arr = draw(hnp.arrays(np.float64, (n, dd), elements=st.floats(-scale, scale, allow_nan=False,
                                                                  allow_infinity=False)))
    return torch.from_numpy(arr)


@st.composite
def unit_sphere_inputs(draw, min_n: int = 1, max_n: int = 12, min_d: int = 1, max_d: int = 8,
                       d: int | None = None) -> torch.Tensor:
    """Rows on the unit sphere ‖x‖ = 1 (nearly-zero rows are rejected, never normalised from noise)."""
    x = draw(inputs(min_n, max_n, min_d, max_d, scale=1.0, d=d).filter(lambda t: bool((t.norm(dim=1) > 1e-3).all())))
    return x / x.norm(dim=1, keepdim=True)


def separation(x: torch.Tensor) -> float:
    """min over i ≠ j of min(‖x_i − x_j‖, ‖x_i + x_j‖) (∞ for a single point)."""
    n = x.shape[0]
    if n < 2:
        return float("inf")
    dist = torch.minimum(torch.cdist(x, x), torch.cdist(x, -x))
    dist.fill_diagonal_(float("inf"))
    return float(dist.min())


def separated_inputs(delta: float, min_n: int = 2, max_n: int = 8, min_d: int = 2, max_d: int = 8,
                     d: int | None = None):
    """δ-separated unit inputs (THEORY.md §2): draws are filtered, so keep δ feasible for the sizes asked."""
    if not 0 < delta < 2 ** 0.5:
        raise ValueError(f"delta must lie in (0, √2), got {delta}")
    return unit_sphere_inputs(min_n, max_n, min_d, max_d, d=d).filter(lambda x: separation(x) >= delta)


def pruning_probabilities(max_p: float = 0.95) -> st.SearchStrategy[float]:
    """p ∈ [0, max_p] with max_p < 1; shrinks to 0 (dense)."""
    if not 0 <= max_p < 1:
        raise ValueError(f"max_p must lie in [0, 1), got {max_p}")
    return st.floats(0.0, max_p, allow_nan=False)


def bias_values(max_bias: float = 30.0) -> st.SearchStrategy[float]:
    """B ∈ [0, max_bias], max_bias ≤ 30 (the accurate range of the orthant probability); shrinks to 0."""
    if not 0 <= max_bias <= 30:
        raise ValueError(f"max_bias must lie in [0, 30], got {max_bias}")
    return st.floats(0.0, max_bias, allow_nan=False)


def activations(names: tuple[str, ...] = CLOSED_FORM_ACTIVATIONS) -> st.SearchStrategy[str]:
    """An activation name (closed forms by default); shrinks to the first name."""
    return st.sampled_from(names)


@st.composite
def mlp_specs(draw, max_depth: int = 4, activation_names: tuple[str, ...] = CLOSED_FORM_ACTIVATIONS,
              prune: bool = False, max_p: float = 0.9) -> MLP:
    """``tc.MLP`` specs: depth ∈ [0, max_depth], σ_w ∈ [0.3, 3], σ_b ∈ [0, 2]; with ``prune``, also p, rescale,
    prune_layers and mask kind."""
    kwargs = dict(
        depth=draw(st.integers(0, max_depth)),
        activation=draw(activations(activation_names)),
        sigma_w=draw(st.floats(0.3, 3.0)),
        sigma_b=draw(st.floats(0.0, 2.0)),
        negative_slope=draw(st.floats(-1.0, 1.0)),
    )
    if prune:
        kwargs.update(prune=draw(pruning_probabilities(max_p)), rescale=draw(st.sampled_from([False, True, "weights"])),
                      prune_layers=draw(st.sampled_from(["all", "hidden", "all_but_input"])),
                      mask=draw(st.sampled_from(["bernoulli", "exact"])))
    return MLP(**kwargs)


@st.composite
def masks(draw, shape: tuple[int, int], min_density: float = 0.05) -> torch.Tensor:
    """0/1 float64 masks of ``shape`` with density ≥ ``min_density``; shrinks towards all ones."""
    if not 0 < min_density <= 1:
        raise ValueError(f"min_density must lie in (0, 1], got {min_density}")
    n = shape[0] * shape[1]
    pruned = draw(hnp.arrays(np.bool_, shape, elements=st.booleans()).filter(
        lambda a: (n - a.sum()) / n >= min_density))
    return torch.from_numpy((~pruned).astype(np.float64))


@st.composite
def large_bias_specs(draw, max_bias: float = 5.0, train_bias: bool | None = None) -> LargeBiasNet:
    """``tc.LargeBiasNet`` with B ∈ [0, max_bias] and trainable or frozen bias."""
    tb = draw(st.booleans().map(lambda b: not b)) if train_bias is None else train_bias
    return LargeBiasNet(draw(bias_values(max_bias)), train_bias=tb)
