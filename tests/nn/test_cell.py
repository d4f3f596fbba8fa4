"""The finite cell network (theorycheck/nn/cell.py): chain = MLP weight for weight, empirical kernels, Monte Carlo."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import theorycheck as tc
from theorycheck.cells import Cell, valid_cells
from theorycheck.fixtures import gaussian_inputs
from theorycheck.nn.cell import CellModule, cell_empirical_kernels
from theorycheck.specs.cell import CellNet

VALID = [c.code for c in valid_cells(3)]


def test_chain_network_is_the_mlp_network():
    x = gaussian_inputs(0, 5, 7)
    chain = CellNet("2_02_002", sigma_w=1.3, sigma_b=0.2).network(64, 7, seed=3)
    mlp = tc.MLP(depth=4, sigma_w=1.3, sigma_b=0.2).network(64, 7, seed=3)
    assert torch.equal(chain(x), mlp(x))
    emp = cell_empirical_kernels(chain, x)
    assert torch.allclose(emp["ntk"], tc.empirical_ntk(mlp, x), rtol=1e-12, atol=0)
    assert torch.allclose(emp["nngp"], tc.empirical_nngp(mlp, x), rtol=1e-12, atol=0)


@settings(max_examples=6)
@given(code=st.sampled_from(VALID), sb=st.sampled_from([0.0, 0.4]), seed=st.integers(0, 1000))
def test_structured_ntk_equals_the_jacobian_ntk(code, sb, seed):
    net = CellNet(code, sigma_b=sb).network(16, 3, seed=seed)
    x1, x2 = gaussian_inputs(seed, 4, 3), gaussian_inputs(seed + 1, 2, 3)
    ref = tc.empirical_ntk(net, x1, x2, method="jacobian")
    emp = cell_empirical_kernels(net, x1, x2)["ntk"]
    assert torch.allclose(emp, ref, rtol=1e-11, atol=1e-12 * float(ref.abs().max()))


@pytest.mark.parametrize("code, sb", [("1_11_121", 0.0), ("2_21_121", 0.0), ("0_00_202", 0.6), ("2_20_022", 0.3),
                                      ("1_11_112", 0.0)])
def test_monte_carlo_mean_within_standard_errors_of_the_exact_kernel(code, sb):
    """The mean of R width-m networks' empirical NTK/NNGP is within 5 standard errors of the exact limit, entrywise
    (the O(1/m) finite-width bias is far below the O(1/√(Rm)) standard error here)."""
    spec = CellNet(code, sigma_b=sb)
    x = gaussian_inputs(1, 3, 5, radius=math.sqrt(5))
    lim = spec.kernel(x)
    draws = [cell_empirical_kernels(spec.network(768, 5, seed=100 + r), x) for r in range(8)]
    for kind in ("ntk", "nngp"):
        vals = np.stack([d[kind].numpy() for d in draws])
        z = np.abs(vals.mean(0) - getattr(lim, kind).numpy()) / (vals.std(0, ddof=1) / math.sqrt(len(draws)))
        assert z.max() < 5, (kind, z)


def test_cell_jacobian_and_nodes():
    net = CellNet("1_11_121").network(32, 4, seed=0)
    x = gaussian_inputs(0, 3, 4)
    nodes = net.nodes(x)
    assert len(nodes) == 4
    assert torch.equal(nodes[1], nodes[0]) and torch.equal(nodes[2], 2 * nodes[0])
    assert torch.equal(net.cell(nodes[0]), nodes[3])
    assert net(x).shape == (3, 1) and CellNet("2_02_002").network(8, 4, out_features=5)(x).shape == (3, 5)


def test_validation():
    with pytest.raises(TypeError, match="cell"):
        CellModule("2_02_002", 3, 8, 1.0, 0.0, 0)
    with pytest.raises(ValueError, match="width"):
        CellModule(Cell("2_02_002"), 3, 0, 1.0, 0.0, 0)
    net = CellNet("2_02_002").network(8, 3, out_features=2)
    with pytest.raises(ValueError, match="out_features"):
        cell_empirical_kernels(net, gaussian_inputs(0, 2, 3))
    with pytest.raises(TypeError, match="net"):
        cell_empirical_kernels(torch.nn.Linear(3, 1), gaussian_inputs(0, 2, 3))
    with pytest.raises(ValueError, match="x1"):
        cell_empirical_kernels(CellNet("2_02_002").network(8, 3), gaussian_inputs(0, 2, 4))


def test_skip_copies_double_the_network():
    x = gaussian_inputs(2, 3, 4)
    a = CellNet("1_11_112").network(32, 4, seed=5)
    b = CellNet("1_12").network(32, 4, seed=5)
    assert torch.allclose(a(x), 2 * b(x), rtol=1e-13)
