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
