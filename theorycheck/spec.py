"""Architecture specs: one object gives both the finite network and its infinite-width limit.

As in neural-tangents' ``init_fn/apply_fn/kernel_fn`` triple, :class:`MLP` builds the ``torch.nn.Module`` at width
m (:meth:`MLP.network`) and evaluates the exact limiting kernels of that same network (:meth:`MLP.kernel`, float64;
:meth:`MLP.kernel_mp`, arbitrary precision). This module joins the analytic and the simulation packages; neither of
them imports it.
"""

from __future__ import annotations

from typing import Any

import torch

from ._validation import as_inputs, check_int, check_real, resolve_device
from .activations import Activation, TensorFn, get_activation
from .kernels.kernel import Kernel, MPKernel
from .kernels.mp import as_mp_rows, mlp_kernels_mp
from .kernels.quadrature import Quadrature
from .kernels.recursion import expectations_for, mlp_kernels
from .nn.mlp import NTKMLP

__all__ = ["MLP"]


class MLP:
    r"""A fully-connected network in the NTK parameterisation (THEORY.md §0.1–0.3).

    Hidden layer l computes h = σ_w/√fan_in · W g + σ_b · b (W, b standard normal) and g = φ(h); the readout is one
    more such layer with one output.

    Parameters
    ----------
    depth:
        Number of hidden layers L ≥ 0 (0 is a linear model).
    activation:
        ``"relu"``, ``"leaky_relu"``, ``"abs"``, ``"erf"``, ``"identity"`` (closed-form kernels), ``"tanh"``,
        ``"gelu"``, ``"softplus"``, ``"sigmoid"`` or any elementwise torch callable (Gauss–Hermite quadrature).
    sigma_w, sigma_b:
        Weight and bias scales, σ_w > 0, σ_b ≥ 0.
    negative_slope:
        α of ``leaky_relu`` (any finite real).
    activation_derivative:
        φ' of a callable activation (default: autograd).
    quadrature_degree:
        Gauss–Hermite nodes per dimension for activations without closed form (2 ≤ K ≤ 512). The error decays
        geometrically for smooth φ but slowly when the pre-activation variance is large (φ then looks like a step
        at the quadrature's scale): check convergence by doubling K.

    Examples
    --------
    >>> import torch, theorycheck as tc
    >>> spec = tc.MLP(depth=3, activation="relu", sigma_w=1.4, sigma_b=0.1)
    >>> x = torch.randn(5, 8, dtype=torch.float64)
    >>> k = spec.kernel(x)                    # exact limit: k.nngp, k.ntk are [5, 5] float64
    >>> net = spec.network(width=512, in_features=8, seed=0)
    >>> theta = tc.empirical_ntk(net, x)      # ≈ k.ntk up to O(width^-1/2)
    """

    def __init__(self, depth: int, activation: str | Activation | TensorFn = "relu", sigma_w: float = 1.0,
                 sigma_b: float = 0.0, *, negative_slope: float = 0.01,
                 activation_derivative: TensorFn | None = None, quadrature_degree: int = 64) -> None:
        self.depth = check_int("depth", depth, minimum=0)
        self.sigma_w = check_real("sigma_w", sigma_w, minimum=0.0, min_inclusive=False)
        self.sigma_b = check_real("sigma_b", sigma_b, minimum=0.0)
        self.quadrature_degree = check_int("quadrature_degree", quadrature_degree, minimum=2, maximum=512)
        if not isinstance(negative_slope, (int, float)) or isinstance(negative_slope, bool):
            raise TypeError(f"negative_slope must be a real number, got {type(negative_slope).__name__}")
        self.negative_slope = float(negative_slope)
        self.activation = get_activation(activation, negative_slope=self.negative_slope,
                                         derivative=activation_derivative)
        self._expect = expectations_for(self.activation, self.quadrature_degree)

    # ------------------------------------------------------------------ limits
    @property
    def closed_form(self) -> bool:
        """Whether the kernels use closed forms (else Gauss–Hermite quadrature)."""
        return not isinstance(self._expect, Quadrature)

    def kernel(self, x1: Any, x2: Any = None, *, device: str | torch.device | None = None) -> Kernel:
        r"""The exact infinite-width NNGP Σ^{(L+1)} and NTK Θ^{(L+1)} on ``x1`` × ``x2`` (float64).

        ``x2=None`` means ``x1`` (the result is then exactly symmetric). Inputs are 2-D arrays or tensors with the
        same number of columns; computed on ``device`` (default: the device of ``x1`` if a tensor, else CPU).
        """
        if device is None and isinstance(x1, torch.Tensor):
            dev = x1.device
        else:
            dev = resolve_device(device)
        a = as_inputs("x1", x1, device=dev)
        b = None if x2 is None else as_inputs("x2", x2, device=dev, features=a.shape[1])
        nngp, ntk = mlp_kernels(a, b, depth=self.depth, sigma_w=self.sigma_w, sigma_b=self.sigma_b,
                                expect=self._expect)
        return Kernel(nngp=nngp, ntk=ntk)

    def kernel_mp(self, x1: Any, x2: Any = None, *, dps: int = 50) -> MPKernel:
        """The same kernels with mpmath at ``dps`` significant digits (closed-form activations; small inputs).

        Float inputs are taken exactly; nested lists may hold ``mpmath.mpf`` or decimal strings for inputs that
        are not floats. Returns an :class:`~theorycheck.kernels.MPKernel` (``.to_torch()`` rounds to float64).
        """
        dps = check_int("dps", dps, minimum=15, maximum=10_000)
        if not self.closed_form:
            raise ValueError(
                f"kernel_mp needs a closed-form activation (relu, leaky_relu, abs, erf, identity); "
                f"{self.activation.name!r} uses quadrature"
            )
        if isinstance(x1, torch.Tensor) or not isinstance(x1, (list, tuple)):
            as_inputs("x1", x1)  # shape/finite checks with the float64 rules
        a = as_mp_rows("x1", x1)
        b = None if x2 is None else as_mp_rows("x2", x2)
        return mlp_kernels_mp(a, b, depth=self.depth, sigma_w=self.sigma_w, sigma_b=self.sigma_b,
                              expect=self._expect, dps=dps)

    # ------------------------------------------------------------------ finite network
    def network(self, width: int, in_features: int, seed: int = 0, *, device: str | torch.device | None = None,
                dtype: torch.dtype = torch.float64) -> NTKMLP:
        """The finite network of this architecture: ``depth`` hidden layers of ``width`` units, output [n, 1]."""
        width = check_int("width", width, minimum=1)
        in_features = check_int("in_features", in_features, minimum=1)
        seed = check_int("seed", seed, minimum=0)
        if dtype not in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
            raise TypeError(f"dtype must be a floating torch dtype, got {dtype!r}")
        return NTKMLP(in_features, width, self.depth, self.activation, self.sigma_w, self.sigma_b, seed,
                      dtype=dtype, device=resolve_device(device))

    def __repr__(self) -> str:
        slope = f", negative_slope={self.negative_slope:g}" if self.activation.name.startswith("leaky_relu") else ""
        return (f"MLP(depth={self.depth}, activation={self.activation.name!r}, sigma_w={self.sigma_w:g}, "
                f"sigma_b={self.sigma_b:g}{slope})")
