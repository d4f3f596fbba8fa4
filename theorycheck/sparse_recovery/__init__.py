"""Sparse recovery of two-layer ReLU networks by iterative hard thresholding (Fridovich-Keil & Pilanci, arXiv
2509.20323): the matrix-free activation-pattern operator, planted networks, IHT/AIHT/sequential IHT and the IMP
baseline. Docs: ``docs/theory/iht_recovery.md``."""

from .iht import VARIANTS, IHTResult, hard_threshold, iht
from .imp import IMPResult, iterative_magnitude_pruning
from .operator import ActivationPatternOperator, flat_index, fused_weights, relu_network
from .planted import (
    VIOLATIONS,
    PlantedNetwork,
    SensingProblem,
    pattern_conditions,
    planted_network,
    violating_network,
)

__all__ = [
    "ActivationPatternOperator", "relu_network", "fused_weights", "flat_index", "PlantedNetwork", "SensingProblem",
    "planted_network", "violating_network", "pattern_conditions", "VIOLATIONS", "IHTResult", "hard_threshold",
    "iht", "VARIANTS", "IMPResult", "iterative_magnitude_pruning",
]
