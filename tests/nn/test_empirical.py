"""Empirical NTK/NNGP: structured path = Jacobian path, per-layer split, chunking, convergence."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

import theorycheck as tc
from theorycheck.nn import empirical as emp


def _x(seed, n, d):
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


@given(depth=st.integers(0, 3), width=st.integers(1, 24), act=st.sampled_from(["relu", "erf", "tanh", "abs",
       "identity", "leaky_relu", "gelu"]), sw=st.floats(0.3, 2.0), sb=st.floats(0.0, 1.0), seed=st.integers(0, 999),
       two=st.booleans())
def test_structured_equals_jacobian(depth, width, act, sw, sb, seed, two):
    spec = tc.MLP(depth=depth, activation=act, sigma_w=sw, sigma_b=sb, quadrature_degree=8)
    net = spec.network(width=width, in_features=3, seed=seed)
    x1, x2 = _x(seed, 5, 3), (_x(seed + 1, 4, 3) if two else None)
    a = tc.empirical_ntk(net, x1, x2)
    b = tc.empirical_ntk(net, x1, x2, method="jacobian", chunk_size=2)
    assert float((a - b).abs().max()) <= 1e-12 * max(1.0, float(b.abs().max()))


def test_per_layer_terms_sum_to_total_and_match_jacobian():
    net = tc.MLP(depth=2, activation="relu", sigma_w=1.4, sigma_b=0.3).network(32, 4, seed=1)
    x, y = _x(1, 6, 4), _x(2, 3, 4)
    parts = tc.empirical_ntk_per_layer(net, x, y)
    jac = tc.empirical_ntk_per_layer(net, x, y, method="jacobian")
    assert set(parts) == set(jac) == {n for n, _ in net.named_parameters()}
    total = tc.empirical_ntk(net, x, y)
    assert torch.allclose(sum(parts.values()), total, rtol=1e-13)
    for k in parts:
        assert torch.allclose(parts[k], jac[k], rtol=1e-12, atol=1e-14)


def test_row_blocking_does_not_change_the_result(monkeypatch):
    net = tc.MLP(depth=2, activation="erf", sigma_b=0.1).network(16, 3, seed=3)
    x = _x(3, 20, 3)
    ref = tc.empirical_ntk(net, x)
    monkeypatch.setattr(emp, "_BLOCK_BYTES", 16 * 8 * 3)  # three rows per block
    assert torch.allclose(tc.empirical_ntk(net, x), ref, rtol=1e-14)


@pytest.mark.parametrize("two", [False, True])
def test_jacobian_panels_under_a_small_cap_give_the_same_kernel(monkeypatch, two):
    """A cap of 7 Jacobian rows: panels of 4 rows, streamed chunks of 1 (and of 2 with chunk_size=2), several panels
    and a ragged last one; the symmetric kernel is formed from blocks j ≥ i and is exactly symmetric."""
    net = tc.MLP(depth=2, activation="tanh", sigma_w=1.3, sigma_b=0.2).network(6, 3, seed=5)
    x1, x2 = _x(5, 11, 3), (_x(6, 9, 3) if two else None)
    ref = tc.empirical_ntk(net, x1, x2)  # structured path, independent of the Jacobian path
    ref_layers = tc.empirical_ntk_per_layer(net, x1, x2)
    n_params = sum(p.numel() for p in net.parameters())
    monkeypatch.setattr(emp, "_JACOBIAN_BYTES", 7 * 8 * n_params)
    for chunk in (None, 2):
        theta = tc.empirical_ntk(net, x1, x2, method="jacobian", chunk_size=chunk)
        assert float((theta - ref).abs().max()) <= 1e-12 * float(ref.abs().max())
        if not two:
            assert torch.equal(theta, theta.T)
    layers = tc.empirical_ntk_per_layer(net, x1, x2, method="jacobian")
    for k in ref_layers:
        assert torch.allclose(layers[k], ref_layers[k], rtol=1e-12, atol=1e-14)


def test_jacobian_path_differentiates_each_row_once_per_panel(monkeypatch):
    """Symmetric, cap of 7 rows (panels of 4, chunks of 1), 11 inputs: panels [0,4), [4,8), [8,11) differentiate
    their own rows (11) and then only the rows after them (7 + 3): 21 rows in all (recomputing both Jacobians of
    every block in chunks of 1 differentiated 11 + 11·10 = 121)."""
    net = tc.MLP(depth=1, activation="relu").network(5, 3, seed=2)
    n_params = sum(p.numel() for p in net.parameters())
    monkeypatch.setattr(emp, "_JACOBIAN_BYTES", 7 * 8 * n_params)
    rows = []
    real_vmap = emp.vmap

    def counting_vmap(fn, **kw):
        inner = real_vmap(fn, **kw)

        def call(p, x):
            rows.append(x.shape[0])
            return inner(p, x)
        return call

    monkeypatch.setattr(emp, "vmap", counting_vmap)
    tc.empirical_ntk(net, _x(7, 11, 3), method="jacobian")
    assert sum(rows) == 11 + 7 + 3


def test_generic_module_through_the_jacobian_path():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 7), nn.Tanh(), nn.Linear(7, 1)).double()
    x = _x(4, 5, 3)
    theta = tc.empirical_ntk(net, x)
    jac = torch.cat([torch.autograd.functional.jacobian(lambda *p: torch.func.functional_call(
        net, dict(zip([n for n, _ in net.named_parameters()], p)), (x,)).squeeze(-1), tuple(net.parameters()))[i]
        .reshape(5, -1) for i in range(4)], dim=1)
    assert torch.allclose(theta, jac @ jac.T, rtol=1e-12)


def test_vector_output_is_rejected():
    net = nn.Linear(3, 2).double()
    with pytest.raises(ValueError, match="scalar output"):
        tc.empirical_ntk(net, _x(0, 2, 3))


def test_structured_method_needs_a_theorycheck_network():
    with pytest.raises(TypeError, match="MLP.network"):
        tc.empirical_ntk(nn.Linear(3, 1).double(), _x(0, 2, 3), method="structured")


def test_empirical_kernels_meet_the_calibrated_dense_bound():
    """THEORY.md §1 check 3 (p = 0): L = 2 ReLU, σ_w² = 2, d = 10, N = 6, ‖x‖² = d, m = 4096:
    the mean relative Frobenius error of Θ̂ to Θ over 3 seeds is < 0.08 (observed 0.042 there)."""
    d = 10
    x = _x(5, 6, d)
    x = x / x.norm(dim=1, keepdim=True) * math.sqrt(d)
    spec = tc.MLP(depth=2, activation="relu", sigma_w=math.sqrt(2), sigma_b=0.0)
    limit = spec.kernel(x).ntk
    errs = [float((tc.empirical_ntk(spec.network(4096, d, seed=s), x) - limit).norm() / limit.norm())
            for s in range(3)]
    assert sum(errs) / 3 < 0.08, errs


def test_empirical_nngp_is_the_conditional_output_covariance():
    """Averaged over many networks E[f f'] ≈ E[empirical NNGP]: compare with the Monte Carlo second moment."""
    spec = tc.MLP(depth=1, activation="relu", sigma_w=1.4, sigma_b=0.3)
    x = _x(6, 3, 4)
    outs, nngps = [], []
    for s in range(400):
        net = spec.network(8, 4, seed=s)
        with torch.no_grad():
            f = net(x)[:, 0]
        outs.append(torch.outer(f, f))
        nngps.append(tc.empirical_nngp(net, x))
    mc, cond = torch.stack(outs), torch.stack(nngps)
    diff = mc.mean(0) - cond.mean(0)
    se = (mc - cond).std(0) / math.sqrt(400)  # both estimate E[f f'] on the same networks
    assert float((diff.abs() / se).max()) < 4.5
