"""The sparse bound and the Golowich comparison: factors against hand computation, scalings, validation."""

import math

import pytest
import torch

from theorycheck.bounds import (
    ConvNetWN,
    conv_toeplitz,
    digits_images,
    golowich_total_bound,
    max_pixel_sum,
    our_total_bound,
    train_convnet,
)


@pytest.fixture(scope="module")
def data():
    return digits_images(0, 200)


def test_bound_by_hand(data):
    x = data[0]
    net = ConvNetWN(3, 4, seed=1)
    t = our_total_bound(net, x)
    with torch.no_grad():
        rho = math.prod(float(w.norm()) for w in net.layer_weights())
    s_max = max(float((x[:, 0, i, j] ** 2).sum()) for i in range(8) for j in range(8))
    lead = (rho + 1) / 200 * 2**1.5 * (1 + math.sqrt(2 * (4 * math.log(8) + math.log(10)))) * math.sqrt(s_max) * 8
    add = 3 * math.sqrt(math.log(2 * (rho + 2) ** 2 / 0.001) / 400)
    assert t.bound == pytest.approx(lead + add, rel=1e-12)
    assert max_pixel_sum(x) == pytest.approx(s_max, rel=1e-14)


def test_golowich_rho_is_the_toeplitz_norm_product(data):
    """ρ_G = Π (Toeplitz Frobenius norms of the convs) × ‖W_fc‖_F, by explicit unrolling (an independent route)."""
    net = ConvNetWN(2, 3, seed=2)
    with torch.no_grad():
        sides = [8] + net.output_sizes()
        rho = math.prod(float(conv_toeplitz(c.weight, s, s).norm()) for c, s in zip(net.convs, sides))
        rho *= float(net.fc.weight.norm())
    assert golowich_total_bound(net, data[0]).rho == pytest.approx(rho, rel=1e-12)


def test_weight_norm_layers_have_norm_g():
    net = ConvNetWN(3, 5, seed=0)
    with torch.no_grad():
        for conv in net.convs:
            conv.g.fill_(2.5)
        assert all(float(w.norm()) == pytest.approx(2.5, rel=1e-14) for w in net.layer_weights()[:-1])


def test_replication_scaling(data):
    net = ConvNetWN(3, 4, seed=3)
    a = our_total_bound(net, data[0])
    b = our_total_bound(net, data[0].repeat(4, 1, 1, 1))
    assert b.leading * math.sqrt(b.n) == pytest.approx(a.leading * math.sqrt(a.n), rel=1e-13)


def test_training_runs_and_logs(data):
    x, y, xt, yt = data
    net = ConvNetWN(2, 4, seed=0)
    rec = train_convnet(net, x[:64], y[:64], xt[:64], yt[:64], epochs=2, record_every=1)
    assert rec.epochs == [0, 1, 2] and len(rec.ours) == 3 and all(o["bound"] < g["bound"]
                                                                 for o, g in zip(rec.ours, rec.golowich))


def test_bad_inputs(data):
    with pytest.raises(ValueError, match="kernel_size"):
        ConvNetWN(1, 4, kernel_size=9)
    with pytest.raises(ValueError, match="kernel_size"):
        ConvNetWN(3, 4, kernel_size=4)  # 8 → 5 → 2 → below one pixel
    net = ConvNetWN(3, 4)
    with pytest.raises(ValueError, match="x"):
        our_total_bound(net, torch.zeros(5, 1, 7, 7, dtype=torch.float64))
    with pytest.raises(ValueError, match="n_train"):
        digits_images(0, 0)
    with pytest.raises(ValueError, match="delta"):
        our_total_bound(net, data[0], delta=1.5)
