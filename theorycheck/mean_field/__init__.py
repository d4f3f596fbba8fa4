"""Two-layer networks on the sphere beyond the kernel regime (Montanari & Urbani, NeurIPS 2025): Hermite/erf
activations with closed-form Gaussian kernels, the teacher task and its exact test error, projected GD, and the
mean-field ODE. Docs: ``docs/theory/beyond_kernel.md#decoupling-of-generalisation-and-overfitting``.
"""

from .activations import (
    SPHERE_ACTIVATIONS,
    ErfActivation,
    HermiteActivation,
    SphereActivation,
    cross_kernel,
    sphere_activation,
)
from .model import SphereTask, network_output
from .ode import MeanFieldPath, mean_field_rhs, solve_mean_field
from .training import SphereGDTrace, first_time_at_or_below, gd_gradients, init_sphere_network, train_sphere_gd

__all__ = [
    "SphereActivation", "HermiteActivation", "ErfActivation", "cross_kernel", "sphere_activation", "SPHERE_ACTIVATIONS",
    "SphereTask", "network_output",
    "MeanFieldPath", "mean_field_rhs", "solve_mean_field", "SphereGDTrace", "first_time_at_or_below",
    "gd_gradients", "init_sphere_network", "train_sphere_gd",
]
