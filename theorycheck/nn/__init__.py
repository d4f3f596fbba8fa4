"""Simulation side: finite networks and their empirical kernels (torch, device-agnostic).

Imports the activations and the kernel container only; never the claims.
"""

from .empirical import empirical_nngp, empirical_ntk, empirical_ntk_per_layer
from .mlp import NTKMLP, NTKLinear
from .monte_carlo import child_seeds, monte_carlo_kernel

__all__ = [
    "NTKLinear", "NTKMLP", "empirical_nngp", "empirical_ntk", "empirical_ntk_per_layer", "monte_carlo_kernel",
    "child_seeds",
]
