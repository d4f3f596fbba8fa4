r"""The cell space of Chen, Huang, Wang (AutoML-Conf 2023, §3 and App. D.1): DAGs with one operation on every edge.

A cell has nodes X^{(0)}, …, X^{(H)}. Every pair s < t carries one operation from {zero, skip, linear}, and a node
sums its incoming edges:

.. math::

    X^{(t)} = \sum_{s<t} \rho_{st}(X^{(s)}), \qquad
    \rho \in \{0,\ \mathrm{id},\ \mathrm{relu}(\sigma_w m^{-1/2} W\,\cdot\,)\}.

A cell is written as in the authors' code: one group per node t = 1..H, holding the codes of the edges
(0→t), (1→t), …, (t−1→t), groups joined by ``_``; the codes are ``0`` (zero), ``1`` (skip) and ``2`` (linear, i.e.
Linear+ReLU). ``"2_02_002"`` is the chain of three Linear+ReLU edges; ``"1_11_121"`` has four paths.

Topology (App. D.1): P = the number of end-to-end paths 0 → H (pure-skip paths included), d_p = the number of
linear edges on path p, "depth" d̄ = (1/P) Σ_p d_p, "width" P. The path count obeys P_t = Σ_{s<t} 1[op(s,t) ≠ 0] P_s
with P_0 = 1. At H = 3 there are 3^6 = 729 cells; 541 of them have a linear edge on some path (the cells the paper
scores). Docs: ``docs/theory/architectures.md``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

__all__ = ["OPS", "OP_CODES", "Cell", "enumerate_cells", "valid_cells"]

#: The edge operations, indexed by their code.
OPS = ("zero", "skip", "linear")
#: Operation name → code character.
OP_CODES = {"zero": "0", "skip": "1", "linear": "2"}
_ALIASES = {"0": "zero", "1": "skip", "2": "linear", "none": "zero", "identity": "skip", "relu": "linear",
            "linear+relu": "linear"}
_MAX_NODES = 12


def _op_name(value: object, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"{where} must be an op name ({', '.join(OPS)}) or code 0/1/2, got {type(value).__name__}")
    key = str(value).strip().lower()
    if key in OPS:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    raise ValueError(f"{where} must be one of {', '.join(OPS)} (codes 0, 1, 2), got {value!r}")


class Cell:
    """One DAG cell: an operation on every edge s → t, s < t ≤ H.

    Args:
        code: the cell string (``"2_02_002"``: groups of 1, 2, …, H codes in {0, 1, 2} joined by ``_``), or a
            sequence of H(H+1)/2 op names/codes in edge order (0→1), (0→2), (1→2), (0→3), (1→3), (2→3), …

    Raises:
        TypeError: ``code`` is neither a string nor a sequence.
        ValueError: an unknown op, a group of the wrong length, or a number of ops that is not H(H+1)/2.

    Example:
        >>> c = Cell("1_11_121")
        >>> c.path_count, c.path_depths, c.mean_depth
        (4, (0, 0, 0, 1), 0.25)
    """

    __slots__ = ("nodes", "ops", "_code")

    def __init__(self, code: str | Sequence[str | int] | Cell) -> None:
        if isinstance(code, Cell):
            flat = [op for group in code.ops for op in group]
        elif isinstance(code, str):
            groups = code.strip().split("_")
            for t, g in enumerate(groups, start=1):
                if len(g) != t:
                    raise ValueError(
                        f"code must be groups of 1, 2, …, H op codes joined by '_' (e.g. '2_02_002'); group {t} "
                        f"{g!r} has {len(g)} characters, expected {t} (code {code!r})")
            flat = [_op_name(ch, f"code {code!r}, character {ch!r},") for g in groups for ch in g]
        elif isinstance(code, Sequence):
            flat = [_op_name(v, f"code[{i}]") for i, v in enumerate(code)]
        else:
            raise TypeError(f"code must be a cell string like '2_02_002' or a sequence of ops, got "
                            f"{type(code).__name__}")
        h = 0
        while h * (h + 1) // 2 < len(flat):
            h += 1
        if h == 0 or h * (h + 1) // 2 != len(flat):
            raise ValueError(f"code must hold H(H+1)/2 ops (1, 3, 6, 10, …) for H ≥ 1 nodes after the input, got "
                             f"{len(flat)}")
        if h > _MAX_NODES:
            raise ValueError(f"code describes H = {h} nodes; at most {_MAX_NODES} are supported")
        self.nodes = h
        ops, k = [], 0
        for t in range(1, h + 1):
            ops.append(tuple(flat[k:k + t]))
            k += t
        self.ops: tuple[tuple[str, ...], ...] = tuple(ops)
        self._code = "_".join("".join(OP_CODES[o] for o in g) for g in self.ops)

    # ------------------------------------------------------------------ identity
    @property
    def code(self) -> str:
        """The cell string, e.g. ``"2_02_002"``."""
        return self._code

    def __repr__(self) -> str:
        return f"Cell({self._code!r})"

    def __str__(self) -> str:
        return self._code

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cell) and other._code == self._code

    def __hash__(self) -> int:
        return hash(self._code)

    def op(self, s: int, t: int) -> str:
        """The operation on edge s → t (0 ≤ s < t ≤ H)."""
        if not (isinstance(s, int) and isinstance(t, int) and 0 <= s < t <= self.nodes):
            raise ValueError(f"edge must satisfy 0 ≤ s < t ≤ {self.nodes}, got ({s!r}, {t!r})")
        return self.ops[t - 1][s]

    @property
    def edges(self) -> tuple[tuple[int, int, str], ...]:
        """Every edge (s, t, op) in the code's order: by head t, then tail s."""
        return tuple((s, t, self.ops[t - 1][s]) for t in range(1, self.nodes + 1) for s in range(t))

    @property
    def linear_edges(self) -> tuple[tuple[int, int], ...]:
        """The (s, t) of the Linear+ReLU edges, in the code's order (the order their weights are drawn)."""
        return tuple((s, t) for s, t, op in self.edges if op == "linear")

    # ------------------------------------------------------------------ topology
    @property
    def path_depths(self) -> tuple[int, ...]:
        """d_p for every end-to-end path 0 → H, found by enumerating the paths (depth-first, sorted)."""
        def walk(t: int) -> list[int]:
            if t == 0:
                return [0]
            out: list[int] = []
            for s in range(t):
                op = self.ops[t - 1][s]
                if op != "zero":
                    out.extend(d + (op == "linear") for d in walk(s))
            return out

        return tuple(sorted(walk(self.nodes)))

    @property
    def path_count(self) -> int:
        """P, the number of end-to-end paths (pure-skip paths included)."""
        return len(self.path_depths)

    def path_count_recursive(self) -> int:
        """P from the recursion P_t = Σ_{s<t} 1[op(s,t) ≠ 0] P_s, P_0 = 1 (App. D.1), independent of the
        enumeration in :attr:`path_depths`."""
        counts = [1]
        for t in range(1, self.nodes + 1):
            counts.append(sum(counts[s] for s in range(t) if self.ops[t - 1][s] != "zero"))
        return counts[-1]

    @property
    def total_depth(self) -> int:
        """Σ_p d_p, the paper's "L" in the generalization bound (Thm 4.5)."""
        return sum(self.path_depths)

    @property
    def mean_depth(self) -> float:
        """d̄ = (1/P) Σ_p d_p (0.0 for a cell without paths)."""
        p = self.path_count
        return self.total_depth / p if p else 0.0

    @property
    def is_valid(self) -> bool:
        """Whether some end-to-end path holds a linear edge (the paper's scored cells; 541 of 729 at H = 3)."""
        return self.total_depth > 0

    @property
    def is_chain(self) -> bool:
        """Whether the cell is a single path whose edges are all linear (equivalent to a plain MLP)."""
        return self.path_count == 1 and self.path_depths[0] > 0 and all(
            op == "zero" or op == "linear" for _, _, op in self.edges
        ) and self.path_depths[0] == len(self.linear_edges)

    def skip_paths(self) -> list[list[int]]:
        """N[s][t] = the number of paths s → t that use skip edges only (N[s][s] = 1)."""
        n = self.nodes + 1
        counts = [[1 if s == t else 0 for t in range(n)] for s in range(n)]
        for s in range(n):
            for t in range(s + 1, n):
                counts[s][t] = sum(counts[s][u] for u in range(s, t) if self.ops[t - 1][u] == "skip")
        return counts


def enumerate_cells(nodes: int = 3) -> Iterator[Cell]:
    """Every cell on ``nodes`` + 1 nodes (3^{H(H+1)/2} of them), in lexicographic order of the code."""
    if isinstance(nodes, bool) or not isinstance(nodes, int) or not 1 <= nodes <= 4:
        raise ValueError(f"nodes must be an int in [1, 4] (3^10 = 59049 cells at H = 4), got {nodes!r}")
    n_edges = nodes * (nodes + 1) // 2
    for ops in itertools.product("012", repeat=n_edges):
        yield Cell(ops)


def valid_cells(nodes: int = 3) -> list[Cell]:
    """The cells with a linear edge on some end-to-end path (541 at H = 3)."""
    return [c for c in enumerate_cells(nodes) if c.is_valid]
