"""Exact DAG-cell kernels (theorycheck/kernels/dag.py): chain = MLP, PSD, the paper's kernel, the engine's cache."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import theorycheck as tc
from theorycheck.cells import Cell, valid_cells
from theorycheck.fixtures import gaussian_inputs
from theorycheck.kernels.dag import (
    DagEngine,
    dag_kernels,
    kappa1,
    paper_cell_nngp,
    relu_moments,
    thm41_jacobian_norm,
    thm44_bound,
)

VALID = [c.code for c in valid_cells(3)]
#: single-path cells whose every linear edge is on the path (an edge out of an empty node emits relu(σ_b b) ≠ 0)
SINGLE = [c.code for c in valid_cells(3) if c.path_count == 1 and len(c.linear_edges) == c.path_depths[0]]


def _rel(a, b):
    return float((a - b).abs().max() / b.abs().max())


@settings(max_examples=15)
@given(code=st.sampled_from(SINGLE), sw=st.floats(0.5, 2.0), sb=st.floats(0.0, 1.0), seed=st.integers(0, 10**6))
def test_single_path_cell_is_the_mlp(code, sw, sb, seed):
    """A single path with d linear edges (skips are identities) is tc.MLP(depth = d + 1), to round-off."""
    assert len(SINGLE) == 54
    cell = Cell(code)
    x = gaussian_inputs(seed, 5, 4)
    k = dag_kernels(x, cell, sw, sb)
    m = tc.MLP(depth=cell.path_depths[0] + 1, activation="relu", sigma_w=sw, sigma_b=sb).kernel(x)
    assert _rel(k.ntk, m.ntk) < 1e-14 and _rel(k.nngp, m.nngp) < 1e-14


def test_chain_matches_mlp_at_50_digits():
    x = gaussian_inputs(3, 4, 5)
    k = dag_kernels(x, Cell("2_02_002"), 1.3, 0.2)
    mp = tc.MLP(depth=4, activation="relu", sigma_w=1.3, sigma_b=0.2).kernel_mp(x, dps=50).to_torch()
    assert _rel(k.ntk, mp.ntk) < 1e-14 and _rel(k.nngp, mp.nngp) < 1e-14


@settings(max_examples=20)
@given(code=st.sampled_from(VALID), sb=st.sampled_from([0.0, 0.5]), seed=st.integers(0, 10**6))
def test_kernels_are_symmetric_psd(code, sb, seed):
    x = gaussian_inputs(seed, 8, 3)
    x[1] = x[0]
    k = dag_kernels(x, Cell(code), math.sqrt(2), sb)
    for m in (k.ntk, k.nngp, k.features, *k.nodes, *k.backward):
        assert torch.equal(m, m.T)
        ev = torch.linalg.eigvalsh(m)
        assert ev[0] >= -1e-12 * max(float(ev[-1]), 1e-300)


def test_mean_parts_and_coherent_skips():
    """Two parallel linear edges: diagonal 2 + 2/π (not 2); a skip doubled: diagonal 4 (not 2)."""
    x = gaussian_inputs(0, 3, 6, radius=math.sqrt(6))
    k = dag_kernels(x, Cell("2_20_022"), math.sqrt(2), 0.0)
    assert torch.allclose(k.nodes[0].diagonal(), torch.ones(3, dtype=torch.float64), atol=1e-15)
    assert torch.allclose(k.features.diagonal(), torch.full((3,), 2 + 2 / math.pi, dtype=torch.float64), atol=1e-14)
    k = dag_kernels(x, Cell("1_11_000"), math.sqrt(2), 0.0)  # node 2 = 2 X0, node 3 empty
    assert torch.allclose(k.nodes[2], 4 * k.nodes[0], atol=1e-15) and float(k.features.abs().max()) == 0.0
    # the mean of a node is the coordinate mean: the stem's relu mean √(q/2π), q = 2
    assert torch.allclose(k.means[0], torch.full((3,), 1 / math.sqrt(math.pi), dtype=torch.float64), atol=1e-15)


def test_paper_kernel_exact_on_single_paths_and_off_on_multi_path():
    x = gaussian_inputs(1, 6, 12, radius=math.sqrt(12))
    for code in ("2_02_002", "0_20_002", "1_02_002"):
        k = dag_kernels(x, Cell(code), math.sqrt(2), 0.0)
        assert _rel(paper_cell_nngp(k.nodes[0], Cell(code)), k.features) < 1e-13
    k = dag_kernels(x, Cell("1_11_121"), math.sqrt(2), 0.0)
    paper = paper_cell_nngp(k.nodes[0], Cell("1_11_121"))
    assert torch.allclose(paper.diagonal(), torch.full((6,), 4.0, dtype=torch.float64))  # diag P
    assert float((paper - k.features).norm() / k.features.norm()) > 0.25


def test_engine_cache_equals_fresh_computation():
    x = gaussian_inputs(2, 5, 4)
    engine = DagEngine(x, 1.1, 0.3)
    for code in VALID[::37] + VALID[:5]:
        a, b = engine.kernels(Cell(code)), dag_kernels(x, Cell(code), 1.1, 0.3)
        assert torch.equal(a.ntk, b.ntk) and torch.equal(a.nngp, b.nngp)
    assert len(engine._nodes) <= 31 and len(engine._edges) <= 31


def test_an_edge_out_of_an_empty_node_emits_its_bias():
    """0_00_202: node 2 is empty, so edge 2→3 adds the constant relu(σ_b b): not the MLP once σ_b > 0."""
    x = gaussian_inputs(0, 4, 3)
    cell = Cell("0_00_202")
    assert torch.allclose(dag_kernels(x, cell, 1.2, 0.0).ntk, tc.MLP(depth=2, sigma_w=1.2).kernel(x).ntk, rtol=1e-14)
    k = dag_kernels(x, cell, 1.2, 0.7)
    mlp = tc.MLP(depth=2, sigma_w=1.2, sigma_b=0.7).kernel(x)
    # the constant's centred part adds Var relu(σ_b b) = σ_b²(1/2 − 1/(2π)) to K_H, plus the cross mean terms
    assert float((k.nngp - mlp.nngp).min()) > 1.2**2 * 0.49 * (0.5 - 0.5 / math.pi)


def test_zero_input_gives_zero_kernels_not_nan():
    x = torch.zeros(2, 3, dtype=torch.float64)
    k = dag_kernels(x, Cell("2_21_121"), math.sqrt(2), 0.0)
    assert float(k.ntk.abs().max()) == 0.0 and not torch.isnan(k.ntk).any()
    e1, e0, mean = relu_moments(torch.zeros(2, 2, dtype=torch.float64))
    assert float(e1.abs().max() + e0.abs().max() + mean.abs().max()) == 0.0


def test_kappa1_and_thm_formulas():
    rho = torch.tensor([-1.0, 0.0, 1.0], dtype=torch.float64)
    assert torch.allclose(kappa1(rho), torch.tensor([0.0, 1 / math.pi, 1.0], dtype=torch.float64), atol=1e-15)
    m = 256
    c = math.gamma((m + 1) / 2) / math.gamma(m / 2) / math.sqrt(m / 2) if m < 300 else None
    assert abs(thm41_jacobian_norm(Cell("2_02_002"), m) - c * math.exp(-15 / (8 * m))) < 1e-13
    assert abs(thm41_jacobian_norm(Cell("1_11_121"), m) - c * (3 + math.exp(-5 / (8 * m)))) < 1e-13
    with pytest.raises(ValueError, match="width"):
        thm41_jacobian_norm(Cell("2_02_002"), 0)
    k0 = torch.tensor([[1.0, 0.5], [0.5, 1.0]], dtype=torch.float64)
    f3 = float(kappa1(kappa1(kappa1(torch.tensor(0.5, dtype=torch.float64)))))
    assert abs(thm44_bound(k0, Cell("2_02_002")) - (1 - f3)) < 1e-12
    with pytest.raises(ValueError, match="k0"):
        thm44_bound(k0[:1, :1], Cell("2_02_002"))
    with pytest.raises(TypeError, match="cell"):
        dag_kernels(gaussian_inputs(0, 2, 2), "2_02_002", 1.0, 0.0)


def test_coherent_skip_copies_scale_the_kernels_by_four():
    """Bias-free ReLU is homogeneous: 1_11_002 computes relu(W·2X₀) = 2·(the depth-2 MLP's last layer) and
    1_11_112 computes 2X₀ + 2relu(W·X₀) = 2·(cell 1_12), so both kernels are exactly 4× — which holds only if skip
    copies add coherently (n²) forward and backward."""
    x = gaussian_inputs(4, 5, 3)
    w = math.sqrt(2)
    a = dag_kernels(x, Cell("1_11_002"), w, 0.0)
    m = tc.MLP(depth=2, sigma_w=w).kernel(x)
    assert _rel(a.ntk, 4 * m.ntk) < 1e-14 and _rel(a.nngp, 4 * m.nngp) < 1e-14
    b, c = dag_kernels(x, Cell("1_11_112"), w, 0.0), dag_kernels(x, Cell("1_12"), w, 0.0)
    assert _rel(b.ntk, 4 * c.ntk) < 1e-14 and _rel(b.nngp, 4 * c.nngp) < 1e-14
