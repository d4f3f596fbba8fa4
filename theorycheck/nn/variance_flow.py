r"""Forward and backward variances of a finite network, layer by layer (docs/theory/depth_init.md).

For an :class:`~theorycheck.nn.mlp.NTKMLP` with hidden pre-activations h_l (l = 1..L) and scalar output f, this
module measures

.. math::

    q_l = \frac{1}{n\,N} \sum_{x}\, \lVert h_l(x) \rVert^2, \qquad
    D_l = \frac{1}{n} \sum_{x}\, \lVert \partial f(x) / \partial h_l(x) \rVert^2

(n inputs, N units per layer): the mean squared pre-activation and the mean squared norm of the back-propagated
signal δ_l. For a ReLU network without bias and a σ_w schedule, their infinite-width values are
:func:`theorycheck.kernels.schedule.relu_variance_profile`.
"""

from __future__ import annotations

import torch

from .mlp import NTKMLP

__all__ = ["forward_backward_variances"]


def forward_backward_variances(net: NTKMLP, x: torch.Tensor) -> dict[str, list[float]]:
    """q_l and D_l = mean ‖δ_l‖² of every hidden layer l = 1..L of ``net`` on the inputs ``x`` (module doc).

    δ_l(x) = ∂f(x)/∂h_l(x) is computed by autograd on Σ_x f(x) (each output depends on its own input only).

    Args:
        net: the network (any parameterisation of :class:`~theorycheck.nn.mlp.NTKMLP`; masks allowed).
        x: inputs [n, d] with the network's dtype and device.

    Returns:
        ``{"q": [q_1..q_L], "delta2": [D_1..D_L]}`` as floats (empty lists when L = 0).

    Raises:
        ValueError: if ``x`` is not [n, in_features] with n ≥ 1.
    """
    if not isinstance(x, torch.Tensor) or x.dim() != 2 or x.shape[0] < 1 or x.shape[1] != net.in_features:
        raise ValueError(f"x must be a tensor [n, {net.in_features}] with n >= 1, got "
                         f"{tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__}")
    pre: list[torch.Tensor] = []
    h = x
    with torch.enable_grad():
        for i, layer in enumerate(net.layers):
            h = layer(h if i == 0 else net.activation(h))
            if i < net.depth:
                h.retain_grad()
                pre.append(h)
        net.zero_grad(set_to_none=True)
        h.sum().backward()
    n = x.shape[0]
    q = [float(p.detach().square().mean()) for p in pre]
    delta2 = [float(p.grad.square().sum()) / n for p in pre]
    net.zero_grad(set_to_none=True)
    return {"q": q, "delta2": delta2}
