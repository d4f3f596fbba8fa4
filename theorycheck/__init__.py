"""theorycheck: check the theory of sparse and pruned networks against exact limits and finite simulations.

One architecture spec gives both the finite network and its infinite-width limit::

    import theorycheck as tc
    spec = tc.MLP(depth=3, activation="relu", sigma_w=1.4, sigma_b=0.1)
    k = spec.kernel(x1, x2)                                   # exact NNGP/NTK (float64)
    net = spec.network(width=1024, in_features=x1.shape[1], seed=0)
    theta = tc.empirical_ntk(net, x1, x2)                     # finite-width NTK

Formulas and claims: the documentation site (``docs/index.md``, built by ``make docs``) and
:mod:`theorycheck.claims`.

The public names are imported on first use (PEP 562), so ``import theorycheck`` and the command line's ``--help``
do not pay for torch: a new export goes into ``_EXPORTS`` (name -> submodule) and the ``TYPE_CHECKING`` block
(``tests/test_api.py`` checks that the two agree).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> the submodule that defines it (imported on first access)
_EXPORTS = {
    "depth_schedule": "kernels.schedule",
    "EncoderDecoderConnection": "methods.encoder_decoder",
    "TinyEncoderDecoder": "methods.encoder_decoder",
    "ResidualMLP": "methods.trsp",
    "trsp_prune": "methods.trsp",
    "first_layer_mask": "methods.sparse_first_layer",
    "spatial_graphon": "methods.sparse_first_layer",
    "select_features": "methods.relchanet",
    "success_experiment": "shortcuts",
    "spurious_point": "shortcuts",
    "population_gd": "shortcuts",
    "solve_mean_field": "mean_field",
    "train_sphere_gd": "mean_field",
    "HermiteActivation": "mean_field",
    "SphereTask": "mean_field",
    "pags_select": "sparse_training",
    "train_sparse": "sparse_training",
    "SparseTrainer": "sparse_training",
    "CosineDropSchedule": "sparse_training",
    "CellNet": "specs.cell",
    "Cell": "cells",
    "MLP": "specs.mlp",
    "LargeBiasNet": "specs.large_bias",
    "Kernel": "kernels.kernel",
    "LogKernel": "kernels.bias_ntk",
    "MPKernel": "kernels.kernel",
    "Activation": "activations",
    "get_activation": "activations",
    "register_activation": "activations",
    "unregister_activation": "activations",
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
    "sqrt_log_bias": "specs.large_bias",
    "ActivationPatternOperator": "sparse_recovery",
    "iht": "sparse_recovery",
    "iterative_magnitude_pruning": "sparse_recovery",
    "planted_network": "sparse_recovery",
    "CooccurrenceTransformer": "transformers",
    "make_cooccurrence_data": "transformers",
    "train_cooccurrence": "transformers",
    "PrunedTwoLayerNet": "dynamics.pruning_before_training",
    "signal_noise_data": "dynamics.pruning_before_training",
    "train_pruned_two_layer": "dynamics.pruning_before_training",
    "effective_noise_dim": "dynamics.pruning_before_training",
    "TeacherStudent": "dynamics.lottery",
    "train_student": "dynamics.lottery",
    "ConvNetWN": "bounds",
    "conv_toeplitz": "bounds",
    "our_total_bound": "bounds",
    "golowich_total_bound": "bounds",
}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and the import-layering test
    from .activations import Activation, get_activation, register_activation, unregister_activation
    from .bounds import ConvNetWN, conv_toeplitz, golowich_total_bound, our_total_bound
    from .cells import Cell
    from .dynamics.lottery import TeacherStudent, train_student
    from .dynamics.pruning_before_training import (
        PrunedTwoLayerNet,
        effective_noise_dim,
        signal_noise_data,
        train_pruned_two_layer,
    )
    from .kernels.bias_ntk import LogKernel
    from .kernels.kernel import Kernel, MPKernel
    from .kernels.orthant import (
        active_fraction,
        active_fraction_bound,
        orthant_owens_t,
        orthant_probability,
        shifted_relu_moment,
    )
    from .kernels.schedule import depth_schedule
    from .mean_field import HermiteActivation, SphereTask, solve_mean_field, train_sphere_gd
    from .methods.encoder_decoder import EncoderDecoderConnection, TinyEncoderDecoder
    from .methods.relchanet import select_features
    from .methods.sparse_first_layer import first_layer_mask, spatial_graphon
    from .methods.trsp import ResidualMLP, trsp_prune
    from .nn.empirical import empirical_nngp, empirical_ntk, empirical_ntk_per_layer
    from .nn.monte_carlo import monte_carlo_kernel
    from .nn.training import TrainingRecord, train_gd
    from .shortcuts import population_gd, spurious_point, success_experiment
    from .sparse_recovery import ActivationPatternOperator, iht, iterative_magnitude_pruning, planted_network
    from .sparse_training import CosineDropSchedule, SparseTrainer, pags_select, train_sparse
    from .specs.cell import CellNet
    from .specs.large_bias import LargeBiasNet, sqrt_log_bias
    from .specs.mlp import MLP
    from .transformers import CooccurrenceTransformer, make_cooccurrence_data, train_cooccurrence

__all__ = [
    "depth_schedule",
    "EncoderDecoderConnection",
    "TinyEncoderDecoder",
    "ResidualMLP",
    "trsp_prune",
    "first_layer_mask",
    "spatial_graphon",
    "select_features",
    "success_experiment",
    "spurious_point",
    "population_gd",
    "solve_mean_field",
    "train_sphere_gd",
    "HermiteActivation",
    "SphereTask",
    "pags_select",
    "train_sparse",
    "SparseTrainer",
    "CosineDropSchedule",
    "CellNet",
    "Cell",
    "MLP",
    "LargeBiasNet",
    "Kernel",
    "LogKernel",
    "MPKernel",
    "Activation",
    "get_activation",
    "register_activation",
    "unregister_activation",
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
    "ActivationPatternOperator",
    "iht",
    "iterative_magnitude_pruning",
    "planted_network",
    "CooccurrenceTransformer",
    "make_cooccurrence_data",
    "train_cooccurrence",
    "PrunedTwoLayerNet",
    "signal_noise_data",
    "train_pruned_two_layer",
    "effective_noise_dim",
    "TeacherStudent",
    "train_student",
    "ConvNetWN",
    "conv_toeplitz",
    "our_total_bound",
    "golowich_total_bound",
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
