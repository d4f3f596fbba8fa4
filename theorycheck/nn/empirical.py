r"""Empirical NTK and NNGP of finite networks (THEORY.md §0.1, Appendix A).

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

**Masked layers** (pruning, THEORY.md §0.5 and Appendix A): the weight term is c² Σ_{kept (i,j)} δ_i δ'_i g_j g'_j,
computed from the masked Jacobian gathered in chunks (cost N²·nnz; the dense Jacobian is never formed).

**Jacobian path** (``method="jacobian"``, any ``torch.nn.Module`` with a scalar output): per-sample Jacobians with
``torch.func.vmap(jacrev)`` contracted parameter by parameter, in input chunks.

**Empirical NNGP**: the conditional covariance of the output given the last hidden layer,
c_{L+1}² g^{(L)}·g'^{(L)} + σ_b², which converges to Σ^{(L+1)} (it is E[f(x) f(x') | hidden layers]).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call, jacrev, vmap

from .._validation import as_inputs, check_int, check_net_inputs

__all__ = ["empirical_ntk", "empirical_ntk_per_layer", "empirical_nngp"]

_BLOCK_BYTES = 1 << 27  # temporaries of the row-blocked Gram products: 128 MiB


def _is_structured(net: nn.Module) -> bool:
    return hasattr(net, "trace") and hasattr(net, "layers") and hasattr(net, "activation")


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
                layer = net.layers[idx]
                delta = torch.mm(delta, layer.effective_weight()).mul_(layer.scale)
                delta.mul_(net.activation.grad(pre[idx - 1]))
    return inputs, deltas


def _rows_per_block(n2: int, itemsize: int) -> int:
    return max(1, _BLOCK_BYTES // (2 * itemsize * max(n2, 1)))


def _masked_weight_term(layer, g1, d1, g2, d2, out: torch.Tensor, same_inputs: bool) -> None:
    """out += c² Σ_{(i,j) kept} (δ_i g_j)(δ'_i g'_j): the masked Jacobian J (N × nnz) built chunk by chunk by
    gathering, then J J'ᵀ. Cost N²·nnz; the dense N × (fan_in·fan_out) Jacobian is never formed."""
    rows, cols = layer.support()
    nnz = rows.numel()
    chunk = max(1, _BLOCK_BYTES // (2 * g1.element_size() * max(g1.shape[0], g2.shape[0])))
    c2 = layer.scale * layer.scale
    for k0 in range(0, nnz, chunk):
        r, c = rows[k0:k0 + chunk], cols[k0:k0 + chunk]
        j1 = d1[:, r] * g1[:, c]
        j2 = j1 if same_inputs else d2[:, r] * g2[:, c]
        out.addmm_(j1, j2.T, alpha=c2)


def _layer_terms(layer, g1, d1, g2, d2, out_w: torch.Tensor | None, out_b: torch.Tensor | None,
                 rows: int, same_inputs: bool = False) -> None:
    """Accumulate the weight term (ΔΔ'ᵀ)⊙(c² GG'ᵀ) into out_w and the bias term σ_b² ΔΔ'ᵀ into out_b.

    When out_w is out_b, the two are summed in one pass: (ΔΔ'ᵀ) ⊙ (c² GG'ᵀ + σ_b²). A masked layer's weight term
    sums over the kept weights only (:func:`_masked_weight_term`); biases are never pruned.
    """
    c2, b2 = layer.scale * layer.scale, layer.sigma_b * layer.sigma_b
    if getattr(layer, "mask", None) is not None:
        _masked_weight_term(layer, g1, d1, g2, d2, out_w, same_inputs)
        for r0 in range(0, g1.shape[0], rows):
            r1 = min(g1.shape[0], r0 + rows)
            out_b[r0:r1].addmm_(d1[r0:r1], d2.T, alpha=b2)
        return
    same = out_w is out_b
    for r0 in range(0, g1.shape[0], rows):
        r1 = min(g1.shape[0], r0 + rows)
        dd = torch.mm(d1[r0:r1], d2.T)
        gg = torch.mm(g1[r0:r1], g2.T)
        if same:
            out_w[r0:r1].addcmul_(dd, gg.mul_(c2).add_(b2))
        else:
            out_w[r0:r1].addcmul_(dd, gg, value=c2)
            out_b[r0:r1].add_(dd, alpha=b2)


def _structured(net, x1, x2, per_layer: bool):
    s1 = _signals(net, x1)
    s2 = s1 if x2 is None else _signals(net, x2)
    n1, n2 = x1.shape[0], (x1 if x2 is None else x2).shape[0]
    rows = _rows_per_block(n2, x1.element_size())
    names = [name for name, _ in net.layers.named_children()]
    if not per_layer:
        out = torch.zeros((n1, n2), dtype=x1.dtype, device=x1.device)
        for idx, layer in enumerate(net.layers):
            _layer_terms(layer, s1[0][idx], s1[1][idx], s2[0][idx], s2[1][idx], out, out, rows, x2 is None)
        return out
    terms: dict[str, torch.Tensor] = {}
    for idx, layer in enumerate(net.layers):
        w = torch.zeros((n1, n2), dtype=x1.dtype, device=x1.device)
        b = torch.zeros_like(w)
        _layer_terms(layer, s1[0][idx], s1[1][idx], s2[0][idx], s2[1][idx], w, b, rows, x2 is None)
        terms[f"layers.{names[idx]}.weight"] = w
        terms[f"layers.{names[idx]}.bias"] = b
    return terms


def _jacobian_ntk(net: nn.Module, x1: torch.Tensor, x2: torch.Tensor | None, chunk_size: int | None,
                  per_layer: bool):
    params = {k: v.detach() for k, v in net.named_parameters() if v.requires_grad}
    n_params = sum(v.numel() for v in params.values())
    if chunk_size is None:
        chunk_size = max(1, min(256, (1 << 30) // max(1, 8 * n_params)))

    def scalar_out(p, xi):
        out = functional_call(net, p, (xi.unsqueeze(0),))
        if out.numel() != 1:
            raise ValueError(f"net must have a scalar output per input (shape [n] or [n, 1]), got {tuple(out.shape)}")
        return out.reshape(())

    jac = vmap(jacrev(scalar_out), in_dims=(None, 0))
    xb = x1 if x2 is None else x2
    n1, n2 = x1.shape[0], xb.shape[0]
    keys = list(params)
    outs = {k: torch.zeros((n1, n2), dtype=x1.dtype, device=x1.device) for k in (keys if per_layer else ["all"])}
    for i0 in range(0, n1, chunk_size):
        ja = jac(params, x1[i0:i0 + chunk_size])
        for j0 in range(0, n2, chunk_size):
            jb = ja if (x2 is None and j0 == i0) else jac(params, xb[j0:j0 + chunk_size])
            for k in keys:
                a = ja[k].reshape(ja[k].shape[0], -1)
                b = jb[k].reshape(jb[k].shape[0], -1)
                target = outs[k if per_layer else "all"]
                target[i0:i0 + a.shape[0], j0:j0 + b.shape[0]] += a @ b.T
    return outs if per_layer else outs["all"]


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
    readout = net.layers[-1]
    ga = net.trace(a)[0][-1]
    gb = ga if b is None else net.trace(b)[0][-1]
    if readout.mask is not None:  # covariance over the readout's initial W: c² Var(W) Σ_j M_j g_j g'_j + σ_b²
        m = readout.mask[0]
        factor = 1.0 / readout.keep if readout.rescale == "weights" else 1.0
        return torch.mm(ga * m, gb.T).mul_(readout.scale**2 * factor).add_(readout.sigma_b**2)
    return torch.mm(ga, gb.T).mul_(readout.scale**2).add_(readout.sigma_b**2)
