r"""The finite stem–cell–readout network of a DAG cell (Chen, Huang, Wang, AutoML-Conf 2023, Eq. 1–2).

.. math::

    X^{(0)} = \mathrm{relu}(\sigma_w d^{-1/2} W_s x + \sigma_b b_s), \qquad
    X^{(t)} = \sum_{s<t} \rho_{st}(X^{(s)}), \qquad
    f(x) = \sigma_w m^{-1/2} W_o X^{(H)} + \sigma_b b_o,

ρ = 0, identity (skip) or relu(σ_w m^{-1/2} W X + σ_b b) (linear), every layer an
:class:`~theorycheck.nn.mlp.NTKLinear` (NTK parameterisation, all weights and biases N(0, 1)). Parameters are drawn
from one CPU generator seeded with ``seed`` in the order stem, linear edges (by head node, then tail), readout — so a
chain cell of L − 1 linear edges is, weight for weight, the ``tc.MLP(depth=L)`` network with the same seed.

The empirical kernels (:func:`cell_empirical_kernels`) use the structured form of
:mod:`theorycheck.nn.empirical`: layer by layer, (c² G G'ᵀ + σ_b²) ⊙ (Δ Δ'ᵀ), with the signals Δ = ∂f/∂h of every
pre-activation from one batched backward pass. Docs: ``docs/theory/architectures.md``.
"""

from __future__ import annotations

import torch
from torch import nn

from .._validation import as_inputs, check_int
from ..cells import Cell
from .mlp import NTKLinear

__all__ = ["CellModule", "cell_empirical_kernels"]


def _edge_name(s: int, t: int) -> str:
    return f"e{s}_{t}"


class CellModule(nn.Module):
    """A stem (d → m, Linear+ReLU), one DAG cell of width m and a readout (m → ``out_features``).

    Built by :meth:`theorycheck.CellNet.network`. ``forward`` returns [n, out_features]; :meth:`nodes` the cell's
    node values X^{(0..H)}; :meth:`cell` applies the cell alone to a given X^{(0)} (for Jacobians of the cell).

    Args:
        cell: the cell.
        in_features: input dimension d ≥ 1.
        width: hidden width m ≥ 1.
        sigma_w, sigma_b: weight and bias scales.
        seed: seed of the parameter stream.
        out_features: number of outputs (≥ 1).
        dtype, device: of the parameters.
    """

    def __init__(self, cell: Cell, in_features: int, width: int, sigma_w: float, sigma_b: float, seed: int,
                 out_features: int = 1, dtype: torch.dtype = torch.float64,
                 device: torch.device | str | None = None) -> None:
        super().__init__()
        if not isinstance(cell, Cell):
            raise TypeError(f"cell must be a theorycheck.cells.Cell, got {type(cell).__name__}")
        self.in_features = check_int("in_features", in_features, minimum=1)
        self.width = check_int("width", width, minimum=1)
        self.out_features = check_int("out_features", out_features, minimum=1)
        self.seed = check_int("seed", seed, minimum=0)
        self.cell_spec = cell
        self.sigma_w, self.sigma_b = float(sigma_w), float(sigma_b)
        gen = torch.Generator(device="cpu").manual_seed(self.seed)
        self.stem = NTKLinear(in_features, width, sigma_w, sigma_b, gen, dtype, device)
        self.edges = nn.ModuleDict()
        for s, t in cell.linear_edges:
            self.edges[_edge_name(s, t)] = NTKLinear(width, width, sigma_w, sigma_b, gen, dtype, device)
        self.readout = NTKLinear(width, out_features, sigma_w, sigma_b, gen, dtype, device)

    def _run(self, x0: torch.Tensor, record: list | None = None) -> list[torch.Tensor]:
        nodes = [x0]
        for t in range(1, self.cell_spec.nodes + 1):
            acc = torch.zeros_like(x0)
            for s in range(t):
                op = self.cell_spec.ops[t - 1][s]
                if op == "skip":
                    acc = acc + nodes[s]
                elif op == "linear":
                    layer = self.edges[_edge_name(s, t)]
                    pre = layer(nodes[s])
                    if record is not None:
                        record.append((layer, nodes[s], pre))
                    acc = acc + torch.relu(pre)
            nodes.append(acc)
        return nodes

    def cell(self, x0: torch.Tensor) -> torch.Tensor:
        """X^{(H)} of the cell applied to a given cell input X^{(0)} ([n, m] → [n, m])."""
        return self._run(x0)[-1]

    def nodes(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The node values X^{(0)}, …, X^{(H)} for inputs x ([n, d]), each [n, m]."""
        return self._run(torch.relu(self.stem(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.readout(self.nodes(x)[-1])

    def trace(self, x: torch.Tensor) -> tuple[list, torch.Tensor]:
        """(every layer with its input and pre-activation, output), with autograd through the pre-activations."""
        record: list = []
        pre = self.stem(x)
        record.append((self.stem, x, pre))
        last = self._run(torch.relu(pre), record)[-1]
        out = self.readout(last)
        record.append((self.readout, last, out))
        return record, out

    def extra_repr(self) -> str:
        return (f"cell={self.cell_spec.code!r}, width={self.width}, sigma_w={self.sigma_w:g}, "
                f"sigma_b={self.sigma_b:g}, seed={self.seed}")


def _signals(net: CellModule, x: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor | None], torch.Tensor]:
    with torch.enable_grad():
        record, out = net.trace(x)
        pres = [pre for _, _, pre in record]
        grads = torch.autograd.grad(out.sum(), pres, allow_unused=True)
    inputs = [g.detach() for _, g, _ in record]
    deltas = [None if gr is None else gr.detach() for gr in grads]
    return inputs, deltas, record[-1][1].detach()


def cell_empirical_kernels(net: CellModule, x1, x2=None) -> dict[str, torch.Tensor]:
    """Empirical NTK, output NNGP and feature Gram of one finite cell network (scalar output).

    Θ̂ = Σ_layers (c² G G'ᵀ + σ_b²) ⊙ (Δ Δ'ᵀ) over the stem, every linear edge and the readout (Δ = ∂f/∂h; a
    dangling edge has Δ = 0); NNGP = σ_w²/m · X^{(H)} X'^{(H)ᵀ} + σ_b²; features = X^{(H)} X'^{(H)ᵀ}/m.

    Args:
        net: a :class:`CellModule` with ``out_features == 1``.
        x1, x2: inputs [n1, d] and [n2, d] (``x2=None``: x1).

    Returns:
        ``{"ntk", "nngp", "features"}``, [n1, n2] tensors on the network's device.

    Raises:
        TypeError: ``net`` is not a :class:`CellModule`.
        ValueError: the network has more than one output.
    """
    if not isinstance(net, CellModule):
        raise TypeError(f"net must be a CellModule, got {type(net).__name__}")
    if net.out_features != 1:
        raise ValueError(f"net must have out_features == 1 for a scalar tangent kernel, got {net.out_features}")
    p = net.readout.weight
    a = as_inputs("x1", x1, dtype=p.dtype, device=p.device, features=net.in_features)
    b = None if x2 is None else as_inputs("x2", x2, dtype=p.dtype, device=p.device, features=net.in_features)
    ga, da, fa = _signals(net, a)
    gb, db, fb = (ga, da, fa) if b is None else _signals(net, b)
    layers = [net.stem, *net.edges.values(), net.readout]
    ntk = torch.zeros((a.shape[0], (a if b is None else b).shape[0]), dtype=p.dtype, device=p.device)
    for layer, g1, g2, d1, d2 in zip(layers, ga, gb, da, db):
        if d1 is None or d2 is None:
            continue
        ntk += (layer.scale ** 2 * (g1 @ g2.T) + layer.sigma_b ** 2) * (d1 @ d2.T)
    feats = fa @ fb.T / net.width
    return {"ntk": ntk, "nngp": net.sigma_w ** 2 * feats + net.sigma_b ** 2, "features": feats}
