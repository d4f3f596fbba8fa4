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
``separated_inputs``           unit rows with min_{i≠j} min(‖x_i − x_j‖, ‖x_i + x_j‖) ≥ δ (docs/theory/bias.md)
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
from hypothesis.errors import InvalidArgument
from hypothesis.extra import numpy as hnp

from .activations import CLOSED_FORM_ACTIVATIONS
from .specs.large_bias import LargeBiasNet
from .specs.mlp import MLP

__all__ = [
    "inputs", "unit_sphere_inputs", "separated_inputs", "pruning_probabilities", "bias_values", "activations",
    "mlp_specs", "masks", "large_bias_specs", "separation", "InvalidStrategyArgument",
]


class InvalidStrategyArgument(InvalidArgument, ValueError):
    """A strategy was built with arguments outside their range (raised when the strategy is built, not at draw
    time, as hypothesis' own strategies do); also a ``ValueError``."""


def _check_sizes(min_n: int, max_n: int, min_d: int, max_d: int) -> None:
    if not 1 <= min_n <= max_n or not 1 <= min_d <= max_d:
        raise InvalidStrategyArgument(f"need 1 ≤ min_n ≤ max_n and 1 ≤ min_d ≤ max_d, got n ∈ [{min_n}, {max_n}], "
                         f"d ∈ [{min_d}, {max_d}]")


def inputs(min_n: int = 1, max_n: int = 12, min_d: int = 1, max_d: int = 8, scale: float = 10.0,
           d: int | None = None) -> st.SearchStrategy[torch.Tensor]:
    """Finite float64 input batches [n, d] with entries in [−scale, scale] (``d`` fixes the feature count)."""
    _check_sizes(min_n, max_n, min_d if d is None else d, max_d if d is None else d)
    if not (isinstance(scale, (int, float)) and 0 < scale < float("inf")):
        raise InvalidStrategyArgument(f"scale must be a positive finite number, got {scale!r}")
    return _inputs(min_n, max_n, min_d, max_d, scale, d)


@st.composite
def _inputs(draw, min_n: int, max_n: int, min_d: int, max_d: int, scale: float, d: int | None) -> torch.Tensor:
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
    """δ-separated unit inputs (docs/theory/bias.md): draws are filtered, so keep δ feasible for the sizes asked."""
    if not 0 < delta < 2 ** 0.5:
        raise InvalidStrategyArgument(f"delta must lie in (0, √2), got {delta}")
    return unit_sphere_inputs(min_n, max_n, min_d, max_d, d=d).filter(lambda x: separation(x) >= delta)


def pruning_probabilities(max_p: float = 0.95) -> st.SearchStrategy[float]:
    """p ∈ [0, max_p] with max_p < 1; shrinks to 0 (dense)."""
    if not 0 <= max_p < 1:
        raise InvalidStrategyArgument(f"max_p must lie in [0, 1), got {max_p}")
    return st.floats(0.0, max_p, allow_nan=False)


def bias_values(max_bias: float = 30.0) -> st.SearchStrategy[float]:
    """B ∈ [0, max_bias], max_bias ≤ 30 (the accurate range of the orthant probability); shrinks to 0."""
    if not 0 <= max_bias <= 30:
        raise InvalidStrategyArgument(f"max_bias must lie in [0, 30], got {max_bias}")
    return st.floats(0.0, max_bias, allow_nan=False)


def activations(names: tuple[str, ...] = CLOSED_FORM_ACTIVATIONS) -> st.SearchStrategy[str]:
    """An activation name (closed forms by default); shrinks to the first name."""
    return st.sampled_from(names)


def mlp_specs(max_depth: int = 4, activation_names: tuple[str, ...] = CLOSED_FORM_ACTIVATIONS,
              prune: bool = False, max_p: float = 0.9) -> st.SearchStrategy[MLP]:
    """``tc.MLP`` specs: depth ∈ [0, max_depth], σ_w ∈ [0.3, 3], σ_b ∈ [0, 2]; with ``prune``, also p, rescale,
    prune_layers and mask kind."""
    if not isinstance(max_depth, int) or isinstance(max_depth, bool) or max_depth < 0:
        raise InvalidStrategyArgument(f"max_depth must be an integer ≥ 0, got {max_depth!r}")
    if not activation_names:
        raise InvalidStrategyArgument("activation_names must name at least one activation")
    if prune:
        pruning_probabilities(max_p)  # validates max_p now
    return _mlp_specs(max_depth, tuple(activation_names), prune, max_p)


@st.composite
def _mlp_specs(draw, max_depth: int, activation_names: tuple[str, ...], prune: bool, max_p: float) -> MLP:
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


def masks(shape: tuple[int, int], min_density: float = 0.05) -> st.SearchStrategy[torch.Tensor]:
    """0/1 float64 masks of ``shape`` with density ≥ ``min_density``; shrinks towards all ones."""
    if not 0 < min_density <= 1:
        raise InvalidStrategyArgument(f"min_density must lie in (0, 1], got {min_density}")
    if len(shape) != 2 or not all(isinstance(k, int) and k >= 1 for k in shape):
        raise InvalidStrategyArgument(f"shape must be two positive integers, got {shape!r}")
    return _masks(tuple(shape), min_density)


@st.composite
def _masks(draw, shape: tuple[int, int], min_density: float) -> torch.Tensor:
    n = shape[0] * shape[1]
    pruned = draw(hnp.arrays(np.bool_, shape, elements=st.booleans()).filter(
        lambda a: (n - a.sum()) / n >= min_density))
    return torch.from_numpy((~pruned).astype(np.float64))


def large_bias_specs(max_bias: float = 5.0, train_bias: bool | None = None) -> st.SearchStrategy[LargeBiasNet]:
    """``tc.LargeBiasNet`` with B ∈ [0, max_bias] and trainable or frozen bias."""
    bias_values(max_bias)  # validates max_bias now
    if train_bias not in (None, True, False):
        raise InvalidStrategyArgument(f"train_bias must be None, True or False, got {train_bias!r}")
    return _large_bias_specs(max_bias, train_bias)


@st.composite
def _large_bias_specs(draw, max_bias: float, train_bias: bool | None) -> LargeBiasNet:
    tb = draw(st.booleans().map(lambda b: not b)) if train_bias is None else train_bias
    return LargeBiasNet(draw(bias_values(max_bias)), train_bias=tb)
