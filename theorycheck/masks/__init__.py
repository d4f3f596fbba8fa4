"""Pruning masks: random masks of the pruned-network model (:mod:`.random`) and the pruning-at-initialisation
generators for any torch module (:mod:`.pai`: magnitude, SNIP, GraSP, SynFlow, ER/ERK, graphon-sampled).

Simulation side: imports torch modules, never a spec, a kernel or a claim.
"""

from .pai import (
    graphon_mask,
    grasp_masks,
    keep_top,
    layer_densities,
    magnitude_masks,
    prunable_parameters,
    random_masks,
    snip_masks,
    synflow_masks,
)
from .random import MASK_KINDS, mask_seed, random_mask, validate_mask

__all__ = [
    "prunable_parameters", "layer_densities", "random_masks", "magnitude_masks", "snip_masks", "grasp_masks",
    "synflow_masks", "keep_top", "graphon_mask", "MASK_KINDS", "mask_seed", "random_mask", "validate_mask",
]
