"""theorycheck: check the theory of sparse and pruned networks against exact limits and finite simulations.

One architecture spec gives both the finite network and its infinite-width limit::

    import theorycheck as tc
    spec = tc.MLP(depth=3, activation="relu", sigma_w=1.4, sigma_b=0.1)
    k = spec.kernel(x1, x2)                                   # exact NNGP/NTK (float64)
    net = spec.network(width=1024, in_features=x1.shape[1], seed=0)
    theta = tc.empirical_ntk(net, x1, x2)                     # finite-width NTK

Formulas and claims: ``THEORY.md`` (the project's theory brief) and :mod:`theorycheck.claims`.
"""

from .activations import Activation, get_activation
from .kernels.bias_ntk import LogKernel
from .kernels.kernel import Kernel, MPKernel
from .kernels.orthant import (
    active_fraction,
    active_fraction_bound,
    orthant_owens_t,
    orthant_probability,
    shifted_relu_moment,
)
from .mean_field import HermiteActivation, SphereTask, solve_mean_field, train_sphere_gd
from .nn.empirical import empirical_nngp, empirical_ntk, empirical_ntk_per_layer
from .nn.monte_carlo import monte_carlo_kernel
from .nn.training import TrainingRecord, train_gd
from .shortcuts import population_gd, spurious_point, success_experiment
from .specs.large_bias import LargeBiasNet, sqrt_log_bias
from .specs.mlp import MLP

__version__ = "0.1.0"

__all__ = [
    "MLP",
    "LargeBiasNet",
    "Kernel",
    "LogKernel",
    "MPKernel",
    "Activation",
    "get_activation",
    "empirical_ntk",
    "empirical_ntk_per_layer",
    "empirical_nngp",
    "monte_carlo_kernel",
    "train_gd",
    "TrainingRecord",
    "orthant_probability",
    "orthant_owens_t",
    "shifted_relu_moment",
    "active_fraction",
    "active_fraction_bound",
    "sqrt_log_bias",
    "SphereTask",
    "HermiteActivation",
    "train_sphere_gd",
    "solve_mean_field",
    "population_gd",
    "spurious_point",
    "success_experiment",
    "__version__",
]
