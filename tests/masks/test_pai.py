"""Pruning-at-initialisation mask generators (theorycheck.masks)."""

import math

import pytest
import torch
from torch import nn

import theorycheck as tc
from theorycheck import masks as M


def _net(width=64, seed=0):
    return tc.MLP(depth=3, sigma_w=math.sqrt(2), sigma_b=0.1).network(width, 8, seed=seed)


def _batch():
    g = torch.Generator().manual_seed(0)
    return torch.randn(32, 8, generator=g, dtype=torch.float64), torch.randn(32, generator=g, dtype=torch.float64)


@pytest.mark.parametrize("name", ["random", "erk", "magnitude", "snip", "grasp", "synflow"])
@pytest.mark.parametrize("scope", ["global", "layer"])
# density 0.3 leaves a few units without inputs (0.7^8 ≈ 6 % of the 8-input first layer under random pruning; score-
# based pruning empties whole rows of later layers too); this test checks densities and the NTK paths, which hold with
# such units as well
@pytest.mark.filterwarnings("ignore:weight matrix .* have no inputs left:RuntimeWarning")
def test_density_shapes_determinism_and_plugging_in(name, scope):
    net, (x, y) = _net(), _batch()
    fns = {
        "random": lambda: M.random_masks(net, 0.3, seed=1),
        "erk": lambda: M.random_masks(net, 0.3, distribution="erk", seed=1),
        "magnitude": lambda: M.magnitude_masks(net, 0.3, scope=scope),
        "snip": lambda: M.snip_masks(net, 0.3, x, y, scope=scope),
        "grasp": lambda: M.grasp_masks(net, 0.3, x, y, scope=scope),
        "synflow": lambda: M.synflow_masks(net, 0.3, iterations=5, scope=scope),
    }
    a, b = fns[name](), fns[name]()
    shapes = [p.shape for _, p in M.prunable_parameters(net)]
    assert [m.shape for m in a] == shapes and all(torch.equal(u, v) for u, v in zip(a, b))
    total = sum(m.numel() for m in a)
    assert abs(sum(float(m.sum()) for m in a) / total - 0.3) < 0.02
    if scope == "layer" and name in ("magnitude", "snip", "grasp", "synflow"):
        assert all(abs(float(m.mean()) - 0.3) < 0.02 for m in a)
    pruned = tc.MLP(depth=3, sigma_w=math.sqrt(2), sigma_b=0.1).network(64, 8, seed=0, masks=a)
    assert torch.allclose(tc.empirical_ntk(pruned, x[:4]), tc.empirical_ntk(pruned, x[:4], method="jacobian"),
                          rtol=1e-12)


def test_magnitude_keeps_the_largest_weights_and_erk_saturates():
    net = _net()
    masks = M.magnitude_masks(net, 0.25)
    w = torch.cat([p.detach().abs().reshape(-1) for _, p in M.prunable_parameters(net)])
    kept = torch.cat([m.reshape(-1) for m in masks]).bool()
    assert float(w[kept].min()) >= float(w[~kept].max())
    dens = M.layer_densities(net, 0.25, "erk")
    assert dens[-1] == 1.0  # the 64 → 1 readout would exceed density 1 and is kept dense
    sizes = [p.numel() for _, p in M.prunable_parameters(net)]
    assert sum(d * n for d, n in zip(dens, sizes)) / sum(sizes) == pytest.approx(0.25)


def test_works_on_any_module_with_linear_and_conv():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 1)).double()
    x = torch.randn(5, 1, 8, 8, dtype=torch.float64)
    y = torch.randn(5, dtype=torch.float64)
    for masks in (M.snip_masks(model, 0.5, x, y), M.synflow_masks(model, 0.5, iterations=3, input_shape=(1, 8, 8)),
                  M.random_masks(model, 0.5, distribution="erk")):
        assert [m.shape for m in masks] == [torch.Size([4, 1, 3, 3]), torch.Size([1, 144])]


def test_bad_arguments():
    net, (x, y) = _net(), _batch()
    with pytest.raises(ValueError, match=r"density must lie in \(0, 1\]"):
        M.magnitude_masks(net, 0.0)
    with pytest.raises(ValueError, match="scope must be"):
        M.magnitude_masks(net, 0.5, scope="net")
    with pytest.raises(ValueError, match="distribution must be"):
        M.random_masks(net, 0.5, distribution="zipf")
    with pytest.raises(ValueError, match="one target per input"):
        M.snip_masks(net, 0.5, x, y[:3])
    with pytest.raises(TypeError, match="torch.nn.Module"):
        M.prunable_parameters("net")


def test_graphon_mask_follows_its_graphon_and_sas_recovers_it():
    from theorycheck import topology as T

    m = M.graphon_mask(lambda v, u: 0.1 + 0.8 * v * u, 1024, 1024, seed=3)
    h = T.sas_histogram(m, 8)
    # degree sorting puts the dense corner (v, u → 1) first: monotone along the first row and column
    assert all(h[0, j] >= h[0, j + 1] - 0.02 for j in range(7)) and h[0, 0] - h[-1, -1] > 0.5
    assert torch.equal(M.graphon_mask(0.3, 5, 4, seed=1), M.graphon_mask(0.3, 5, 4, seed=1))
    with pytest.raises(ValueError, match=r"graphon must take values in \[0, 1\]"):
        M.graphon_mask(lambda v, u: v + 1, 4, 4)


def test_full_spectrum_coordinate():
    import numpy as np

    from theorycheck import topology as T

    rng = np.random.default_rng(0)
    mask = (rng.random((128, 256)) < 0.2).astype(float)
    coord = T.full_spectrum_coordinate(mask, rng.normal(size=mask.shape))
    assert len(coord) == 4 and all(c is not None for c in coord)
    assert T.full_spectrum_norm(coord) == pytest.approx(float(np.linalg.norm(coord)))
