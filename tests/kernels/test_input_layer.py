"""The exact fixed-d limit of a pruned input layer (theorycheck/kernels/input_layer.py, docs/theory/pruned.md).

The reference below is written independently from the network's definition (THEORY.md §0.1, §0.5): numpy, an
explicit loop over all 2^d mask rows, the closed forms of §0.3 and the network constants c² (the layer's scale)
and v (the variance of the stored weights) of each rescaling convention — not the package's (a, b) table.
"""

import itertools
import math
import warnings

import numpy as np
import pytest
import torch

import theorycheck as tc


# ----------------------------------------------------------------------------------------- independent reference
def _expect(act, A, B, C):
    """(E[φ(u)φ(v)], E[φ'(u)φ'(v)]) for (u, v) ~ N(0, [[A, C], [C, B]]), arrays; zero variance → u ≡ 0."""
    A, B, C = np.broadcast_arrays(A, B, C)
    s = np.sqrt(A * B)
    rho = np.clip(np.divide(C, s, out=np.zeros_like(C), where=s > 0), -1.0, 1.0)
    if act == "relu":
        th = np.arccos(rho)
        e = s * (np.sqrt(1 - rho**2) + (np.pi - th) * rho) / (2 * np.pi)
        ed = np.where(s > 0, (np.pi - th) / (2 * np.pi), 0.0)  # relu'(0) = 0 where a variance is 0
        return e, ed
    c = rho * s
    e = 2 / np.pi * np.arcsin(np.clip(2 * c / np.sqrt((1 + 2 * A) * (1 + 2 * B)), -1, 1))
    ed = 4 / np.pi / np.sqrt((1 + 2 * A) * (1 + 2 * B) - 4 * c * c)
    return e, ed


def reference(act, x, depth, sw, sb, p, rescale):
    """NNGP and NTK of an MLP with every matrix pruned (Bernoulli(q)), the input layer exact over all 2^d rows."""
    n, d = x.shape
    q = 1.0 - p
    w2, b2 = sw * sw, sb * sb
    # input layer: h = c (W ⊙ M) x + σ_b b, stored W of variance v
    c2 = w2 / (q * d) if rescale is True else w2 / d
    v = 1.0 / q if rescale == "weights" else 1.0
    e_bar = np.zeros((n, n))
    p_bar = np.zeros((n, n))
    rows = np.array(list(itertools.product((0, 1), repeat=d)), float)  # all 2^d mask rows
    for chunk in np.array_split(rows, max(1, len(rows) // 4096)):
        prob = np.prod(np.where(chunk > 0, q, p), axis=1)[:, None, None]
        S = np.einsum("rj,aj,bj->rab", chunk, x, x)  # S_m(x, x') = Σ_j m_j x_j x'_j
        lam = c2 * v * S + b2  # Var/Cov of the unit's pre-activations given its mask row
        tan = c2 * S + b2  # Σ_{kept j} (∂h/∂W_j)(∂h'/∂W_j) + (∂h/∂b)(∂h'/∂b)
        dg = np.diagonal(lam, axis1=1, axis2=2)
        e, ed = _expect(act, dg[:, :, None], dg[:, None, :], lam)
        e_bar += (prob * e).sum(0)
        p_bar += (prob * tan * ed).sum(0)
    # hidden/readout matrix with fan-in n → ∞: per convention, the factors on σ_w² of the forward covariance, of the
    # weight term of the NTK and of the back-propagated covariance
    fwd, wterm, back = {False: (q, q, q), True: (1, 1, 1), "weights": (1, q, 1)}[rescale]
    sig = fwd * w2 * e_bar + b2
    theta = wterm * w2 * e_bar + b2 + back * w2 * p_bar
    for _ in range(depth - 1):
        dg = np.diag(sig)
        e, ed = _expect(act, dg[:, None], dg[None, :], sig)
        sig, theta = fwd * w2 * e + b2, wterm * w2 * e + b2 + back * w2 * ed * theta
    return sig, theta


def _x(seed, n, d):
    return np.random.default_rng(seed).normal(size=(n, d))


def _rel(a, b):
    a = a.numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
    return float(np.abs(a - b).max() / np.abs(b).max())


# ----------------------------------------------------------------------------------------------- exact (d = 6)
@pytest.mark.parametrize("act", ["relu", "erf"])
@pytest.mark.parametrize("sb", [0.0, 0.3])
@pytest.mark.parametrize("p", [0.5, 0.9])
@pytest.mark.parametrize("rescale", [False, True, "weights"])
def test_exact_limit_equals_independent_enumeration(act, sb, p, rescale):
    x = _x(int(p * 10) + int(sb * 10), 5, 6)
    spec = tc.MLP(depth=2, activation=act, sigma_w=1.4, sigma_b=sb, prune=p, rescale=rescale, prune_layers="all")
    k = spec.kernel(x)
    assert k.info["input_layer"] == "enumerate" and k.info["rows"] == 64
    sig, theta = reference(act, x, 2, 1.4, sb, p, rescale)
    assert _rel(k.nngp, sig) < 1e-9 and _rel(k.ntk, theta) < 1e-9
    # the d → ∞ recursion is a different number at this d (the issue)
    g = tc.MLP(depth=2, activation=act, sigma_w=1.4, sigma_b=sb, prune=p, rescale=rescale, prune_layers="all",
               input_layer="gaussian").kernel(x)
    assert _rel(g.ntk, theta) > 1e-3


@pytest.mark.parametrize("rescale", [False, True, "weights"])
def test_mp_path_equals_independent_enumeration(rescale):
    x = _x(7, 3, 5)
    spec = tc.MLP(depth=2, activation="erf", sigma_w=1.2, sigma_b=0.3, prune=0.6, rescale=rescale,
                  prune_layers="all")
    mp = spec.kernel_mp(x, dps=30).to_torch()
    sig, theta = reference("erf", x, 2, 1.2, 0.3, 0.6, rescale)
    assert _rel(mp.nngp, sig) < 1e-12 and _rel(mp.ntk, theta) < 1e-12


def test_two_batches_and_quadrature_activation():
    """x2 ≠ x1 uses the same rows; a quadrature activation goes through the same mixture (tanh ≈ its K=64 rule)."""
    x1, x2 = _x(1, 4, 5), _x(2, 3, 5)
    spec = tc.MLP(depth=2, activation="erf", sigma_w=1.3, sigma_b=0.2, prune=0.7, prune_layers="all")
    full = spec.kernel(np.concatenate([x1, x2]))
    cross = spec.kernel(x1, x2)
    assert torch.allclose(cross.ntk, full.ntk[:4, 4:], rtol=1e-13)
    erf_q = tc.MLP(depth=1, activation=tc.Activation(torch.erf, name="erf_q"), sigma_w=1.3, sigma_b=0.2, prune=0.7,
                   prune_layers="all", quadrature_degree=64)
    erf_c = tc.MLP(depth=1, activation="erf", sigma_w=1.3, sigma_b=0.2, prune=0.7, prune_layers="all")
    small = x1[:3, :4]
    ref = erf_c.kernel(small).ntk
    assert float(((erf_q.kernel(small).ntk - ref).abs() / ref.abs()).max()) < 1e-9  # K = 64 rule: ~1e-11


# ------------------------------------------------------------------------------------------------- graphons
def test_constant_input_graphon_equals_pruned_input_layer():
    """Two code paths (graphon recursion per position, MLP engine) for W ≡ c: exact mixture on both sides."""
    x = _x(3, 4, 5)
    kw = dict(depth=2, activation="erf", sigma_w=1.3, sigma_b=0.2)
    g = tc.MLP(graphons=[0.6, 0.6, 0.6], graphon_resolution=4, **kw).kernel(x)
    p = tc.MLP(prune=0.4, prune_layers="all", **kw).kernel(x)
    assert g.info["input_layer"] == "enumerate"
    assert torch.allclose(g.ntk, p.ntk, rtol=1e-12) and torch.allclose(g.nngp, p.nngp, rtol=1e-12)


def test_position_dependent_input_graphon_equals_enumeration_per_position():
    """Depth 1, W₁(v, u) = 0.2 + 0.7·v·u, dense readout: Θ = mean over positions of the per-position mixture."""
    x = _x(4, 4, 4)
    d, k, sw, sb = 4, 3, 1.2, 0.3
    spec = tc.MLP(depth=1, activation="relu", sigma_w=sw, sigma_b=sb, graphon_resolution=k,
                  graphons=[lambda v, u: 0.2 + 0.7 * v * u, None])
    out = spec.kernel(x)
    w2, b2 = sw * sw, sb * sb
    sig = np.zeros((4, 4))
    theta = np.zeros((4, 4))
    for iv in range(k):
        v = (iv + 0.5) / k
        keep = np.array([0.2 + 0.7 * v * (j + 0.5) / d for j in range(d)])
        for m in itertools.product((0, 1), repeat=d):
            m = np.array(m, float)
            prob = np.prod(np.where(m > 0, keep, 1 - keep))
            lam = w2 / d * (x * m) @ x.T + b2
            dg = np.diag(lam)
            e, ed = _expect("relu", dg[:, None], dg[None, :], lam)
            sig += prob * w2 * e / k
            theta += prob * (w2 * e + w2 * lam * ed) / k
    sig += b2
    theta += b2
    assert _rel(out.nngp, sig) < 1e-12 and _rel(out.ntk, theta) < 1e-12


# ----------------------------------------------------------------------------------- sampling: stated error bound
def test_sampling_meets_its_standard_errors_against_enumeration_at_d16():
    """Balanced sampling (64 rows, 8 batches) vs the full enumeration of 2^16 rows: the errors are Student-t(7)
    multiples of the reported standard errors — mean z² ≤ 2.5 (t₇: 1.4), ≤ 10 % of |z| beyond 3 (t₇: 2 %; the 120
    entries are correlated) and none beyond 8 (t₇: 1e-4). Measured: mean z² 1.40, 4.2 % beyond 3, max 4.2."""
    zs = []
    cases = [("relu", 0.5, 0.0, False), ("relu", 0.9, 0.3, "weights"), ("erf", 0.5, 0.3, True),
             ("erf", 0.9, 0.0, False)]
    for i, (act, p, sb, rescale) in enumerate(cases):
        x = _x(10 + i, 5, 16)
        spec = tc.MLP(depth=2, activation=act, sigma_w=1.4, sigma_b=sb, prune=p, rescale=rescale,
                      prune_layers="all", input_layer_seed=i)
        k = spec.kernel(x)
        assert k.info["input_layer"] == "sample" and k.info["batches"] == 8
        sig, theta = reference(act, x, 2, 1.4, sb, p, rescale)
        for est, se, ref in ((k.nngp, k.info["nngp_stderr"], sig), (k.ntk, k.info["ntk_stderr"], theta)):
            iu = np.triu_indices(5)
            err = np.abs(est.numpy() - ref)[iu]
            # an entry linear in the mask row (e.g. relu's diagonal) is integrated exactly by the balanced
            # columns: SE 0 and error at round-off
            exact = err <= 1e-12 * np.abs(ref).max()
            zs.append(np.where(exact, 0.0, err / np.where(exact, 1.0, se.numpy()[iu])))
    z = np.abs(np.concatenate(zs))
    assert np.isfinite(z).all()
    print(f"d=16 sampling: {z.size} entries, mean z² {np.mean(z**2):.2f}, max |z| {z.max():.2f}, "
          f"|z|>3: {(z > 3).mean():.3f}")
    assert np.mean(z**2) <= 2.5 and (z > 3).mean() <= 0.10 and z.max() <= 8.0, (np.sort(z)[-5:], (z > 3).mean())


def test_gaussian_recursion_reports_its_error():
    x = _x(5, 6, 6)
    kw = dict(depth=2, activation="erf", sigma_w=1.4, prune=0.9, prune_layers="all")
    g = tc.MLP(input_layer="gaussian", **kw).kernel(x)
    e = tc.MLP(**kw).kernel(x)
    err = float((g.ntk - e.ntk).norm() / e.ntk.norm())
    assert g.info["input_layer"] == "gaussian" and g.info["gaussian_error_points"] == 6
    assert g.info["gaussian_rel_error"]["ntk"] == pytest.approx(err, rel=1e-12)
    assert err > 0.3  # erf, p = 0.9, d = 6: the reviewer's 86 % regime


def test_dense_input_layer_is_untouched():
    x = _x(6, 5, 6)
    for spec in (tc.MLP(depth=2, prune=0.7), tc.MLP(depth=0, prune=0.7, prune_layers="all"), tc.MLP(depth=2)):
        k = spec.kernel(x)
        assert k.info is None


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(input_layer="exact"), ValueError, "input_layer must be one of"),
    (dict(input_layer_rows=8), ValueError, "input_layer_rows"),
    (dict(input_layer_seed=-1), ValueError, "input_layer_seed"),
])
def test_bad_input_layer_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        tc.MLP(depth=2, prune=0.5, prune_layers="all", **kwargs)


# ------------------------------------------------------------------------------------------- finite networks
def _network_ntks(spec, x, width, seeds):
    out = []
    for s in seeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            net = spec.network(width, x.shape[1], seed=s)
        out.append(tc.empirical_ntk(net, torch.as_tensor(x)).numpy())
    return np.stack(out)


@pytest.mark.slow
@pytest.mark.parametrize("act, p, rescale, reject", [("erf", 0.9, False, True), ("relu", 0.5, True, False),
                                                     ("erf", 0.5, "weights", False)])
def test_finite_networks_agree_with_the_exact_limit(act, p, rescale, reject):
    """Width 4096, 6 seeds, d = 6: the mean empirical NTK is within 4 standard errors (over seeds) of the exact
    limit in every entry. Where the gap is large (erf, p = 0.9: 47 %) the d → ∞ recursion is rejected (some entry
    beyond 6 standard errors); at p = 0.5 (gap 4–8 %) six seeds do not resolve it."""
    x = _x(21, 4, 6)
    x = x / np.linalg.norm(x, axis=1, keepdims=True) * math.sqrt(6)
    spec = tc.MLP(depth=2, activation=act, sigma_w=1.4, sigma_b=0.1, prune=p, rescale=rescale, prune_layers="all")
    th = _network_ntks(spec, x, 4096, range(6))
    mean, se = th.mean(0), th.std(0, ddof=1) / math.sqrt(th.shape[0])
    exact = spec.kernel(x).ntk.numpy()
    gauss = tc.MLP(depth=2, activation=act, sigma_w=1.4, sigma_b=0.1, prune=p, rescale=rescale, prune_layers="all",
                   input_layer="gaussian").kernel(x).ntk.numpy()
    iu = np.triu_indices(4)
    z_exact = np.abs(mean - exact)[iu] / se[iu]
    z_gauss = np.abs(mean - gauss)[iu] / se[iu]
    print(f"{act} p={p} {rescale}: max z to exact {z_exact.max():.2f}, to gaussian {z_gauss.max():.2f}; "
          f"rel. Frobenius: to exact {np.linalg.norm(mean - exact) / np.linalg.norm(exact):.4f}, "
          f"to gaussian {np.linalg.norm(mean - gauss) / np.linalg.norm(exact):.4f}, "
          f"SE {np.linalg.norm(se) / np.linalg.norm(exact):.4f}")
    assert z_exact.max() <= 4.0, z_exact
    if reject:
        assert z_gauss.max() >= 6.0, z_gauss


@pytest.mark.parametrize("act", ["relu", "erf"])
def test_sampled_limit_approaches_the_gaussian_recursion_like_one_over_d(act):
    """The mixture's leading correction is second order in the O(d^-1/2) fluctuation of the masked sums, so the gap
    to the d → ∞ recursion falls like 1/d: gap(256)/gap(64) ∈ [1/8, 1/2] (1/4 predicted), each gap resolved by
    its standard error (gap ≥ 3 SE). Measured (relu/erf, p = 0.5): 0.18/0.17."""
    gaps = []
    for d in (64, 256):
        x = torch.as_tensor(_x(d, 6, d))
        x = x / x.norm(dim=1, keepdim=True) * math.sqrt(d)
        kw = dict(depth=2, activation=act, sigma_w=1.4, prune=0.5, prune_layers="all")
        ex = tc.MLP(input_layer_rows=256, **kw).kernel(x)
        spec = tc.MLP(input_layer="gaussian", **kw)
        ga = tc.kernels.mlp_kernels(x, None, depth=2, sigma_w=1.4, sigma_b=0.0, expect=spec._expect,
                                    factors=spec.layer_factors())[1]
        gap = float((ga - ex.ntk).norm() / ex.ntk.norm())
        se = float(ex.info["ntk_stderr"].norm() / ex.ntk.norm())
        assert gap >= 3 * se, (d, gap, se)
        gaps.append(gap)
    print(f"{act}: gap(64) = {gaps[0]:.2e}, gap(256) = {gaps[1]:.2e}, ratio {gaps[1] / gaps[0]:.3f}")
    assert 1 / 8 <= gaps[1] / gaps[0] <= 1 / 2
