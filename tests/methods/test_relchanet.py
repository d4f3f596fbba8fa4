"""RelChaNet feature selection (Zimmer 2024): the relative-change identity, invariants, planted recovery."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from theorycheck.methods.relchanet import INVARIANTS, relative_change, select_features


def _data(seed, n=240, d=12, informative=2):
    """Labels depend on the first ``informative`` features only."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, d))
    y = (x[:, :informative].sum(axis=1) > informative / 2).astype(int)
    return x, y


def test_relative_change_identity_against_an_independent_sgd_loop():
    """Σ_t ∇L_t·|b|/n = −(|b|/(ηn))(W_T − W_0) for plain SGD; a factor-2 error in η is detected."""
    g = torch.Generator().manual_seed(0)
    lin = torch.nn.Linear(5, 3).double()
    x, y = torch.randn(40, 5, generator=g, dtype=torch.float64), torch.randn(40, 3, generator=g, dtype=torch.float64)
    opt = torch.optim.SGD(lin.parameters(), lr=0.07)
    w0, acc = lin.weight.detach().clone(), torch.zeros_like(lin.weight)
    for t in range(8):
        b = slice(5 * t, 5 * t + 5)
        opt.zero_grad()
        ((lin(x[b]) - y[b]) ** 2).mean().backward()
        acc += lin.weight.grad * 5
        opt.step()
    pred = relative_change(lin.weight.detach(), w0, batch_size=5, lr=0.07, n=40)
    assert torch.allclose(acc / 40, pred, rtol=1e-11, atol=1e-14)
    wrong = relative_change(lin.weight.detach(), w0, batch_size=5, lr=0.14, n=40)
    assert float((acc / 40 - wrong).abs().max()) > 0.1 * float(pred.abs().max())


@settings(max_examples=8)
@given(seed=st.integers(0, 2**20), k=st.integers(1, 6), perc=st.floats(0.1, 1.0), sgd=st.booleans())
def test_invariants_hold_on_every_update(seed, k, perc, sgd):
    x, y = _data(seed, n=120, d=9)
    r = select_features(x, y, k, n_hidden=6, epochs=6, batch_size=20, lr=0.05 if sgd else 1e-2,
                        candidate_perc=perc, switch_interval=3, optimizer="sgd" if sgd else "adam", seed=seed,
                        record_identity=sgd)
    assert set(r.violations) == set(INVARIANTS) and all(v == 0 for v in r.violations.values()), r.violations
    assert r.n_updates == len(r.idents) == 6 * 6 // 3
    assert len(r.selected) == k == len(set(r.selected)) and all(0 <= f < 9 for f in r.selected)
    if sgd:
        assert max(r.identity_errors) < 1e-10


def test_recovers_the_planted_features_and_is_reproducible():
    x, y = _data(3)
    kw = dict(n_hidden=10, epochs=60, batch_size=40, lr=1e-2, candidate_perc=0.5, switch_interval=6, seed=4)
    a, b = select_features(x, y, 2, **kw), select_features(x, y, 2, **kw)
    assert a.selected == [0, 1]
    assert a.selected == b.selected and a.highscores == b.highscores


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(k=12), ValueError, r"k must be an integer in \[1, 11\]"),
    (dict(k=0), ValueError, r"k must be an integer in \[1, 11\]"),
    (dict(k=2.0), TypeError, "k must be an integer"),
    (dict(k=2, lr=0.0), ValueError, r"lr must lie in \(0, ∞\]"),
    (dict(k=2, candidate_perc=1.5), ValueError, r"candidate_perc must lie in \(0, 1\]"),
    (dict(k=2, switch_interval=0), ValueError, "switch_interval must be an integer"),
    (dict(k=2, optimizer="rmsprop"), ValueError, "optimizer must be one of adam, sgd"),
    (dict(k=2, record_identity=True), ValueError, "record_identity needs optimizer='sgd'"),
    (dict(k=2, seed=2**64), ValueError, r"seed must be an integer in \[0, 18446744073709551615\]"),
    (dict(k=2, seed=-1), ValueError, r"seed must be an integer in \[0"),
])
def test_bad_arguments(kwargs, exc, match):
    x, y = _data(0, n=20)
    with pytest.raises(exc, match=match):
        select_features(x, y, epochs=1, **kwargs)


def test_bad_data():
    x, y = _data(0, n=20)
    with pytest.raises(ValueError, match="x must be a 2-D float array"):
        select_features(x[0], y, 2)
    with pytest.raises(ValueError, match="y must be integer class labels"):
        select_features(x, y.astype(float), 2)
    with pytest.raises(ValueError, match="at least two classes"):
        select_features(x, np.zeros(20, dtype=int), 2)
    with pytest.raises(ValueError, match="w_now and w_enter must have one shape"):
        relative_change(torch.zeros(2, 3), torch.zeros(3, 2), batch_size=1, lr=0.1, n=2)
