r"""Empirical NTK and NNGP of finite networks (docs/theory/dense.md, docs/theory/pruned.md).

The empirical NTK of a scalar network is Θ̂(x, x') = Σ_θ ∂f(x)/∂θ · ∂f(x')/∂θ over every trainable parameter.

**Structured path** (default for :class:`~theorycheck.nn.mlp.NTKMLP`). For the layer h^{(l)} = c_l W g^{(l−1)} + σ_b b,
∂f/∂W_ij = c_l δ_i g_j and ∂f/∂b_i = σ_b δ_i with δ^{(l)} = ∂f/∂h^{(l)}, so the layer's contribution factorises
into Gram matrices of back-propagated signals and of layer inputs:

.. math::

    \hat\Theta_l = (\Delta_l \Delta_l'^{\top}) \odot \bigl(c_l^2\, G_{l-1} G_{l-1}'^{\top} + \sigma_b^2\bigr),
    \qquad \delta^{(L+1)} = 1,\quad
    \delta^{(l)} = \varphi'(h^{(l)}) \odot \bigl(c_{l+1} W^{(l+1)\top}\delta^{(l+1)}\bigr).

The signals Δ_l for the whole batch come from one batched backward pass, so the cost is a forward and a backward
pass plus 2·N²·n per layer; the Jacobian (N × #parameters) is never formed. Gram products are accumulated in row
blocks so that the only N²-sized allocation is the output.

**Masked layers** (pruning, docs/theory/pruned.md): the weight term is c² Σ_{kept (i,j)} δ_i δ'_i g_j g'_j,
computed from the masked Jacobian gathered in chunks (cost N²·nnz; the dense Jacobian is never formed).

Each layer (:class:`~theorycheck.nn.mlp.NTKLinear`) owns its part: :meth:`~theorycheck.nn.mlp.NTKLinear.backprop`,
:meth:`~theorycheck.nn.mlp.NTKLinear.ntk_terms` and, for the readout,
:meth:`~theorycheck.nn.mlp.NTKLinear.output_covariance`; this module only walks the layers.

**Jacobian path** (``method="jacobian"``, any ``torch.nn.Module`` with a scalar output): per-sample Jacobians with
``torch.func.vmap(jacrev)`` contracted parameter by parameter; each input's Jacobian is computed once per panel of
rows kept in memory, only the blocks on and above the diagonal are formed when ``x2`` is ``None``, and the
Jacobians held at once stay within 1 GiB.

**Empirical NNGP**: the conditional covariance of the output given the last hidden layer,
c_{L+1}² g^{(L)}·g'^{(L)} + σ_b², which converges to Σ^{(L+1)} (it is E[f(x) f(x') | hidden layers]).
"""

from __future__ import annotations

import functools

import torch
from torch import nn
from torch.func import functional_call, jacrev, vmap

from .._validation import as_inputs, check_int, check_net_inputs

__all__ = ["empirical_ntk", "empirical_ntk_per_layer", "empirical_nngp"]

_BLOCK_BYTES = 1 << 27  # temporaries of the row-blocked Gram products: 128 MiB


def _no_silent_overflow(fn):
    """Raise an :class:`OverflowError` instead of returning non-finite kernel entries (issue 10).

    A network evaluated in floating point overflows in its forward pass once the pre-activations exceed the dtype's
    range (x·1e300 in float64), and its gradients are then NaN/inf. The finite network is not rescaled here: it is
    the object being simulated, and only positively homogeneous bias-free networks would allow it; the limiting
    kernels (:meth:`theorycheck.MLP.kernel`) are computed in scaled form instead. The error names the largest
    input entry so that the user can rescale.
    """

    @functools.wraps(fn)
    def wrapper(net, x1, x2=None, **kwargs):
        out = fn(net, x1, x2, **kwargs)
        for name, t in (out.items() if isinstance(out, dict) else [("", out)]):
            if not bool(torch.isfinite(t).all()):
                top = max(float(torch.as_tensor(v).abs().max()) for v in (x1, x2) if v is not None)
                where = f" (entry {name!r})" if name else ""
                raise OverflowError(
                    f"{fn.__name__}: non-finite kernel entries{where}: the network's forward or backward pass "
                    f"overflows its dtype (largest input entry {top:.3g}); reduce the input scale or sigma_w")
        return out

    return wrapper


def _is_structured(net: nn.Module) -> bool:
    """A theorycheck network: ``trace``, an ``activation`` and layers that own their NTK terms."""
    return (hasattr(net, "trace") and hasattr(net, "activation") and hasattr(net, "layers")
            and all(callable(getattr(layer, "ntk_terms", None)) for layer in net.layers))


def _param_like(net: nn.Module) -> torch.Tensor:
    try:
        return next(net.parameters())
    except StopIteration:
        raise ValueError("net has no parameters, so it has no tangent kernel") from None


def _prepare(net: nn.Module, x1, x2):
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    p = _param_like(net)
    feats = getattr(net, "in_features", None)
    a = as_inputs("x1", x1, dtype=p.dtype, device=p.device, features=feats)
    b = None if x2 is None else as_inputs("x2", x2, dtype=p.dtype, device=p.device, features=a.shape[1])
    return check_net_inputs(net, a, "x1"), b if b is None else check_net_inputs(net, b, "x2")


def _signals(net, x: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Layer inputs G_{l−1} and back-propagated signals Δ_l for every layer l = 1..L+1."""
    inputs, pre = net.trace(x)
    n = x.shape[0]
    deltas: list[torch.Tensor] = [None] * len(net.layers)  # type: ignore[list-item]
    delta = torch.ones((n, 1), dtype=x.dtype, device=x.device)
    with torch.no_grad():
        for idx in range(len(net.layers) - 1, -1, -1):
            deltas[idx] = delta
            if idx > 0:
                delta = net.layers[idx].backprop(delta)
                delta.mul_(net.activation.grad(pre[idx - 1]))
    return inputs, deltas


def _rows_per_block(n2: int, itemsize: int) -> int:
    return max(1, _BLOCK_BYTES // (2 * itemsize * max(n2, 1)))


def _structured(net, x1, x2, per_layer: bool):
    s1 = _signals(net, x1)
    s2 = s1 if x2 is None else _signals(net, x2)
    n1, n2 = x1.shape[0], (x1 if x2 is None else x2).shape[0]
    kw = dict(rows=_rows_per_block(n2, x1.element_size()), block_bytes=_BLOCK_BYTES, same_inputs=x2 is None)
    names = [name for name, _ in net.layers.named_children()]
    if not per_layer:
        out = torch.zeros((n1, n2), dtype=x1.dtype, device=x1.device)
        for idx, layer in enumerate(net.layers):
            layer.ntk_terms(s1[0][idx], s1[1][idx], s2[0][idx], s2[1][idx], out, out, **kw)
        return out
    terms: dict[str, torch.Tensor] = {}
    for idx, layer in enumerate(net.layers):
        w = torch.zeros((n1, n2), dtype=x1.dtype, device=x1.device)
        b = torch.zeros_like(w)
        layer.ntk_terms(s1[0][idx], s1[1][idx], s2[0][idx], s2[1][idx], w, b, **kw)
        terms[f"layers.{names[idx]}.weight"] = w
        terms[f"layers.{names[idx]}.bias"] = b
    return terms


#: the Jacobian path keeps the Jacobians it holds at once (panel, streamed chunk, jacrev's work space) within this
_JACOBIAN_BYTES = 1 << 30


def _jacobian_ntk(net: nn.Module, x1: torch.Tensor, x2: torch.Tensor | None, chunk_size: int | None,
                  per_layer: bool):
    """Θ̂ = Σ_k J_k(x1) J_k(x2)ᵀ from per-sample Jacobians, blocked so the Jacobians held stay within the cap.

    Rows of x1 are taken in *panels* whose Jacobians are computed once and kept (``P`` rows); the Jacobians of x2 are
    then streamed in chunks of ``S`` rows, each computed once per panel and contracted with the whole panel. For
    ``x2=None`` the kernel is symmetric: a panel meets only the rows from its own start on (blocks j ≥ i), and the
    block below the diagonal is the transpose. With R = cap / (bytes per Jacobian row), S = ``chunk_size`` (default
    R/7) and P = R − 3S (the panel, one streamed chunk and jacrev's work space of about two chunks; the block
    products are memory-bound, so S ≈ 0.15 R balances re-reading the panel against differentiating rows again).
    The rows differentiated are n1 + ⌈n1/P⌉·n2 (about n + n²/(2P) when symmetric) instead of n1·⌈n2/S⌉ when every
    block recomputed both of its Jacobians.
    """
    params = {k: v.detach() for k, v in net.named_parameters() if v.requires_grad}
    n_params = sum(v.numel() for v in params.values())
    itemsize = max((v.element_size() for v in params.values()), default=8)
    rows_in_cap = max(1, _JACOBIAN_BYTES // max(1, itemsize * n_params))
    stream = chunk_size if chunk_size is not None else max(1, min(256, rows_in_cap // 7))
    panel = max(stream, rows_in_cap - 3 * stream)

    def scalar_out(p, xi):
        out = functional_call(net, p, (xi.unsqueeze(0),))
        if out.numel() != 1:
            raise ValueError(f"net must have a scalar output per input (shape [n] or [n, 1]), got {tuple(out.shape)}")
        return out.reshape(())

    jac_fn = vmap(jacrev(scalar_out), in_dims=(None, 0))
    keys = list(params)

    def jac(x: torch.Tensor) -> dict[str, torch.Tensor]:
        j = jac_fn(params, x)
        return {k: j[k].reshape(x.shape[0], -1) for k in keys}

    symmetric = x2 is None
    xb = x1 if symmetric else x2
    n1, n2 = x1.shape[0], xb.shape[0]
    outs = {k: torch.zeros((n1, n2), dtype=x1.dtype, device=x1.device) for k in (keys if per_layer else ["all"])}

    def add(ja: dict, jb: dict, i0: int, j0: int, mirror: bool) -> None:
        for k in keys:
            target = outs[k if per_layer else "all"]
            block = ja[k] @ jb[k].T
            target[i0:i0 + block.shape[0], j0:j0 + block.shape[1]] += block
            if mirror:
                target[j0:j0 + block.shape[1], i0:i0 + block.shape[0]] += block.T

    for p0 in range(0, n1, panel):
        p1 = min(n1, p0 + panel)
        held = {k: torch.empty((p1 - p0, params[k].numel()), dtype=x1.dtype, device=x1.device) for k in keys}
        for r0 in range(p0, p1, stream):  # the panel's Jacobians, computed once, a chunk at a time
            part = jac(x1[r0:min(p1, r0 + stream)])
            for k in keys:
                held[k][r0 - p0:r0 - p0 + part[k].shape[0]] = part[k]
            del part
        if symmetric:
            add(held, held, p0, p0, mirror=False)  # the diagonal block
        for j0 in range(p1 if symmetric else 0, n2, stream):
            add(held, jac(xb[j0:j0 + stream]), p0, j0, mirror=symmetric)
        del held
    return outs if per_layer else outs["all"]


@_no_silent_overflow
def empirical_ntk(net: nn.Module, x1, x2=None, *, method: str = "auto", chunk_size: int | None = None
                  ) -> torch.Tensor:
    r"""The exact empirical NTK Θ̂(x1, x2) = Σ_θ ∂f(x1)/∂θ ∂f(x2)/∂θ of a scalar-output network.

    Parameters
    ----------
    net:
        A network from :meth:`theorycheck.MLP.network` (structured path) or any ``torch.nn.Module`` whose output
        has one value per input (Jacobian path).
    x1, x2:
        Input batches [n1, d] and [n2, d]; ``x2=None`` means ``x1``. Moved to the network's device and dtype.
    method:
        ``"auto"`` (structured when the network supports it), ``"structured"`` or ``"jacobian"``.
    chunk_size:
        Inputs per Jacobian chunk (Jacobian path only; default: chunks of at most 1 GiB of Jacobian).

    Returns
    -------
    torch.Tensor
        [n1, n2] tensor on the network's device, in its dtype (float64 for ``MLP.network``).
    """
    if method not in ("auto", "structured", "jacobian"):
        raise ValueError(f"method must be 'auto', 'structured' or 'jacobian', got {method!r}")
    if chunk_size is not None:
        chunk_size = check_int("chunk_size", chunk_size, minimum=1)
    a, b = _prepare(net, x1, x2)
    own = callable(getattr(net, "structured_ntk", None))
    if method == "structured" and not (own or _is_structured(net)):
        raise TypeError("method='structured' needs a network built by theorycheck (MLP.network); use 'jacobian'")
    if method != "jacobian" and own:
        return net.structured_ntk(a, b)
    if method != "jacobian" and _is_structured(net):
        return _structured(net, a, b, per_layer=False)
    return _jacobian_ntk(net, a, b, chunk_size, per_layer=False)


@_no_silent_overflow
def empirical_ntk_per_layer(net: nn.Module, x1, x2=None, *, method: str = "auto") -> dict[str, torch.Tensor]:
    """The empirical NTK split by parameter tensor: ``{"layers.0.weight": Θ̂_W1, "layers.0.bias": Θ̂_b1, ...}``.

    The values sum to :func:`empirical_ntk`. Same arguments; the keys are the network's parameter names.
    """
    if method not in ("auto", "structured", "jacobian"):
        raise ValueError(f"method must be 'auto', 'structured' or 'jacobian', got {method!r}")
    a, b = _prepare(net, x1, x2)
    if method != "jacobian" and callable(getattr(net, "structured_ntk", None)):
        return net.structured_ntk(a, b, per_layer=True)
    if method != "jacobian" and _is_structured(net):
        return _structured(net, a, b, per_layer=True)
    if method == "structured":
        raise TypeError("method='structured' needs a network built by theorycheck (MLP.network); use 'jacobian'")
    return _jacobian_ntk(net, a, b, None, per_layer=True)


@_no_silent_overflow
def empirical_nngp(net: nn.Module, x1, x2=None) -> torch.Tensor:
    r"""The finite-width NNGP c_{L+1}² g^{(L)}(x1)·g^{(L)}(x2) + σ_b² (covariance of f given the hidden layers).

    Its expectation over initialisations is E[f(x1) f(x2)] and it converges to Σ^{(L+1)} as width → ∞.
    """
    if callable(getattr(net, "structured_nngp", None)):
        a, b = _prepare(net, x1, x2)
        return net.structured_nngp(a, b)
    if not _is_structured(net):
        raise TypeError("empirical_nngp needs a network built by theorycheck (MLP.network)")
    a, b = _prepare(net, x1, x2)
    ga = net.trace(a)[0][-1]
    gb = ga if b is None else net.trace(b)[0][-1]
    return net.layers[-1].output_covariance(ga, gb)
