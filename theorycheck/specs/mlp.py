"""Architecture specs: one object gives both the finite network and its infinite-width limit.

As in neural-tangents' ``init_fn/apply_fn/kernel_fn`` triple, :class:`MLP` builds the ``torch.nn.Module`` at width
m (:meth:`MLP.network`) and evaluates the exact limiting kernels of that same network (:meth:`MLP.kernel`, float64;
:meth:`MLP.kernel_mp`, arbitrary precision). This module joins the analytic and the simulation packages; neither of
them imports it.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import torch

from .._validation import as_inputs, check_int, check_probability, check_real, check_seed, resolve_device
from ..activations import Activation, TensorFn, get_activation
from ..kernels.graphon import graphon_values
from ..kernels.input_layer import INPUT_LAYER_METHODS, input_layer_kernels, mask_rows
from ..kernels.input_layer_mp import mlp_kernels_mp_input_pruned
from ..kernels.kernel import Kernel, MPKernel
from ..kernels.mp import as_mp_rows, mlp_kernels_mp
from ..kernels.recursion import mlp_kernels
from ..kernels.schedule import layer_sigma_w
from ..kernels.steps import RESCALE_OPTIONS, KernelStep, Step, check_rescale
from ..masks.random import MASK_KINDS, mask_seed, validate_mask
from ..nn.mlp import NTKMLP
from .layers import LayerSpec

__all__ = ["MLP", "RESCALE_OPTIONS"]


def _is_scalar(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class MLP:
    r"""A fully-connected network in the NTK parameterisation (docs/theory/dense.md).

    Hidden layer l computes h = σ_w/√fan_in · W g + σ_b · b (W, b standard normal) and g = φ(h); the readout is one
    more such layer with one output.

    Parameters
    ----------
    depth:
        Number of hidden layers L ≥ 0 (0 is a linear model).
    activation:
        ``"relu"``, ``"leaky_relu"``, ``"abs"``, ``"erf"``, ``"identity"`` (closed-form kernels), ``"tanh"``,
        ``"gelu"``, ``"softplus"``, ``"sigmoid"`` or any elementwise torch callable (scale-aware quadrature,
        :mod:`theorycheck.kernels.quadrature`).
    sigma_w, sigma_b:
        Weight and bias scales, σ_w > 0, σ_b ≥ 0. ``sigma_w`` may also be a *schedule*: a sequence of depth + 1
        scales σ_w[l] > 0, one per weight matrix, indexed like ``prune_layers`` (0 = input layer, l = the matrix
        feeding hidden layer l + 1, the last entry = the readout); e.g. :func:`theorycheck.depth_schedule`
        (docs/theory/depth_init.md). The finite network and every kernel path honour it.
    negative_slope:
        α of ``leaky_relu`` (any finite real).
    activation_derivative:
        φ' of a callable activation (default: autograd).
    quadrature_degree:
        Accuracy knob K (2 ≤ K ≤ 512) of the quadrature used for activations without closed form: a composite
        Gauss–Legendre rule, graded geometrically around the activation's kinks and bends at the scale of each
        pre-activation variance (:class:`~theorycheck.kernels.quadrature.Quadrature`), with n = clamp(⌊K/5⌋, 8, 16)
        nodes per panel (docs/theory/dense.md). The default K = 64 meets 1e-10 relative per layer for pre-activation
        variances from 1e-6 to 1e6 (the tested range); at very large variances (inputs ≳ 1e15) it can reach ~1e-9,
        and ``quadrature_degree=128`` brings that to ~1e-13. The returned kernel's ``quadrature_error`` is the
        a-posteriori estimate of the call, and a ``QuadratureAccuracyWarning`` is issued above 1e-10.
    prune:
        Pruning probability p ∈ [0, 1) at initialisation (docs/theory/pruned.md, Yang & Wang 2023): each weight of
        the pruned matrices is removed with probability p and its mask is fixed. Biases are never pruned.
    rescale:
        ``False`` (no rescaling: the limit is the dense recursion with σ_w² → (1−p)σ_w² in every pruned matrix),
        ``True`` (architectural 1/√(1−p), convention A: the limit is exactly the dense one) or ``"weights"``
        (initial surviving weights divided by √(1−p), convention B of the P1 code: the NNGP is the dense one and
        each pruned weight term of the NTK is multiplied by 1−p).
    prune_layers:
        Which weight matrices are masked: ``"all_but_input"`` (default: matrices 1..L, hidden-to-hidden and the
        readout; the input layer stays dense, as in the P1 authors' NTK experiment), ``"all"`` (the L + 1
        matrices), ``"hidden"`` (the L matrices feeding hidden layers, the input layer included; the readout stays
        dense) or a sequence of 0-based matrix indices (0 = input layer). A pruned input layer has a fixed fan-in
        d, so its limit is a mixture over mask rows (``input_layer``; docs/theory/pruned.md).
    input_layer:
        How ``kernel`` treats a pruned (or graphon-masked) input layer at fixed input dimension d
        (:mod:`theorycheck.kernels.input_layer`): ``"auto"`` (default: ``"enumerate"`` for at most 256 mask rows,
        i.e. d ≤ 8, else ``"sample"``), ``"enumerate"`` (exact: all 2^d mask rows), ``"sample"`` (unbiased
        balanced sampling of ``input_layer_rows`` rows in 8 batches; ``Kernel.info`` holds per-entry standard
        errors) or ``"gaussian"`` (the d → ∞ recursion σ_w² → (1−p)σ_w²; ``Kernel.info["gaussian_rel_error"]``
        estimates its error on up to 8 of the inputs).
    input_layer_rows, input_layer_seed:
        Number of sampled mask rows (≥ 16; cost ≈ rows × one layer of the recursion) and their seed.
    mask:
        ``"bernoulli"`` (independent per weight, the theory's model) or ``"exact"`` (exactly round(p·n) removed per
        matrix); both have the same limit.
    graphons:
        Masks sampled from graphons (docs/theory/graphon.md): one entry per weight matrix, each ``None`` (dense), a
        constant c ∈ [0, 1] or a function ``W(v, u)`` of output and input positions in [0, 1] (torch tensors,
        broadcasting) with values in [0, 1]. ``network`` keeps weight (i, j) with probability
        W((i+½)/n_out, (j+½)/n_in); ``kernel`` evaluates the graphon NTK recursion on a grid of
        ``graphon_resolution`` positions per hidden layer (constant graphons c are the pruned recursion with
        σ_w² → cσ_w², computed without positions). Not combined with ``prune``.

    Examples
    --------
    >>> import torch, theorycheck as tc
    >>> spec = tc.MLP(depth=3, activation="relu", sigma_w=1.4, sigma_b=0.1)
    >>> x = torch.randn(5, 8, dtype=torch.float64)
    >>> k = spec.kernel(x)                    # exact limit: k.nngp, k.ntk are [5, 5] float64
    >>> net = spec.network(width=512, in_features=8, seed=0)
    >>> theta = tc.empirical_ntk(net, x)      # ≈ k.ntk up to O(width^-1/2)
    """

    def __init__(self, depth: int, activation: str | Activation | TensorFn = "relu",
                 sigma_w: float | Sequence[float] = 1.0,
                 sigma_b: float = 0.0, *, negative_slope: float = 0.01,
                 activation_derivative: TensorFn | None = None, quadrature_degree: int = 64,
                 prune: float = 0.0, rescale: bool | str = False, prune_layers: str | Any = "all_but_input",
                 mask: str = "bernoulli", graphons: Any = None, graphon_resolution: int = 256,
                 input_layer: str = "auto", input_layer_rows: int = 64, input_layer_seed: int = 0) -> None:
        self.depth = check_int("depth", depth, minimum=0)
        #: σ_w of every weight matrix, input layer first (``depth + 1`` floats).
        self.layer_sigma_w = layer_sigma_w(sigma_w, self.depth)
        #: the ``sigma_w`` given: a float, or the schedule as a tuple.
        self.sigma_w: float | tuple[float, ...] = (self.layer_sigma_w[0] if _is_scalar(sigma_w)
                                                   else self.layer_sigma_w)
        self.sigma_b = check_real("sigma_b", sigma_b, minimum=0.0)
        self.quadrature_degree = check_int("quadrature_degree", quadrature_degree, minimum=2, maximum=512)
        if not isinstance(negative_slope, (int, float)) or isinstance(negative_slope, bool):
            raise TypeError(f"negative_slope must be a real number, got {type(negative_slope).__name__}")
        self.negative_slope = float(negative_slope)
        self.activation = get_activation(activation, negative_slope=self.negative_slope,
                                         derivative=activation_derivative)
        self._expect = self.activation.expectations(self.quadrature_degree)
        self.prune = check_probability("prune", prune)
        self.rescale = check_rescale(rescale)
        if mask not in MASK_KINDS:
            raise ValueError(f"mask must be one of {', '.join(MASK_KINDS)}, got {mask!r}")
        self.mask_kind = mask
        self.pruned_layers = self._resolve_layers(prune_layers)
        self.prune_layers = prune_layers
        self.graphon_resolution = check_int("graphon_resolution", graphon_resolution, minimum=2, maximum=1 << 14)
        self.graphons = self._resolve_graphons(graphons)
        if input_layer not in INPUT_LAYER_METHODS:
            raise ValueError(f"input_layer must be one of {', '.join(map(repr, INPUT_LAYER_METHODS))}, "
                             f"got {input_layer!r}")
        self.input_layer = input_layer
        self.input_layer_rows = check_int("input_layer_rows", input_layer_rows, minimum=16, maximum=1 << 20)
        self.input_layer_seed = check_seed("input_layer_seed", input_layer_seed)
        self.layer_specs = self._layer_specs()

    def _layer_specs(self) -> list[LayerSpec]:
        """One :class:`~theorycheck.specs.layers.LayerSpec` per weight matrix, input layer first."""
        out = []
        for i in range(self.depth + 1):
            if self.graphons is not None:
                mask, graphon = "graphon", self.graphons[i]
            else:
                mask, graphon = (self.mask_kind if self.pruned and i in self.pruned_layers else None), None
            name = f"graphons[{i}]" if self.graphons is not None else f"weight matrix {i}"
            out.append(LayerSpec(self.prune, self.rescale, mask, graphon, name=name))
        return out

    def _resolve_graphons(self, graphons: Any) -> list | None:
        if graphons is None:
            return None
        if self.prune > 0:
            raise ValueError("graphons and prune are exclusive: a graphon already sets each weight's keep probability")
        if not isinstance(graphons, (list, tuple)) or len(graphons) != self.depth + 1:
            raise ValueError(f"graphons must be a list with one entry per weight matrix ({self.depth + 1})")
        out = []
        for i, g in enumerate(graphons):
            if g is None:
                out.append(None)
            elif callable(g):
                out.append(g)
            else:
                out.append(check_real(f"graphons[{i}]", g, minimum=0.0, maximum=1.0))
        return out

    def graphon_matrix(self, layer: int, n_out: int, n_in: int) -> torch.Tensor:
        """Values of weight matrix ``layer``'s graphon on the [n_out, n_in] grid of cell midpoints."""
        g = None if self.graphons is None else self.graphons[layer]
        return graphon_values(g, n_out, n_in, f"graphons[{layer}]")

    def _resolve_layers(self, prune_layers: str | Any) -> tuple[int, ...]:
        n = self.depth + 1
        if isinstance(prune_layers, str):
            if prune_layers == "all":
                return tuple(range(n))
            if prune_layers == "hidden":
                return tuple(range(n - 1))
            if prune_layers == "all_but_input":
                return tuple(range(1, n))
            raise ValueError(f"prune_layers must be 'all', 'all_but_input', 'hidden' or a sequence of indices in "
                             f"[0, {n - 1}], got {prune_layers!r}")
        try:
            idx = sorted({check_int("prune_layers entry", i, minimum=0, maximum=n - 1) for i in prune_layers})
        except TypeError as exc:
            raise TypeError(
                f"prune_layers must be 'all', 'all_but_input', 'hidden' or a sequence of ints, got {prune_layers!r}"
            ) from exc
        return tuple(idx)

    @property
    def pruned(self) -> bool:
        """Whether any weight matrix is pruned (p > 0 and at least one matrix selected)."""
        return self.prune > 0.0 and len(self.pruned_layers) > 0

    def layer_factors(self) -> list[KernelStep]:
        """Per weight matrix, the (α, β, γ) of :func:`theorycheck.kernels.recursion.mlp_kernels`
        (docs/theory/pruned.md).

        Returns:
            One :class:`~theorycheck.kernels.steps.KernelStep` (a tuple) per weight matrix.

        Raises:
            ValueError: for a graphon that is a function (its limit depends on positions: :meth:`kernel_steps`).
        """
        if any(ls.position_dependent for ls in self.layer_specs):
            raise ValueError("a graphon that is a function has no (α, β, γ) factors; use kernel_steps")
        return [ls.kernel_step() for ls in self.layer_specs]  # type: ignore[misc]

    def kernel_steps(self, in_features: int) -> list[Step]:
        """The steps of the limiting recursion (docs/theory/pruned.md, docs/theory/graphon.md).

        (α, β, γ) per matrix, unless some graphon is a function: then every matrix is a
        :class:`~theorycheck.kernels.steps.GraphonStep` on the grid of ``graphon_resolution`` positions per hidden
        layer ([K, d], [K, K], …, [1, K]).

        Args:
            in_features: the input dimension d.

        Returns:
            One step per weight matrix.
        """
        if not any(ls.position_dependent for ls in self.layer_specs):
            return self.layer_factors()
        sizes = [in_features] + [self.graphon_resolution] * self.depth + [1]
        return [ls.grid_step(sizes[i + 1], sizes[i]) for i, ls in enumerate(self.layer_specs)]

    # ------------------------------------------------------------------ limits
    @property
    def closed_form(self) -> bool:
        """Whether the kernels use closed forms (else scale-aware quadrature)."""
        return self.activation.closed_form

    def kernel(self, x1: Any, x2: Any = None, *, device: str | torch.device | None = None) -> Kernel:
        r"""The exact infinite-width NNGP Σ^{(L+1)} and NTK Θ^{(L+1)} on ``x1`` × ``x2`` (float64).

        ``x2=None`` means ``x1`` (the result is then exactly symmetric). Inputs are 2-D arrays or tensors with the
        same number of columns; computed on ``device`` (default: the device of ``x1`` if a tensor, else CPU).

        A pruned input layer (fan-in d fixed) is treated as ``input_layer`` says (docs/theory/pruned.md); the
        returned :class:`~theorycheck.kernels.Kernel` then has ``info`` (method, rows, standard errors when
        sampled, the estimated error of the d → ∞ recursion when ``"gaussian"``).

        An activation without a closed form is integrated by scale-aware quadrature (docs/theory/dense.md); the
        kernel's ``quadrature_error`` is then the a-posteriori estimate of this call (the largest relative error of
        one layer's expectations, see :class:`~theorycheck.kernels.Kernel`), and a
        :class:`~theorycheck.kernels.quadrature.QuadratureAccuracyWarning` is issued when it exceeds 1e-10. It is
        ``None`` for closed forms.
        """
        if device is None and isinstance(x1, torch.Tensor):
            dev = x1.device
        else:
            dev = resolve_device(device)
        a = as_inputs("x1", x1, device=dev)
        b = None if x2 is None else as_inputs("x2", x2, device=dev, features=a.shape[1])
        steps = self.kernel_steps(a.shape[1])
        reset = getattr(self._expect, "reset_error_estimate", None)
        if reset is not None:  # quadrature: the estimate of this call only
            reset()
        if self._input_layer_masked(a.shape[1]):  # exact fixed-d input layer (kernels/input_layer.py)
            return self._input_kernel(a, b, steps)
        nngp, ntk = mlp_kernels(a, b, depth=self.depth, sigma_w=self.sigma_w, sigma_b=self.sigma_b,
                                expect=self._expect, steps=steps)
        return Kernel(nngp=nngp, ntk=ntk, quadrature_error=self._quadrature_error())

    def _quadrature_error(self) -> float | None:
        """The quadrature's a-posteriori error estimate so far (``None`` for closed forms)."""
        est = getattr(self._expect, "error_estimate", None)
        return None if est is None else float(est)

    # ------------------------------------------------- input layer at fixed d (kernels/input_layer.py)
    def _input_keep(self, d: int) -> torch.Tensor | None:
        """Keep probabilities of the input layer, [1, d] (or [K, d] for a graphon that is a function), or
        ``None`` when it is dense."""
        ls = self.layer_specs[0]
        return ls.keep_probabilities(self.graphon_resolution if ls.position_dependent else 1, d)

    def _input_layer_masked(self, d: int) -> bool:
        """Whether the input layer is masked (some keep probability < 1) and feeds a hidden layer (depth ≥ 1)."""
        if self.depth < 1:
            return False  # the input layer is the readout: its expected kernel is the averaged recursion
        keep = self._input_keep(d)
        return keep is not None and float(keep.min()) < 1.0

    def _input_kernel(self, a: torch.Tensor, b: torch.Tensor | None, steps: list[Step],
                      method: str | None = None) -> Kernel:
        method = self.input_layer if method is None else method
        if method == "gaussian":
            return self._gaussian_kernel(a, b, steps)
        rows = mask_rows(self._input_keep(a.shape[1]), method, n_rows=self.input_layer_rows, n_batches=8,
                         seed=self.input_layer_seed)
        nngp, ntk, info = input_layer_kernels(a, b, depth=self.depth, sigma_w=self.sigma_w, sigma_b=self.sigma_b,
                                              expect=self._expect, steps=steps, rows=rows,
                                              scaling=self.layer_specs[0].scaling)
        info["input_layer"] = info.pop("method")
        return Kernel(nngp=nngp, ntk=ntk, info=info, quadrature_error=self._quadrature_error())

    def _gaussian_kernel(self, a: torch.Tensor, b: torch.Tensor | None, steps: list[Step]) -> Kernel:
        """The d → ∞ recursion, with its relative error estimated against ``"auto"`` on ≤ 8 of the inputs."""
        kw = dict(depth=self.depth, sigma_w=self.sigma_w, sigma_b=self.sigma_b, expect=self._expect, steps=steps)
        nngp, ntk = mlp_kernels(a, b, **kw)
        pts = torch.cat([a, b]) if b is not None else a
        sub = pts[torch.linspace(0, pts.shape[0] - 1, min(8, pts.shape[0])).round().long().unique()]
        ref = self._input_kernel(sub, None, steps, method="auto")
        g = mlp_kernels(sub, None, **kw)
        err = {k: float((gk - getattr(ref, k)).norm() / getattr(ref, k).norm()) for k, gk in zip(("nngp", "ntk"), g)}
        info = {"input_layer": "gaussian", "gaussian_rel_error": err, "gaussian_error_points": int(sub.shape[0]),
                "reference": ref.info["input_layer"]}
        return Kernel(nngp=nngp, ntk=ntk, info=info, quadrature_error=self._quadrature_error())

    def kernel_mp(self, x1: Any, x2: Any = None, *, dps: int = 50) -> MPKernel:
        """The same kernels with mpmath at ``dps`` significant digits (closed-form activations; small inputs).

        A pruned input layer is enumerated over its 2^d mask rows (d ≤ 16) unless ``input_layer="gaussian"``.

        Float inputs are taken exactly; nested lists may hold ``mpmath.mpf`` or decimal strings for inputs that
        are not floats. Returns an :class:`~theorycheck.kernels.MPKernel` (``.to_torch()`` rounds to float64).
        """
        dps = check_int("dps", dps, minimum=15, maximum=10_000)
        if any(ls.position_dependent for ls in self.layer_specs):
            raise ValueError("kernel_mp does not support graphons that are functions; use kernel (float64)")
        if not self.closed_form:
            raise ValueError(
                f"kernel_mp needs a closed-form activation (relu, leaky_relu, abs, erf, identity); "
                f"{self.activation.name!r} uses quadrature"
            )
        if isinstance(x1, torch.Tensor) or not isinstance(x1, (list, tuple)):
            as_inputs("x1", x1)  # shape/finite checks with the float64 rules
        a = as_mp_rows("x1", x1)
        b = None if x2 is None else as_mp_rows("x2", x2)
        if self.input_layer != "gaussian" and self._input_layer_masked(len(a[0])):  # enumerate the mask rows
            return mlp_kernels_mp_input_pruned(a, b, depth=self.depth, sigma_w=self.sigma_w, sigma_b=self.sigma_b,
                                               expect=self._expect, dps=dps, factors=self.layer_factors(),
                                               keep=float(self._input_keep(len(a[0]))[0, 0]),
                                               scaling=self.layer_specs[0].scaling)
        return mlp_kernels_mp(a, b, depth=self.depth, sigma_w=self.sigma_w, sigma_b=self.sigma_b,
                              expect=self._expect, dps=dps, factors=self.layer_factors())

    # ------------------------------------------------------------------ finite network
    def network(self, width: int, in_features: int, seed: int = 0, *, device: str | torch.device | None = None,
                dtype: torch.dtype = torch.float64, masks: Any = None) -> NTKMLP:
        """The finite network of this architecture: ``depth`` hidden layers of ``width`` units, output [n, 1].

        Pruned matrices get random masks of the spec's kind (from a stream seeded by ``seed``, separate from the
        weights). ``masks`` overrides them: a list with one entry per weight matrix (``None`` = dense) or a dict
        ``{matrix index: mask}``; each mask is 0/1 with the weight's shape [fan_out, fan_in]. Rescaling uses the
        spec's nominal keep probability 1 − p. A unit left with no inputs raises a ``RuntimeWarning``.
        """
        width = check_int("width", width, minimum=1)
        in_features = check_int("in_features", in_features, minimum=1)
        seed = check_seed("seed", seed)
        if dtype not in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
            raise TypeError(f"dtype must be a floating torch dtype, got {dtype!r}")
        sizes = [in_features] + [width] * self.depth + [1]
        shapes = [(sizes[i + 1], sizes[i]) for i in range(self.depth + 1)]
        layer_masks = self._masks(shapes, seed, masks)
        for i, m in enumerate(layer_masks):
            if m is not None:
                empty = int((m.sum(dim=1) == 0).sum())
                if empty:
                    warnings.warn(f"weight matrix {i}: {empty} of {m.shape[0]} units have no inputs left "
                                  f"(density {float(m.mean()):.3g}); they output the bias only",
                                  RuntimeWarning, stacklevel=2)
        return NTKMLP(in_features, width, self.depth, self.activation, self.sigma_w, self.sigma_b, seed,
                      dtype=dtype, device=resolve_device(device), masks=layer_masks,
                      scalings=[ls.scaling for ls in self.layer_specs])

    def _masks(self, shapes: list[tuple[int, int]], seed: int, masks: Any) -> list[torch.Tensor | None]:
        n = len(shapes)
        if masks is not None:
            if isinstance(masks, dict):
                for key in masks:
                    check_int("masks key", key, minimum=0, maximum=n - 1)
                given = [masks.get(i) for i in range(n)]
            elif isinstance(masks, (list, tuple)):
                if len(masks) != n:
                    raise ValueError(f"masks must have one entry per weight matrix ({n}), got {len(masks)}")
                given = list(masks)
            else:
                raise TypeError(f"masks must be a list or a dict of masks, got {type(masks).__name__}")
            return [None if m is None else validate_mask(f"masks[{i}]", m, shapes[i]) for i, m in enumerate(given)]
        gen = torch.Generator().manual_seed(mask_seed(seed))
        return [ls.sample_mask(shape, gen) for ls, shape in zip(self.layer_specs, shapes)]

    def __repr__(self) -> str:
        slope = f", negative_slope={self.negative_slope:g}" if self.activation.name.startswith("leaky_relu") else ""
        prune = ", graphons=[…]" if self.graphons is not None else ""
        if self.prune > 0:
            prune = (f", prune={self.prune:g}, rescale={self.rescale!r}, prune_layers={self.prune_layers!r}, "
                     f"mask={self.mask_kind!r}")
        sw = (f"{self.sigma_w:g}" if isinstance(self.sigma_w, float)
              else "[" + ", ".join(f"{v:g}" for v in self.sigma_w) + "]")
        return (f"MLP(depth={self.depth}, activation={self.activation.name!r}, sigma_w={sw}, "
                f"sigma_b={self.sigma_b:g}{slope}{prune})")
