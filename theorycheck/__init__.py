"""theorycheck: check the theory of sparse and pruned networks against exact limits and finite simulations.

One architecture spec gives both the finite network and its infinite-width limit::

    import theorycheck as tc
    spec = tc.MLP(depth=3, activation="relu", sigma_w=1.4, sigma_b=0.1)
    k = spec.kernel(x1, x2)                                   # exact NNGP/NTK (float64)
    net = spec.network(width=1024, in_features=x1.shape[1], seed=0)
    theta = tc.empirical_ntk(net, x1, x2)                     # finite-width NTK

Formulas and claims: ``THEORY.md`` (the project's theory brief) and :mod:`theorycheck.claims`.

The public names are imported on first use (PEP 562), so ``import theorycheck`` and the command line's ``--help``
do not pay for torch: add a new export to ``_EXPORTS`` (name -> submodule) and to the ``TYPE_CHECKING`` block.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> the submodule that defines it (imported on first access)
_EXPORTS = {
    "MLP": "specs.mlp",
    "LargeBiasNet": "specs.large_bias",
    "sqrt_log_bias": "specs.large_bias",
    "Kernel": "kernels.kernel",
    "MPKernel": "kernels.kernel",
    "LogKernel": "kernels.bias_ntk",
    "Activation": "activations",
    "get_activation": "activations",
    "empirical_ntk": "nn.empirical",
    "empirical_ntk_per_layer": "nn.empirical",
    "empirical_nngp": "nn.empirical",
    "monte_carlo_kernel": "nn.monte_carlo",
    "train_gd": "nn.training",
    "TrainingRecord": "nn.training",
    "orthant_probability": "kernels.orthant",
    "orthant_owens_t": "kernels.orthant",
    "shifted_relu_moment": "kernels.orthant",
    "active_fraction": "kernels.orthant",
    "active_fraction_bound": "kernels.orthant",
}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and the import-layering test
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
    from .nn.empirical import empirical_nngp, empirical_ntk, empirical_ntk_per_layer
    from .nn.monte_carlo import monte_carlo_kernel
    from .nn.training import TrainingRecord, train_gd
    from .specs.large_bias import LargeBiasNet, sqrt_log_bias
    from .specs.mlp import MLP

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
    "__version__",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'theorycheck' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
