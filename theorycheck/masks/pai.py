r"""Pruning-at-initialisation masks for any torch module with Linear/Conv2d layers (docs/theory/topology.md).

Every generator returns one 0/1 float64 mask per prunable weight (the ``weight`` of each ``nn.Linear``,
``nn.Conv2d`` and theorycheck ``NTKLinear``, in module order), so for a ``tc.MLP`` network the list plugs straight
into ``spec.network(..., masks=masks)``. ``scope="global"`` ranks all scores together (one threshold);
``scope="layer"`` keeps each layer's share. Ties are broken by position, so results are deterministic.

========================  ===========================================================================================
generator                 score (keep the highest)
========================  ===========================================================================================
``random_masks``          uniform per-layer density, or ER/ERK layer densities; Bernoulli or exact count; seeded
``magnitude_masks``       |θ|
``snip_masks``            |θ ⊙ ∂L/∂θ| on a batch (Lee et al. 2019)
``grasp_masks``           θ ⊙ Hg, g = ∂L/∂θ, normalised by |Σ| (Wang et al. 2020; as in the Synaptic-Flow code)
``synflow_masks``         |θ ⊙ ∂R/∂θ|, R = 1ᵀ f_{|θ|⊙M}(1), iterated with the exponential schedule
                          density^{k/T}, k = 1..T (Tanaka et al. 2020), data-free
========================  ===========================================================================================

Conventions that differ between the reference codes, offered as options (docs/theory/topology.md):

* the keep count: ``count="round"`` keeps round(d·N) weights, ``count="authors"`` keeps N − int((1 − d)·N) as the
  Synaptic-Flow and GraSP code (which prune int((1 − d)·N)); the difference compounds over SynFlow's iterations;
* GraSP divides the class logits by a temperature T = 200 in both passes (``temperature``), as both reference
  codes do;
* ER densities of convolutions count the unrolled bipartite graph (``conv="unrolled"``, what the topology metrics
  see) or the channel graph (``conv="channels"``, the authors' DST code);
* every score is computed in eval mode and the model is left exactly as it was (train/eval flags and buffers such
  as BatchNorm running statistics).

ER/ERK densities (Evci et al. 2020): density_l ∝ (n_in + n_out)/(n_in·n_out) for Linear and
(n_in + n_out + k_h + k_w)/(n_in·n_out·k_h·k_w) for Conv2d, scaled to the requested global density with layers that
would exceed 1 kept dense. The loss L is ½‖f − y‖² for one output column and cross-entropy for class logits.
"""

from __future__ import annotations

import contextlib
import math
import warnings

import torch
from torch import nn
from torch.func import functional_call

from .._validation import check_int, check_real, check_seed
from .random import random_mask

__all__ = [
    "prunable_parameters", "layer_densities", "random_masks", "magnitude_masks", "snip_masks", "grasp_masks",
    "synflow_masks", "keep_top", "graphon_mask",
]

SCOPES = ("global", "layer")
#: How many weights a density keeps (see :func:`keep_top`).
COUNTS = ("round", "authors")
#: What an ER/ERK density of a convolution counts (see :func:`layer_densities`).
CONV_ER = ("unrolled", "channels")
#: Softmax temperature of the GraSP reference codes (applied to the logits in both passes).
GRASP_TEMPERATURE = 200.0


@contextlib.contextmanager
def _scoring(model: nn.Module):
    """Score in eval mode (BatchNorm uses, and does not update, its running statistics; dropout is off) and give
    the model back exactly as it was: the train/eval flag of every module and every buffer restored."""
    flags = [(m, m.training) for m in model.modules()]
    buffers = {k: v.detach().clone() for k, v in model.named_buffers()}
    model.eval()
    try:
        yield
    finally:
        for m, flag in flags:
            m.training = flag
        with torch.no_grad():
            for k, v in model.named_buffers():
                if k in buffers:
                    v.copy_(buffers[k])


def prunable_parameters(model: nn.Module) -> list[tuple[str, nn.Parameter]]:
    """(name, weight) of every Linear/Conv2d-like layer, in module order."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    out = []
    for mod_name, mod in model.named_modules():
        w = getattr(mod, "weight", None)
        if isinstance(w, nn.Parameter) and w.dim() in (2, 4) and (
                isinstance(mod, (nn.Linear, nn.Conv2d)) or type(mod).__name__ == "NTKLinear"):
            out.append((f"{mod_name}.weight" if mod_name else "weight", w))
    if not out:
        raise ValueError("model has no Linear/Conv2d layers to prune")
    return out


def _density(density: float) -> float:
    return check_real("density", density, minimum=0.0, maximum=1.0, min_inclusive=False)


def layer_densities(model: nn.Module, density: float, distribution: str = "uniform",
                    conv: str = "unrolled") -> list[float]:
    """Per-layer densities with the given overall density: ``"uniform"``, ``"er"`` or ``"erk"``.

    Args:
        model: The model.
        density: Overall density in (0, 1].
        distribution: ``"uniform"``, ``"er"`` or ``"erk"`` (Evci et al. 2020; docs/theory/topology.md).
        conv: For ``"er"`` on a convolution [C_out, C_in, k_h, k_w]: ``"unrolled"`` uses
            (C_in·k_h·k_w + C_out)/(C_in·k_h·k_w·C_out), the bipartite graph of the unrolled layer that the topology
            metrics see; ``"channels"`` uses (C_in + C_out)/(C_in·C_out), the channel graph as in the authors' DST
            code.
    """
    density = _density(density)
    if conv not in CONV_ER:
        raise ValueError(f"conv must be one of {', '.join(CONV_ER)}, got {conv!r}")
    params = [p for _, p in prunable_parameters(model)]
    if distribution == "uniform":
        return [density] * len(params)
    if distribution not in ("er", "erk"):
        raise ValueError(f"distribution must be 'uniform', 'er' or 'erk', got {distribution!r}")
    raw = []
    for p in params:
        shape = p.shape
        if p.dim() == 4 and distribution == "erk":
            raw.append((shape[0] + shape[1] + shape[2] + shape[3]) / (shape[0] * shape[1] * shape[2] * shape[3]))
        elif p.dim() == 4 and conv == "channels":
            raw.append((shape[0] + shape[1]) / (shape[0] * shape[1]))
        else:
            n_out, n_in = shape[0], int(math.prod(shape[1:]))
            raw.append((n_in + n_out) / (n_in * n_out))
    sizes = [p.numel() for p in params]
    dense: set[int] = set()
    while True:  # scale ε so that Σ min(1, ε raw_l) n_l = density Σ n_l, with saturated layers fixed at 1
        budget = density * sum(sizes) - sum(sizes[i] for i in dense)
        free = sum(raw[i] * sizes[i] for i in range(len(sizes)) if i not in dense)
        eps = budget / free
        over = {i for i in range(len(sizes)) if i not in dense and eps * raw[i] > 1}
        if not over:
            return [1.0 if i in dense else eps * raw[i] for i in range(len(sizes))]
        dense |= over


def keep_top(scores: list[torch.Tensor], densities: list[float] | float, scope: str = "global",
             count: str = "round") -> list[torch.Tensor]:
    """Masks keeping the highest scores: globally (one threshold, overall density) or per layer.

    Args:
        scores: One score tensor per layer (NaN rejected).
        densities: The density d (one for all layers, or one per layer).
        scope: ``"global"`` or ``"layer"``.
        count: How many of N weights are kept: ``"round"`` keeps round(d·N); ``"authors"`` keeps N − int((1−d)·N),
            the count of the Synaptic-Flow/GraSP code (it prunes int((1−d)·N)); the two differ by at most one weight
            per call, which compounds over SynFlow's iterations.

    Raises:
        ValueError: an unknown scope or count, or NaN scores. A layer left with no connection warns.
    """
    if scope not in SCOPES:
        raise ValueError(f"scope must be 'global' or 'layer', got {scope!r}")
    if count not in COUNTS:
        raise ValueError(f"count must be one of {', '.join(COUNTS)}, got {count!r}")
    flats = [s.detach().reshape(-1).to(torch.float64).cpu() for s in scores]
    for i, f in enumerate(flats):
        if bool(torch.isnan(f).any()):
            raise ValueError(f"scores[{i}] contain NaN (non-finite data or weights?); cannot rank connections")
    dens_list = [densities] * len(scores) if isinstance(densities, float) else list(densities)
    if scope == "layer":
        masks = [_keep_fraction(f, d, count).reshape(s.shape) for f, d, s in zip(flats, dens_list, scores)]
    else:
        sizes = [f.numel() for f in flats]
        overall = sum(d * n for d, n in zip(dens_list, sizes)) / sum(sizes)
        masks = [part.reshape(s.shape)
                 for part, s in zip(_keep_fraction(torch.cat(flats), overall, count).split(sizes), scores)]
    empty = [i for i, m in enumerate(masks) if not bool(m.any())]
    if empty:
        warnings.warn(f"layer(s) {empty} keep no connection at this density: the network's output no longer depends "
                      "on its input", RuntimeWarning, stacklevel=3)
    return masks


def _keep_fraction(flat: torch.Tensor, density: float, count: str = "round") -> torch.Tensor:
    """0/1 vector keeping the k largest entries of ``flat``: k = round(density·n), or n − int((1 − density)·n)."""
    n = flat.numel()
    k = int(round(density * n)) if count == "round" else n - int((1.0 - density) * n)
    keep = torch.zeros_like(flat)
    keep[torch.topk(flat, min(max(k, 0), n), sorted=False).indices] = 1.0
    return keep


def graphon_mask(graphon, n_out: int, n_in: int, *, seed: int = 0) -> torch.Tensor:
    """Sample a [n_out, n_in] mask with M_ij ~ Bernoulli(W((i+½)/n_out, (j+½)/n_in)) from a graphon ``W(v, u)``
    (a constant or a torch-broadcasting function of output and input positions with values in [0, 1])."""
    from ..kernels.graphon import graphon_values

    n_out = check_int("n_out", n_out, minimum=1)
    n_in = check_int("n_in", n_in, minimum=1)
    seed = check_seed("seed", seed)
    w = graphon_values(graphon, n_out, n_in)
    u = torch.rand((n_out, n_in), generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return (u < w).to(torch.float64)


def random_masks(model: nn.Module, density: float, *, distribution: str = "uniform", kind: str = "bernoulli",
                 seed: int = 0) -> list[torch.Tensor]:
    """Random masks with per-layer densities from ``distribution`` (``kind``: ``"bernoulli"`` or ``"exact"``)."""
    seed = check_seed("seed", seed)
    gen = torch.Generator().manual_seed(seed)
    params = prunable_parameters(model)
    dens = layer_densities(model, density, distribution)
    out = []
    for (_, p), d in zip(params, dens):
        shape2 = (p.shape[0], int(math.prod(p.shape[1:])))
        out.append(random_mask(shape2, 1.0 - d, kind, gen).reshape(p.shape))
    return out


def magnitude_masks(model: nn.Module, density: float, *, scope: str = "global", count: str = "round"
                    ) -> list[torch.Tensor]:
    """Keep the largest |θ| (at initialisation this is i.i.d. across weights: a constant graphon,
    docs/theory/topology.md)."""
    return keep_top([p.detach().abs() for _, p in prunable_parameters(model)], _density(density), scope, count)


def _loss(out: torch.Tensor, y: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Cross-entropy of logits/T for class logits; ½‖f − y‖² for one output column (no temperature)."""
    if out.dim() == 2 and out.shape[1] > 1:
        return nn.functional.cross_entropy(out / temperature, y.long())
    return 0.5 * ((out.reshape(-1) - y.reshape(-1).to(out.dtype)) ** 2).sum()


def _batch(model: nn.Module, x, y) -> tuple[torch.Tensor, torch.Tensor]:
    p = next(model.parameters())
    x = torch.as_tensor(x, dtype=p.dtype, device=p.device)
    y = torch.as_tensor(y, device=p.device)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"y must have one target per input ({x.shape[0]}), got {y.shape[0]}")
    if not bool(torch.isfinite(x).all()):
        raise ValueError("x must be finite (it contains NaN or ±inf)")
    if y.is_floating_point() and not bool(torch.isfinite(y).all()):
        raise ValueError("y must be finite (it contains NaN or ±inf)")
    return x, y


def snip_masks(model: nn.Module, density: float, x, y, *, scope: str = "global", count: str = "round"
               ) -> list[torch.Tensor]:
    """SNIP: keep the largest connection sensitivities |θ ⊙ ∂L/∂θ| on the batch (x, y).

    Scored in eval mode; the model (train/eval flags, buffers) is left exactly as it was.
    """
    density = _density(density)
    x, y = _batch(model, x, y)
    params = [p for _, p in prunable_parameters(model)]
    with _scoring(model):
        grads = torch.autograd.grad(_loss(model(x), y), params)
    return keep_top([(g * p).abs().detach() for g, p in zip(grads, params)], density, scope, count)


def grasp_masks(model: nn.Module, density: float, x, y, *, scope: str = "global", count: str = "round",
                temperature: float = GRASP_TEMPERATURE) -> list[torch.Tensor]:
    """GraSP: keep the largest θ ⊙ Hg (Hessian-gradient product), normalised by |Σ θ ⊙ Hg| as in the Synaptic-Flow
    code (Wang et al. 2020).

    Args:
        model, density, x, y, scope, count: As for :func:`snip_masks`.
        temperature: T dividing the class logits in both passes (the gradient g and the Hessian-gradient product),
            200 in both reference codes; it has no effect on a one-output squared loss.

    Scored in eval mode; the model is left exactly as it was.
    """
    density = _density(density)
    temperature = check_real("temperature", temperature, minimum=0.0, min_inclusive=False)
    x, y = _batch(model, x, y)
    params = [p for _, p in prunable_parameters(model)]
    with _scoring(model):
        g0 = [g.detach() for g in torch.autograd.grad(_loss(model(x), y, temperature), params)]
        g1 = torch.autograd.grad(_loss(model(x), y, temperature), params, create_graph=True)
        hg = torch.autograd.grad(sum((a * b).sum() for a, b in zip(g0, g1)), params)
    scores = [(h * p).detach() for h, p in zip(hg, params)]
    norm = abs(float(sum(s.sum() for s in scores))) + 1e-10
    return keep_top([s / norm for s in scores], density, scope, count)


def synflow_masks(model: nn.Module, density: float, *, iterations: int = 100, scope: str = "global",
                  input_shape: tuple[int, ...] | None = None, count: str = "round") -> list[torch.Tensor]:
    """SynFlow: iterative synaptic-flow pruning with the exponential schedule, data-free.

    ``count="authors"`` keeps N − int((1 − d_k)N) at each iteration k as the Synaptic-Flow code does (the two
    counts can drift apart by one weight per iteration). Scored in eval mode; the model is left as it was.
    """
    density = _density(density)
    iterations = check_int("iterations", iterations, minimum=1)
    named = prunable_parameters(model)
    all_params = dict(model.named_parameters())
    buffers = dict(model.named_buffers())
    first = named[0][1]
    if input_shape is None:
        input_shape = (int(first.shape[1]),) if first.dim() == 2 else None
        if input_shape is None:
            raise ValueError("input_shape is needed for a model whose first layer is a convolution")
    ones = torch.ones((1, *input_shape), dtype=first.dtype, device=first.device)
    masks = [torch.ones_like(p, dtype=torch.float64) for _, p in named]
    with _scoring(model):
        return _synflow(model, named, all_params, buffers, ones, masks, density, iterations, scope, count)


def _synflow(model, named, all_params, buffers, ones, masks, density, iterations, scope, count):
    first = named[0][1]
    for k in range(1, iterations + 1):
        abs_params = {n: p.detach().abs() for n, p in all_params.items()}
        weights = {n: (abs_params[n] * m.to(first.dtype)).requires_grad_(True) for (n, _), m in zip(named, masks)}
        params = {**abs_params, **weights}
        out = functional_call(model, {**params, **buffers}, (ones,))
        grads = torch.autograd.grad(out.sum(), [weights[n] for n, _ in named])
        scores = [(g * weights[n]).detach().abs() for g, (n, _) in zip(grads, named)]
        # already-pruned weights have score 0 and stay pruned (ties at 0 never outrank kept weights)
        scores = [torch.where(m > 0, s.to(torch.float64), torch.full_like(m, -1.0)) for s, m in zip(scores, masks)]
        masks = keep_top(scores, density ** (k / iterations), scope, count)
    return masks
