"""A per-layer σ_w schedule in ``MLP``: validation, the finite network against the exact kernels (Monte Carlo), the
50-digit path, and the ReLU product identity on every kernel path (docs/theory/depth_init.md)."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import theorycheck as tc
from theorycheck.kernels.schedule import depth_schedule, schedule_product

SCHEDULE = [0.8, 2.0, 1.2]  # depth 2: input layer, hidden-to-hidden, readout (distinct, so a misplaced one shows)


def _x(n=5, d=4, seed=0):
    return torch.randn(n, d, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))


# ------------------------------------------------------------------------------------------ validation
@pytest.mark.parametrize("sigma_w, exc, match", [
    ([], ValueError, r"sigma_w must not be empty"),
    ([1.0, 1.0], ValueError, r"sigma_w must have depth \+ 1 = 3 entries"),
    ([1.0, 1.0, 1.0, 1.0], ValueError, r"sigma_w must have depth \+ 1 = 3 entries"),
    ([1.0, 0.0, 1.0], ValueError, r"sigma_w\[1\] must lie in \(0"),
    ([1.0, 1.0, -2.0], ValueError, r"sigma_w\[2\] must lie in \(0"),
    ([float("nan"), 1.0, 1.0], ValueError, r"sigma_w\[0\] must be a finite"),
    ([1.0, float("inf"), 1.0], ValueError, r"sigma_w\[1\] must be a finite"),
    ([1.0, "2", 1.0], TypeError, r"sigma_w\[1\] must be a real number"),
    ("1.0", TypeError, r"sigma_w must be a real number > 0 or a sequence"),
])
def test_bad_schedules_name_sigma_w_and_the_index(sigma_w, exc, match):
    with pytest.raises(exc, match=match):
        tc.MLP(depth=2, sigma_w=sigma_w)


def test_schedule_is_stored_and_shown():
    spec = tc.MLP(depth=2, sigma_w=SCHEDULE)
    assert spec.sigma_w == tuple(SCHEDULE) and spec.layer_sigma_w == tuple(SCHEDULE)
    assert "sigma_w=[0.8, 2, 1.2]" in repr(spec)
    scalar = tc.MLP(depth=2, sigma_w=1.5)
    assert scalar.sigma_w == 1.5 and scalar.layer_sigma_w == (1.5, 1.5, 1.5)
    assert tc.MLP(depth=1, sigma_w=torch.tensor([1.0, 2.0])).layer_sigma_w == (1.0, 2.0)


def test_constant_schedule_is_the_scalar_spec_bit_for_bit():
    x = _x()
    a = tc.MLP(2, "erf", sigma_w=1.3, sigma_b=0.2)
    b = tc.MLP(2, "erf", sigma_w=[1.3] * 3, sigma_b=0.2)
    ka, kb = a.kernel(x), b.kernel(x)
    assert torch.equal(ka.ntk, kb.ntk) and torch.equal(ka.nngp, kb.nngp)
    assert torch.equal(a.network(64, 4, seed=1)(x), b.network(64, 4, seed=1)(x))


def test_network_layers_carry_their_scale():
    net = tc.MLP(2, "relu", sigma_w=SCHEDULE).network(16, 4, seed=0)
    assert [layer.sigma_w for layer in net.layers] == SCHEDULE
    assert [layer.scale for layer in net.layers] == [SCHEDULE[0] / 2.0, SCHEDULE[1] / 4.0, SCHEDULE[2] / 4.0]


# --------------------------------------------------------------------- finite network vs exact kernel
def _mc_z(spec, x, width, n_nets, d):
    """Largest |mean empirical NTK − limit| / (standard error over networks), over the entries."""
    th = torch.stack([tc.empirical_ntk(spec.network(width, d, seed=s), x) for s in range(n_nets)])
    se = th.std(0) / math.sqrt(n_nets)
    return th.mean(0), se


@pytest.mark.filterwarnings("ignore:weight matrix 0:RuntimeWarning")  # a pruned 4-input layer leaves some units empty
@pytest.mark.parametrize("spec_kw", [
    dict(),  # dense
    dict(prune=0.5, prune_layers="all", input_layer="enumerate"),  # the exact fixed-d input-layer mixture
])
def test_network_matches_the_kernel_under_a_schedule(spec_kw):
    """Mean empirical NTK of 8 networks of width 1024 within 5 standard errors of the limit in every entry (the
    O(1/width) bias is far below one SE here); the reversed schedule (σ_w[l] on the wrong matrices) is > 15 SE off."""
    x = _x()
    spec = tc.MLP(2, "erf", sigma_w=SCHEDULE, sigma_b=0.2, **spec_kw)
    wrong = tc.MLP(2, "erf", sigma_w=SCHEDULE[::-1], sigma_b=0.2, **spec_kw)
    mean, se = _mc_z(spec, x, 1024, 8, 4)
    z = float(((mean - spec.kernel(x).ntk).abs() / se).max())
    z_wrong = float(((mean - wrong.kernel(x).ntk).abs() / se).max())
    assert z <= 5.0, z
    assert z_wrong > 15.0, z_wrong


# ------------------------------------------------------------------------------------------ 50 digits
@pytest.mark.parametrize("spec_kw", [
    dict(activation="erf", sigma_b=0.2),
    dict(activation="relu", sigma_b=0.3, prune=0.4, prune_layers="all"),  # pruned input layer: 2^d rows at 50 digits
    dict(activation="leaky_relu", sigma_b=0.1, prune=0.3, rescale="weights"),
])
def test_kernel_mp_agrees_with_float64_under_a_schedule(spec_kw):
    x = _x(n=3, d=3)
    spec = tc.MLP(2, sigma_w=SCHEDULE, **spec_kw)
    k, mp = spec.kernel(x), spec.kernel_mp(x, dps=50).to_torch()
    for name in ("nngp", "ntk"):
        a, b = getattr(k, name), getattr(mp, name)
        assert float(((a - b).abs() / b.abs()).max()) < 1e-12


# ---------------------------------------------------- the ReLU product identity holds on every kernel path
def _keep_left(v, u):
    return 0.4 + 0.5 * (u < 0.5).to(v.dtype) * (v + 0.1).clamp(max=1.0)


@pytest.mark.parametrize("spec_kw", [
    dict(),
    dict(prune=0.5),  # pruned hidden matrices, dense input layer
    dict(prune=0.5, prune_layers="all", input_layer="enumerate"),
    dict(prune=0.5, prune_layers="all", input_layer="sample", input_layer_rows=32),
    dict(prune=0.5, prune_layers="all", input_layer="gaussian"),
    dict(graphons=[_keep_left, 0.7, None, _keep_left], graphon_resolution=16),
])
def test_relu_schedule_is_he_times_p_on_every_path(spec_kw):
    """Without bias, relu(c u) = c relu(u) makes the scheduled kernels exactly P·He's whatever the masks."""
    x = _x(n=4, d=6)
    sched = depth_schedule(3, 16.0)
    p = schedule_product(sched)
    k = tc.MLP(3, "relu", sigma_w=sched, **spec_kw).kernel(x)
    he = tc.MLP(3, "relu", sigma_w=math.sqrt(2), **spec_kw).kernel(x)
    for name in ("nngp", "ntk"):
        a, b = getattr(k, name), p * getattr(he, name)
        assert float(((a - b).abs() / b.abs()).max()) < 1e-12


def test_relu_schedule_network_is_he_times_root_p_at_every_width():
    x = _x(d=6)
    sched = depth_schedule(4, 0.25)
    f = tc.MLP(4, "relu", sigma_w=sched).network(32, 6, seed=3)(x)
    f_he = tc.MLP(4, "relu", sigma_w=math.sqrt(2)).network(32, 6, seed=3)(x)
    assert torch.allclose(f, math.sqrt(schedule_product(sched)) * f_he, rtol=1e-12, atol=0)


@given(st.integers(1, 4).flatmap(lambda L: st.tuples(st.just(L), st.lists(st.floats(0.2, 3.0), min_size=L + 1,
                                                                            max_size=L + 1))),
       st.sampled_from([0.0, 0.3]), st.integers(0, 2**16))
def test_any_relu_schedule_scales_the_base_kernels(depth_and_schedule, prune, seed):
    """Property: for ReLU without bias, kernel(schedule) = Π_l σ_w[l]²/σ² · kernel(σ) for any schedule."""
    depth, sched = depth_and_schedule
    x = _x(n=4, d=3, seed=seed)
    k = tc.MLP(depth, "relu", sigma_w=sched, prune=prune).kernel(x)
    ref = tc.MLP(depth, "relu", sigma_w=1.0, prune=prune).kernel(x)
    p = math.prod(s * s for s in sched)
    assert torch.allclose(k.ntk, p * ref.ntk, rtol=1e-12, atol=0)
    assert torch.allclose(k.nngp, p * ref.nngp, rtol=1e-12, atol=0)
