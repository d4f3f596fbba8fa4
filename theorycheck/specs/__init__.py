"""Architecture specs: one object gives both the finite network and its infinite-width limit.

Specs join the analytic side (:mod:`theorycheck.kernels`) and the simulation side (:mod:`theorycheck.nn`,
:mod:`theorycheck.masks`); neither of those imports a spec.
"""

from .large_bias import LargeBiasNet, sqrt_log_bias, unit_inputs
from .mlp import MLP, RESCALE_OPTIONS

__all__ = ["MLP", "RESCALE_OPTIONS", "LargeBiasNet", "sqrt_log_bias", "unit_inputs"]
