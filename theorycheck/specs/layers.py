"""One weight matrix of an architecture spec: the single description from which the spec builds both the finite
layer (its mask and :class:`~theorycheck.kernels.steps.MaskScaling`) and the layer's kernel step in the limit.

Dense layers: docs/theory/dense.md; pruned (random masks at probability p, three rescaling conventions):
docs/theory/pruned.md; masks sampled from graphons: docs/theory/graphon.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from ..kernels.graphon import graphon_values
from ..kernels.steps import GraphonStep, KernelStep, MaskScaling, Step, check_rescale
from ..masks.random import MASK_KINDS, random_mask

__all__ = ["LayerSpec", "MASKS"]

#: Values of :attr:`LayerSpec.mask`: dense, the two random kinds, or sampled from a graphon.
MASKS = (None, *MASK_KINDS, "graphon")

Graphon = float | Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None


@dataclass(frozen=True)
class LayerSpec:
    """One weight matrix of an MLP spec.

    Attributes:
        prune: the spec's pruning probability p ∈ [0, 1): random masks remove each weight with probability p, and
            any mask on this matrix (also one passed to ``MLP.network(masks=...)``) is rescaled with the nominal
            keep probability q = 1 − p.
        rescale: the rescaling convention, ``False``, ``True`` or ``"weights"`` (docs/theory/pruned.md).
        mask: ``None`` (no random mask), ``"bernoulli"`` or ``"exact"`` (random at probability p) or ``"graphon"``.
        graphon: with ``mask="graphon"``: ``None`` (dense), a constant c ∈ [0, 1] or a function W(v, u).
        name: how errors refer to the matrix (e.g. ``"graphons[1]"``).

    Raises:
        ValueError: for p outside [0, 1), an unknown ``mask`` or ``rescale``.
    """

    prune: float = 0.0
    rescale: bool | str = False
    mask: str | None = None
    graphon: Graphon = None
    name: str = "layer"

    def __post_init__(self) -> None:
        check_rescale(self.rescale)
        if self.mask not in MASKS:
            raise ValueError(f"mask must be one of {MASKS}, got {self.mask!r}")
        if not 0.0 <= self.prune < 1.0:
            raise ValueError(f"prune must lie in [0, 1), got {self.prune!r}")

    @property
    def scaling(self) -> MaskScaling:
        """The finite layer's scaling when it carries a mask: keep probability 1 − p and the spec's ``rescale``."""
        return MaskScaling(1.0 - self.prune, self.rescale)

    @property
    def position_dependent(self) -> bool:
        """Whether the limit depends on the position of a unit (a graphon that is a function)."""
        return self.mask == "graphon" and callable(self.graphon)

    def kernel_step(self, n_out: int = 1, n_in: int = 1) -> Step:
        """This matrix's step in the infinite-width limit.

        Args:
            n_out: output positions of a graphon grid (K, or 1 for the readout).
            n_in: input positions (d for the input layer, K otherwise).

        Returns:
            :class:`~theorycheck.kernels.steps.KernelStep` (1, 1, 1) for a dense matrix, (α, β, γ) of
            :attr:`scaling` for a random mask (docs/theory/pruned.md), (c, c, c) for a constant graphon c (the same
            maths, unrescaled) and a :class:`~theorycheck.kernels.steps.GraphonStep` on the [n_out, n_in] grid for a
            function graphon (docs/theory/graphon.md).
        """
        if self.mask is None:
            return KernelStep()
        if self.mask == "graphon":
            if callable(self.graphon):
                return self.grid_step(n_out, n_in)
            return KernelStep() if self.graphon is None else MaskScaling(float(self.graphon)).step()
        return self.scaling.step()

    def grid_step(self, n_out: int, n_in: int) -> GraphonStep:
        """The graphon's values on the [n_out, n_in] grid of cell midpoints (``None`` → 1), as a step.

        Raises:
            ValueError: if the layer is not a graphon layer, or a value lies outside [0, 1].
        """
        if self.mask != "graphon":
            raise ValueError(f"{self.name}: grid_step needs a graphon layer")
        return GraphonStep(graphon_values(self.graphon, n_out, n_in, self.name))

    def keep_probabilities(self, n_out: int, n_in: int) -> torch.Tensor | None:
        """Keep probability of every weight on the [n_out, n_in] grid of cell midpoints, or ``None`` (dense).

        Random masks keep each weight with probability 1 − p; graphon masks with W(v, u) (docs/theory/pruned.md,
        docs/theory/graphon.md). The exact fixed-d limit of a masked input layer mixes over rows with these laws.

        Args:
            n_out: output positions (1 unless the graphon is a function).
            n_in: input positions (d for the input layer).

        Returns:
            float64 [n_out, n_in] tensor or ``None``.
        """
        if self.mask is None or (self.mask == "graphon" and self.graphon is None):
            return None
        if self.mask == "graphon":
            return graphon_values(self.graphon, n_out, n_in, self.name)
        return torch.full((n_out, n_in), 1.0 - self.prune, dtype=torch.float64)

    def sample_mask(self, shape: tuple[int, int], generator: torch.Generator) -> torch.Tensor | None:
        """A random 0/1 mask of ``shape`` [fan_out, fan_in] for the finite network, or ``None`` (dense).

        Random kinds keep each weight with probability 1 − p (docs/theory/pruned.md); graphon masks keep weight
        (i, j) with probability W((i+½)/fan_out, (j+½)/fan_in) (docs/theory/graphon.md).

        Args:
            shape: the weight's shape.
            generator: the mask stream (consumed only by masked layers).

        Returns:
            float64 mask or ``None``.
        """
        if self.mask is None or (self.mask == "graphon" and self.graphon is None):
            return None
        if self.mask == "graphon":
            keep = graphon_values(self.graphon, *shape, name=self.name)
            return (torch.rand(shape, generator=generator, dtype=torch.float64) < keep).to(torch.float64)
        return random_mask(shape, self.prune, self.mask, generator)
