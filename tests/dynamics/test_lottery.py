"""Teacher–student simulation with planted masks: gradient, Hessian at the teacher, convergence, validation."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from theorycheck.dynamics.lottery import (
    TeacherStudent,
    _gradient,
    hessian_at_teacher,
    planted_masks,
    restricted_hessian_min_eig,
    train_student,
)


def _dense_predict(ts, w):
    """The teacher written with a dense [K, d] weight matrix (an independent route through the masks)."""
    dense = torch.zeros(ts.k, ts.x.shape[1], dtype=torch.float64)
    for j in range(ts.k):
        dense[j, ts.support[j]] = w[j]
    return torch.relu(ts.x @ dense.T).mean(dim=1)


@settings(max_examples=10)
@given(r=st.integers(1, 6), k=st.integers(1, 4), seed=st.integers(0, 500))
def test_gradient_and_hessian_match_autograd(r, k, seed):
    ts = TeacherStudent.sample(8, k, r, 30, seed)
    assert torch.allclose(ts.y, _dense_predict(ts, ts.w_star), rtol=1e-13, atol=1e-14)
    w = ts.local_init(0.3, seed + 1).requires_grad_(True)
    loss = 0.5 * ((ts.predict(w) - ts.y) ** 2).mean()
    (g_ref,) = torch.autograd.grad(loss, w)
    assert torch.allclose(_gradient(ts, w.detach(), ts.gathered()), g_ref, rtol=1e-10, atol=1e-14)
    # at the teacher the Hessian equals the Gauss–Newton matrix (residuals 0, ReLU'' = 0 a.e.)
    h_ref = torch.autograd.functional.hessian(lambda v: 0.5 * ((ts.predict(v.reshape(k, r)) - ts.y) ** 2).mean(),
                                              ts.w_star.reshape(-1))
    assert torch.allclose(hessian_at_teacher(ts), h_ref, rtol=1e-10, atol=1e-13)


def test_rank_bound_and_positive_definiteness():
    lo = TeacherStudent.sample(50, 3, 10, 25, seed=1)  # N = 25 < rK = 30
    lmin, lmax = restricted_hessian_min_eig(lo)
    assert lmin < 1e-12 * lmax
    hi = TeacherStudent.sample(50, 3, 10, 200, seed=1)
    lmin, lmax = restricted_hessian_min_eig(hi)
    assert lmin > 1e-3 * lmax


def test_gd_recovers_teacher_linearly():
    ts = TeacherStudent.sample(40, 3, 8, 400, seed=3)
    res = train_student(ts, ts.local_init(0.1, seed=4), iterations=150)
    assert res.errors[0] == pytest.approx(0.1)
    assert res.final_error < 1e-6 and res.rate() < 0.95
    agd = train_student(ts, ts.local_init(0.1, seed=4), iterations=150, momentum=0.5, tol=1e-3)
    assert agd.final_error < 1e-3 and len(agd.errors) < 151


def test_masks_are_distinct_and_in_range():
    m = planted_masks(30, 4, 7, seed=0)
    assert m.shape == (4, 7) and int(m.min()) >= 0 and int(m.max()) < 30
    assert all(len(set(row.tolist())) == 7 for row in m)


def test_bad_inputs_name_the_parameter():
    with pytest.raises(ValueError, match="n"):
        TeacherStudent.sample(10, 2, 3, 0, seed=0)
    with pytest.raises(ValueError, match="r"):
        planted_masks(10, 2, 11, seed=0)
    with pytest.raises(ValueError, match="mask"):
        TeacherStudent.sample(10, 2, 3, 5, seed=0, support=torch.zeros(2, 4, dtype=torch.long))
    ts = TeacherStudent.sample(10, 2, 3, 5, seed=0)
    with pytest.raises(ValueError, match="w0"):
        train_student(ts, torch.zeros(2, 4, dtype=torch.float64), iterations=1)
    with pytest.raises(ValueError, match="momentum"):
        train_student(ts, ts.w_star, iterations=1, momentum=1.0)
