"""The two-layer non-overlapping ReLU CNN and its residual version with weight normalisation (Liu, Chen, Zhou, Du,
Zhou, Zhao, NeurIPS 2019; model reconstructed [R]): the closed-form population loss and gradients, the spurious local
minimum, a Monte Carlo network, and batched population GD. Docs: ``docs/theory/beyond_kernel.md#shortcut-connections``.
"""

from .network import monte_carlo_loss, patch_network
from .population import (
    a_optimum,
    angle,
    arccos_g,
    bilinear_c,
    critical_angle,
    population_gradients,
    population_loss,
    random_angle_below,
    spurious_point,
)
from .training import (
    PopulationGDResult,
    ShortcutRuns,
    filter_at_angle,
    population_gd,
    success_experiment,
    teacher_second_layer,
    uniform_ball,
    unit_vectors,
)

__all__ = [
    "arccos_g", "angle", "bilinear_c", "population_loss", "population_gradients", "a_optimum", "spurious_point",
    "critical_angle", "random_angle_below",
    "patch_network", "monte_carlo_loss", "ShortcutRuns", "PopulationGDResult", "population_gd", "success_experiment",
    "teacher_second_layer", "filter_at_angle", "uniform_ball", "unit_vectors",
]
