"""The co-occurrence data model, the transformer, its closed-form gradients and the GD recorder."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from theorycheck.transformers import (
    CooccurrenceTransformer,
    analytic_gradients,
    make_cooccurrence_data,
    train_cooccurrence,
)


@given(k=st.integers(1, 4), L=st.integers(3, 6), extra=st.integers(0, 30), seed=st.integers(0, 1000))
def test_data_model(k, L, extra, seed):  # noqa: N803
    n = 6 * k
    d = 4 + extra
    data = make_cooccurrence_data(n, L, d, seed)
    x = data.x.numpy()
    assert x.shape == (n, d, L) and np.all(x.sum(axis=1) == 1)  # one token per position
    counts = x.sum(axis=2)  # [n, d] occurrences of each token
    types = data.types.numpy()
    assert [int((types == t).sum()) for t in (1, 2, 3, 4)] == [n // 2, n // 6, n // 6, n // 6]
    assert np.all(counts[:, 2] == 1)  # the common token μ3 once in every sequence
    assert np.all(counts[:, 0] == np.isin(types, (1, 2))) and np.all(counts[:, 1] == np.isin(types, (1, 3)))
    assert np.all(data.y.numpy() == np.where(types == 1, 1, -1))
    if data.distinct_irrelevant:
        assert counts[:, 3:].sum(axis=0).max() <= 1


def _loop_output(model, x):
    """F(X) = Σ_l Σ_j a_j w_jᵀ W_V X softmax(Xᵀ W_Kᵀ W_Q x_l / √m), one sequence and one query at a time."""
    out = []
    for seq in x:
        total = 0.0
        for ell in range(seq.shape[1]):
            scores = seq.T @ model.wk.T @ model.wq @ seq[:, ell] / math.sqrt(model.m)
            attn = torch.softmax(scores, dim=0)
            total += float(sum(model.a[j] * model.w[j] @ model.wv @ seq @ attn for j in range(model.m1)))
        out.append(total)
    return torch.tensor(out, dtype=torch.float64)


def test_batched_output_equals_the_formula():
    data = make_cooccurrence_data(6, 4, 12, 0)
    model = CooccurrenceTransformer(12, 5, 7, 4, 1, init_scale=3.0)
    assert torch.allclose(model.output(data.x), _loop_output(model, data.x), atol=1e-12, rtol=0)


@settings(max_examples=10)
@given(init=st.sampled_from(["theory", "kaiming"]), scale=st.floats(0.1, 3.0), seed=st.integers(0, 100))
def test_analytic_gradients_equal_autograd(init, scale, seed):
    data = make_cooccurrence_data(12, 4, 20, seed)
    model = CooccurrenceTransformer(20, 6, 8, 4, seed, init=init, init_scale=scale)
    params = [p.clone().requires_grad_(True) for p in model.parameters()]
    auto = torch.autograd.grad(model.loss(data.x, data.y, params), params)
    for a, b in zip(auto, analytic_gradients(model, data.x, data.y)):
        assert float((a - b).norm()) <= 1e-10 * float(a.norm())


def test_breaking_the_softmax_jacobian_breaks_the_gradient():
    """Sanity: dropping the −(eᵀp) term of the softmax Jacobian makes W_Q's gradient wrong."""
    data = make_cooccurrence_data(6, 3, 10, 0)
    model = CooccurrenceTransformer(10, 4, 4, 3, 0, init_scale=3.0)
    params = [p.clone().requires_grad_(True) for p in model.parameters()]
    auto = torch.autograd.grad(model.loss(data.x, data.y, params), params)[0]
    wq, wk, wv, w = model.parameters()
    z = w.T @ model.a
    q, k, v = (torch.einsum("md,ndl->nml", p, data.x) for p in (wq, wk, wv))
    p = torch.softmax(torch.einsum("nmi,nmj->nij", k, q) / 2.0, dim=1)
    f = model.output(data.x)
    coef = -torch.sigmoid(-data.y * f) * data.y / 6
    e = torch.einsum("nmi,m->ni", v, z)
    wrong = torch.einsum("nmi,nij,ndj->md", k, p * e[:, :, None] * coef[:, None, None], data.x) / 2.0
    assert float((wrong - auto).norm()) > 1e-3 * float(auto.norm())


def test_gd_records_and_is_reproducible():
    data = make_cooccurrence_data(6, 3, 30, 1)
    runs = []
    for _ in range(2):
        model = CooccurrenceTransformer(30, 4, 6, 3, 2, init_scale=0.5)
        runs.append(train_cooccurrence(model, data, lr=0.05, epochs=20, record_every=7))
    assert runs[0].steps == [0, 7, 14, 20] and runs[0].loss == runs[1].loss
    assert runs[0].loss[-1] < runs[0].loss[0]
    assert np.asarray(runs[0].scores).shape == (4, 3, 3)


def test_frozen_attention_keeps_wq_wk():
    data = make_cooccurrence_data(6, 3, 30, 1)
    model = CooccurrenceTransformer(30, 4, 6, 3, 2)
    wq, wk = model.wq.clone(), model.wk.clone()
    train_cooccurrence(model, data, lr=0.05, epochs=5, trainable=("wv", "w"))
    assert torch.equal(model.wq, wq) and torch.equal(model.wk, wk)


def test_gradient_flow_identity_for_z():
    """d/dt ‖Σ a_j w_j‖² = (2 m1/n) Σ g_i y_i F_i: the first-order term of one tiny GD step on W."""
    data = make_cooccurrence_data(12, 4, 60, 3)
    model = CooccurrenceTransformer(60, 8, 16, 4, 3)
    gw = analytic_gradients(model, data.x, data.y)[3]
    f = model.output(data.x)
    rhs = float(2 * model.m1 / data.n * (torch.sigmoid(-data.y * f) * data.y * f).sum())
    z0 = model.w.T @ model.a
    dz = -1e-6 * gw.T @ model.a
    assert float(2 * z0 @ dz / 1e-6) == pytest.approx(rhs, rel=1e-10)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n=7, L=4, d=20, seed=0), "multiple of 6"), (dict(n=6, L=1, d=20, seed=0), "L must be"),
    (dict(n=6, L=2, d=20, seed=0), "L must be"), (dict(n=6, L=3, d=3, seed=0), "d must be"),
    (dict(n=0, L=3, d=8, seed=0), "n must be"),
])
def test_data_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_cooccurrence_data(**kwargs)


def test_model_validation():
    with pytest.raises(ValueError, match="init must be one of"):
        CooccurrenceTransformer(8, 2, 2, 3, 0, init="xavier")
    with pytest.raises(ValueError, match="m must be"):
        CooccurrenceTransformer(8, 0, 2, 3, 0)
    data = make_cooccurrence_data(6, 3, 9, 0)
    with pytest.raises(ValueError, match="trainable"):
        train_cooccurrence(CooccurrenceTransformer(9, 2, 2, 3, 0), data, lr=0.1, epochs=1, trainable=("wx",))
    with pytest.raises(ValueError, match="d = 8"):
        train_cooccurrence(CooccurrenceTransformer(8, 2, 2, 3, 0), data, lr=0.1, epochs=1)
    with pytest.raises(ValueError, match="lr must"):
        train_cooccurrence(CooccurrenceTransformer(9, 2, 2, 3, 0), data, lr=0.0, epochs=1)
    with pytest.raises(TypeError, match="n must be an integer"):
        make_cooccurrence_data(6.0, 3, 9, 0)
