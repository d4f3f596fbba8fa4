"""The CellNet spec (theorycheck/specs/cell.py): one object, network and limit; validation."""

import math

import pytest
import torch

import theorycheck as tc
from theorycheck.fixtures import gaussian_inputs


def test_kernel_shapes_cross_blocks_and_the_chain():
    spec = tc.CellNet("2_21_121")
    x1, x2 = gaussian_inputs(0, 4, 3), gaussian_inputs(1, 2, 3)
    full = spec.kernel(torch.cat([x1, x2]))
    cross = spec.kernel(x1, x2)
    assert cross.ntk.shape == (4, 2) and torch.allclose(cross.ntk, full.ntk[:4, 4:], rtol=1e-14)
    assert torch.allclose(spec.features(x1, x2), spec.features(torch.cat([x1, x2]))[:4, 4:], rtol=1e-14)
    chain = tc.CellNet("2_02_002")
    assert torch.allclose(chain.kernel(x1).ntk, tc.MLP(depth=4, sigma_w=math.sqrt(2)).kernel(x1).ntk, rtol=1e-14)
    assert torch.allclose(chain.paper_features(x1), chain.features(x1), rtol=1e-13)
    assert spec.limits(x1).nodes[0].shape == (4, 4) and "2_21_121" in repr(spec)


@pytest.mark.parametrize("cell, err, match", [("2_02_02", ValueError, "code"), ("2_02_00x", ValueError, "code"),
                                              (["linear", "pool", "skip"], ValueError, "code"),
                                              (12, TypeError, "code")])
def test_bad_cells(cell, err, match):
    with pytest.raises(err, match=match):
        tc.CellNet(cell)


def test_bad_scales_and_network_arguments():
    with pytest.raises(ValueError, match="sigma_w"):
        tc.CellNet("2_02_002", sigma_w=0.0)
    with pytest.raises(ValueError, match="sigma_b"):
        tc.CellNet("2_02_002", sigma_b=-1.0)
    spec = tc.CellNet("2_02_002")
    with pytest.raises(ValueError, match="width"):
        spec.network(0, 3)
    with pytest.raises(TypeError, match="dtype"):
        spec.network(4, 3, dtype=torch.int64)
    with pytest.raises(ValueError, match="x2"):
        spec.kernel(gaussian_inputs(0, 2, 3), gaussian_inputs(0, 2, 4))
