"""The large-bias spec: one object gives the finite network and its bias-generalized NTK (docs/theory/bias.md).

Yang, Jiang, Zhang, Wang, Liang, "Neural Networks with Sparse Activation Induced by Large Bias: Tighter Analysis with
Bias-Generalized NTK" (arXiv 2301.00327; JMLR 25(321), 2024).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .._validation import as_inputs, check_int, check_real, check_seed, resolve_device
from ..kernels.bias_ntk import LogKernel, bias_kernels
from ..kernels.kernel import Kernel
from ..kernels.orthant import active_fraction, active_fraction_bound
from ..nn.large_bias import LargeBiasMLP

__all__ = ["LargeBiasNet", "unit_inputs", "sqrt_log_bias"]

_SPHERE_TOL = 1e-10


def unit_inputs(name: str, x: Any, *, normalize: bool = False, device=None) -> torch.Tensor:
    """Validate inputs on the unit sphere (or normalise them when ``normalize``); zero vectors are rejected."""
    t = as_inputs(name, x, device=device)
    # scale-safe norms: divide by the largest |x_i| first, so rows like [1e200, 1e200] (‖x‖² overflows) or
    # [1e-200, 1e-200] (underflows) are normalised correctly
    peak = t.abs().amax(dim=1)
    if bool((peak == 0).any()):
        raise ValueError(f"{name} contains a zero vector; inputs must lie on the unit sphere ‖x‖ = 1")
    scaled = t / peak[:, None]
    norms = scaled.norm(dim=1) * peak
    if normalize:
        out = scaled / scaled.norm(dim=1)[:, None]
        return out
    worst = float((norms - 1).abs().max())
    if worst > _SPHERE_TOL:
        raise ValueError(f"{name} must lie on the unit sphere (max |‖x‖ − 1| = {worst:.3g} > {_SPHERE_TOL:g}); "
                         "pass normalize=True to project it")
    return t


class LargeBiasNet:
    r"""One hidden ReLU layer with biases initialised to a constant B (docs/theory/bias.md).

    f(x) = m^{-1/2} Σ_r a_r relu(⟨w_r, x⟩ − b_r), a_r = ±1 fixed, w_r ~ N(0, I), b_r(0) = B, inputs on the unit
    sphere. :meth:`kernel` gives the bias-generalized NTK H_B = (⟨x,x'⟩ + 1) P(Z1 ≥ B, Z2 ≥ B) (⟨x,x'⟩ P(·) with a
    frozen bias) and the NNGP E[relu(Z1 − B) relu(Z2 − B)]; :meth:`network` the finite network whose empirical NTK
    converges to H_B at the rate (m(1 − Φ(B)))^{-1/2}.

    Parameters
    ----------
    bias:
        The initial bias B ≥ 0 (finite; B up to 30 is accurate, see :mod:`theorycheck.kernels.orthant`).
    train_bias:
        Whether the biases are trained (they enter the NTK as the "+1").
    normalize:
        Project inputs onto the sphere instead of rejecting those off it.
    """

    def __init__(self, bias: float, train_bias: bool = True, *, normalize: bool = False) -> None:
        self.bias = check_real("bias", bias, minimum=0.0)
        if not isinstance(train_bias, bool):
            raise TypeError(f"train_bias must be a bool, got {type(train_bias).__name__}")
        self.train_bias, self.normalize = train_bias, bool(normalize)

    def inputs(self, x: Any, name: str = "x") -> torch.Tensor:
        return unit_inputs(name, x, normalize=self.normalize)

    def kernel(self, x1: Any, x2: Any = None, *, log: bool = False) -> Kernel | LogKernel:
        """The NNGP K_B and the bias-generalized NTK H_B on ``x1`` × ``x2`` (float64); logs if ``log``."""
        a = self.inputs(x1, "x1")
        b = None if x2 is None else self.inputs(x2, "x2")
        if b is not None and b.shape[1] != a.shape[1]:
            raise ValueError(f"x2 must have {a.shape[1]} features to match x1, got {b.shape[1]}")
        out = bias_kernels(a, b, self.bias, self.train_bias, log=log)
        return out if log else Kernel(nngp=out[0], ntk=out[1])

    def network(self, width: int, in_features: int, seed: int = 0, *, device=None,
                dtype: torch.dtype = torch.float64) -> LargeBiasMLP:
        """The finite network of width ``width``; same seed, same network on every device."""
        width = check_int("width", width, minimum=1)
        in_features = check_int("in_features", in_features, minimum=1)
        seed = check_seed("seed", seed)
        return LargeBiasMLP(in_features, width, self.bias, self.train_bias, seed, dtype, resolve_device(device))

    def active_fraction(self) -> float:
        """1 − Φ(B), the expected fraction of active units per input at initialisation."""
        return float(active_fraction(self.bias))

    def active_fraction_bound(self) -> float:
        """½ e^{−B²/2} ≥ 1 − Φ(B)."""
        return float(active_fraction_bound(self.bias))

    def __repr__(self) -> str:
        return f"LargeBiasNet(bias={self.bias:g}, train_bias={self.train_bias})"


def sqrt_log_bias(width: int, c: float = 0.4) -> float:
    """B = √(c log m), the usual choice (c = 0.4 gives O(m^0.8) active units; docs/theory/bias.md).

    Args:
        width: The width m ≥ 2.
        c: The constant c > 0.

    Raises:
        ValueError: c ≤ 0 or not finite, or m < 2.
    """
    c = check_real("c", c, minimum=0.0, min_inclusive=False)
    return float(np.sqrt(c * np.log(check_int("width", width, minimum=2))))
