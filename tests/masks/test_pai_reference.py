"""PaI generators against independent transcriptions of the published algorithms (issue 10)."""

import copy

import pytest
import torch
from torch import nn

from theorycheck import masks as M


def _classifier(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(8, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 4)).double()


def _data(n=32):
    g = torch.Generator().manual_seed(0)
    return torch.randn(n, 8, generator=g, dtype=torch.float64), torch.randint(0, 4, (n,), generator=g)


def _grasp_reference(model, density, x, y, temperature):
    """GraSP as described by Wang et al. (2020) and run in both reference codes: g = ∇L(logits/T), then the
    Hessian-gradient product Hg = ∇(gᵀ∇L(logits/T)), score −θ ⊙ Hg normalised by |Σ|; remove the top int((1−d)N)
    scores, i.e. keep the lowest (written here from the paper, in eval mode)."""
    model = copy.deepcopy(model).eval()
    ws = [m.weight for m in model if isinstance(m, nn.Linear)]
    loss = nn.functional.cross_entropy(model(x) / temperature, y)
    g = [t.detach() for t in torch.autograd.grad(loss, ws)]
    loss = nn.functional.cross_entropy(model(x) / temperature, y)
    gf = torch.autograd.grad(loss, ws, create_graph=True)
    hg = torch.autograd.grad(sum((a * b).sum() for a, b in zip(g, gf)), ws)
    scores = [-(w * h).detach() for w, h in zip(ws, hg)]
    flat = torch.cat([s.reshape(-1) for s in scores])
    flat = flat / (flat.sum().abs() + 1e-10)
    n_rm = int((1 - density) * flat.numel())
    thr = torch.topk(flat, n_rm, sorted=True).values[-1]
    keep = (flat < thr).double()
    return list(keep.split([w.numel() for w in ws]))


def test_grasp_applies_the_temperature_of_the_reference_codes():
    """Before the fix (T = 1) the masks overlapped the reference's (T = 200) by about half at density 0.1."""
    model, (x, y) = _classifier(), _data()
    ref = _grasp_reference(model, 0.1, x, y, 200.0)
    ours = M.grasp_masks(model, 0.1, x, y, count="authors")
    same = sum(int((a.reshape(-1) == b).sum()) for a, b in zip(ours, ref)) / sum(b.numel() for b in ref)
    assert same == 1.0
    t1 = M.grasp_masks(model, 0.1, x, y, temperature=1.0, count="authors")
    kept = torch.cat([m.reshape(-1) for m in ours]).bool()
    kept1 = torch.cat([m.reshape(-1) for m in t1]).bool()
    assert float((kept & kept1).sum() / kept.sum()) < 0.9  # the temperature matters here


@pytest.mark.parametrize("name", ["magnitude", "snip", "grasp", "synflow"])
@pytest.mark.parametrize("train", [True, False])
@pytest.mark.filterwarnings("ignore:layer\\(s\\).*keep no connection:RuntimeWarning")  # a tiny model at low density
def test_generators_leave_the_model_exactly_as_it_was(name, train):
    model, (x, y) = _classifier(), _data()
    model.train(train)
    with torch.no_grad():  # non-trivial running statistics
        model[1].running_mean.normal_()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    flags = [m.training for m in model.modules()]
    fns = {"magnitude": lambda: M.magnitude_masks(model, 0.3), "snip": lambda: M.snip_masks(model, 0.3, x, y),
           "grasp": lambda: M.grasp_masks(model, 0.3, x, y),
           "synflow": lambda: M.synflow_masks(model, 0.3, iterations=3)}
    masks = fns[name]()
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert [m.training for m in model.modules()] == flags
    # scored in eval mode: the same masks whatever mode the caller left
    model.train(not train)
    again = fns[name]()
    assert all(torch.equal(a, b) for a, b in zip(masks, again))


def test_keep_count_conventions():
    s = [torch.arange(10, dtype=torch.float64)]
    # d = 0.25 of N = 10: round → 2 (banker's rounding of 2.5), authors → 10 − int(7.5) = 3
    assert int(M.keep_top(s, 0.25)[0].sum()) == 2
    assert int(M.keep_top(s, 0.25, count="authors")[0].sum()) == 3
    with pytest.raises(ValueError, match="count must be one of"):
        M.keep_top(s, 0.5, count="floor")


def test_er_density_of_convolutions():
    model = nn.Sequential(nn.Conv2d(4, 8, 3), nn.Flatten(), nn.Linear(8 * 6 * 6, 2)).double()
    unrolled = M.layer_densities(model, 0.3, "er")
    channels = M.layer_densities(model, 0.3, "er", conv="channels")
    assert unrolled != channels
    sizes = [p.numel() for _, p in M.prunable_parameters(model)]
    for dens in (unrolled, channels):
        assert sum(d * n for d, n in zip(dens, sizes)) / sum(sizes) == pytest.approx(0.3)
    with pytest.raises(ValueError, match="conv must be one of"):
        M.layer_densities(model, 0.3, "er", conv="kernel")
