"""Analytic side: exact infinite-width kernels (float64 torch and mpmath) and their sympy forms.

This package never imports the simulation (:mod:`theorycheck.nn`) or the claims (:mod:`theorycheck.claims`).
"""

from .expectation import Expectations
from .kernel import Kernel, MPKernel
from .recursion import expectations_for, layer_variances, mlp_kernels
from .steps import GraphonStep, KernelStep, LayerState, MaskScaling

__all__ = ["Kernel", "MPKernel", "Expectations", "expectations_for", "layer_variances", "mlp_kernels", "KernelStep",
           "GraphonStep", "MaskScaling", "LayerState"]
