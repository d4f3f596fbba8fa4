"""The DAG-cell architecture spec: one object gives the finite stem–cell–readout network and its exact limit.

Chen, Huang, Wang, "'No Free Lunch' in Neural Architectures?" (AutoML-Conf 2023, Eq. 1–2, Thm 4.4). The limit is
the exact one of :mod:`theorycheck.kernels.dag` (mean parts of ReLU edges, coherent skip copies), not the paper's
Thm 4.4 kernel, which is available as :meth:`CellNet.paper_features` for comparison. Docs:
``docs/theory/architectures.md``.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from .._validation import as_inputs, check_int, check_real, resolve_device
from ..cells import Cell
from ..kernels.dag import DagKernels, dag_kernels, paper_cell_nngp
from ..kernels.kernel import Kernel
from ..nn.cell import CellModule

__all__ = ["CellNet"]


class CellNet:
    r"""A ReLU stem, one DAG cell and a linear readout, in the NTK parameterisation of :class:`theorycheck.MLP`.

    Every Linear+ReLU edge computes relu(σ_w/√m · W X + σ_b b); skip edges copy, zero edges drop, nodes sum. With
    σ_w = √2 and σ_b = 0 (the defaults) this is the paper's Eq. 2 with c_σ = 2 and bias-free Kaiming init.

    Args:
        cell: a :class:`~theorycheck.cells.Cell` or its string, e.g. ``"2_02_002"`` (the chain: ``tc.MLP(depth=4,
            activation="relu")``).
        sigma_w: weight scale σ_w > 0.
        sigma_b: bias scale σ_b ≥ 0.

    Raises:
        TypeError, ValueError: a malformed cell (unknown op, wrong group length) or scales out of range.

    Example:
        >>> import torch, theorycheck as tc
        >>> spec = tc.CellNet("1_11_121")
        >>> x = torch.randn(5, 8, dtype=torch.float64)
        >>> k = spec.kernel(x)                                  # exact output NNGP / NTK, [5, 5]
        >>> net = spec.network(width=512, in_features=8, seed=0)
    """

    def __init__(self, cell: str | Cell | Any, sigma_w: float = math.sqrt(2.0), sigma_b: float = 0.0) -> None:
        self.cell = cell if isinstance(cell, Cell) else Cell(cell)
        self.sigma_w = check_real("sigma_w", sigma_w, minimum=0.0, min_inclusive=False)
        self.sigma_b = check_real("sigma_b", sigma_b, minimum=0.0)

    def __repr__(self) -> str:
        return f"CellNet({self.cell.code!r}, sigma_w={self.sigma_w:.6g}, sigma_b={self.sigma_b:g})"

    # ------------------------------------------------------------------ limits
    def _joint(self, x1: Any, x2: Any, device: Any) -> tuple[torch.Tensor, int, bool]:
        dev = x1.device if device is None and isinstance(x1, torch.Tensor) else resolve_device(device)
        a = as_inputs("x1", x1, device=dev)
        if x2 is None:
            return a, a.shape[0], True
        b = as_inputs("x2", x2, device=dev, features=a.shape[1])
        return torch.cat([a, b]), a.shape[0], False

    def limits(self, x: Any, *, device: str | torch.device | None = None) -> DagKernels:
        """Every limit object on one input set: output NNGP/NTK, the feature Gram K_H, node Grams, means and
        backward kernels (:class:`~theorycheck.kernels.dag.DagKernels`)."""
        z, _, _ = self._joint(x, None, device)
        return dag_kernels(z, self.cell, self.sigma_w, self.sigma_b)

    def kernel(self, x1: Any, x2: Any = None, *, device: str | torch.device | None = None) -> Kernel:
        """The exact infinite-width output NNGP and NTK on x1 × x2 (float64; ``x2=None``: symmetric)."""
        z, n1, sym = self._joint(x1, x2, device)
        k = dag_kernels(z, self.cell, self.sigma_w, self.sigma_b)
        if sym:
            return Kernel(nngp=k.nngp, ntk=k.ntk)
        return Kernel(nngp=k.nngp[:n1, n1:].contiguous(), ntk=k.ntk[:n1, n1:].contiguous())

    def features(self, x1: Any, x2: Any = None, *, device: str | torch.device | None = None) -> torch.Tensor:
        """K_H = lim ⟨X^{(H)}(x), X^{(H)}(x')⟩/m, the Gram of the cell output (the paper's NNGP K^{(H)})."""
        z, n1, sym = self._joint(x1, x2, device)
        k = dag_kernels(z, self.cell, self.sigma_w, self.sigma_b).features
        return k if sym else k[:n1, n1:].contiguous()

    def paper_features(self, x: Any, *, device: str | torch.device | None = None) -> torch.Tensor:
        """The paper's K^{(H)} (Thm 4.4): √(aa')·Σ_p κ₁^{∘d_p}(ρ₀) from the exact cell-input Gram K_0 (for σ_w = √2,
        σ_b = 0 it equals :meth:`features` for single-path cells)."""
        k = self.limits(x, device=device)
        return paper_cell_nngp(k.nodes[0], self.cell)

    # ------------------------------------------------------------------ finite network
    def network(self, width: int, in_features: int, seed: int = 0, *, out_features: int = 1,
                device: str | torch.device | None = None, dtype: torch.dtype = torch.float64) -> CellModule:
        """The finite network at hidden width ``width`` (:class:`~theorycheck.nn.cell.CellModule`)."""
        width = check_int("width", width, minimum=1)
        in_features = check_int("in_features", in_features, minimum=1)
        seed = check_int("seed", seed, minimum=0)
        if dtype not in (torch.float64, torch.float32):
            raise TypeError(f"dtype must be torch.float64 or torch.float32, got {dtype!r}")
        return CellModule(self.cell, in_features, width, self.sigma_w, self.sigma_b, seed, out_features=out_features,
                          dtype=dtype, device=resolve_device(device))
