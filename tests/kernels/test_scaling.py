"""No silent overflow: kernels in scaled form, saturation limits, and clear errors (issue 10 §2)."""

import math
import re

import mpmath
import pytest
import torch

import theorycheck as tc
from theorycheck.kernels.scaling import mul_pow2_

PRUNED = [dict(), dict(prune=0.5), dict(prune=0.5, rescale=True, prune_layers="all"),
          dict(prune=0.5, rescale="weights", prune_layers="all"), dict(prune=0.5, prune_layers="all")]


def _x(n=5, d=4, seed=0):
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def _rel_mp(k, m) -> float:
    """Largest entrywise relative error of a float64 kernel against an mpmath one (any exponent)."""
    worst = 0.0
    for kind in ("nngp", "ntk"):
        a, b = getattr(k, kind), getattr(m, kind)
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                diff = abs(mpmath.mpf(float(a[i, j])) - b[i, j])
                worst = max(worst, float(diff / abs(b[i, j])) if b[i, j] != 0 else (0.0 if diff == 0 else math.inf))
    return worst


@pytest.mark.parametrize("kw", PRUNED)
@pytest.mark.parametrize("act", ["relu", "leaky_relu", "abs", "identity"])
def test_homogeneous_kernels_with_overflowing_intermediates_are_exact(act, kw):
    """Inputs ×2^520: Σ^{(1)} ≈ 2^1040 overflows, the depth-40 output (≈ 2^{1040}·(1/2)^40 for relu) does not. The
    scaled form multiplies every quantity by powers of two, so the result is 2^1040 × the kernel of x bit for bit,
    and it agrees with the 50-digit recursion (exponent range unlimited) to the float64 recursion's own round-off
    (≤ 1e-12: a few thousand ulps over entries formed by cancellation, the same as at scale 1)."""
    depth = 40 if act == "relu" else 3
    spec = tc.MLP(depth, act, negative_slope=0.2, sigma_w=1.0 if act == "relu" else 0.05, **kw)
    x = _x()
    big = spec.kernel(x * 2.0**520)
    ref = spec.kernel(x)
    for kind in ("nngp", "ntk"):
        assert torch.equal(mul_pow2_(getattr(big, kind).clone(), -1040), getattr(ref, kind))
    assert _rel_mp(big, spec.kernel_mp(x * 2.0**520, dps=50)) < 1e-12


def test_per_input_scales_factor_out_without_bias():
    """Bias-free homogeneous networks factor each input's norm out: rows 2^±600 apart give the exact cross kernel."""
    x = _x(4)
    xs = x * torch.tensor([2.0**600, 2.0**-600, 1.0, 2.0**300], dtype=torch.float64)[:, None]
    spec = tc.MLP(2, "relu", sigma_w=1.4)
    k, ref = spec.kernel(xs[:2], xs[2:3]), spec.kernel_mp(xs[:2], xs[2:3], dps=50)
    assert _rel_mp(k, ref) < 1e-14


@pytest.mark.parametrize("kw", PRUNED)
def test_overflowing_results_raise_with_their_magnitude(kw):
    spec = tc.MLP(3, "relu", **kw)
    x = _x()
    with pytest.raises(OverflowError, match=r"exceed float64 \(≈ 1e(\d+)\).*sigma_w") as info:
        spec.kernel(x * 1e200)
    # the magnitude in the message is that of the largest NNGP entry (checked first), from the 50-digit recursion
    assert str(info.value).startswith("NNGP")
    mag = int(re.search(r"≈ 1e(\d+)", str(info.value)).group(1))
    m = spec.kernel_mp(x * 1e200, dps=30)
    assert abs(mag - float(mpmath.log10(max(abs(v) for v in m.nngp)))) <= 0.5


def test_deep_and_wide_sigma_overflows_raise():
    x = _x()
    with pytest.raises(OverflowError, match=r"≈ 1e(65[3-5])"):  # (σ_w²/2)^1000 σ_w² |x|²/d ≈ 1e654
        tc.MLP(1000, sigma_w=3.0).kernel(x)
    with pytest.raises(OverflowError, match=r"sigma_w \(= 1e\+200\)"):
        tc.MLP(2, sigma_w=1e200).kernel(x)
    with pytest.raises(OverflowError):
        tc.MLP(2, "erf", sigma_w=1e200).kernel(x)
    with pytest.raises(OverflowError):
        tc.MLP(1000, sigma_w=3.0, prune=0.5, prune_layers="all").kernel(x)


@pytest.mark.parametrize("scale", [1e6, 1e12, 1e100, 1e200])
@pytest.mark.parametrize("kw", [dict(), dict(sigma_b=0.5, sigma_w=1.3), dict(prune=0.5, prune_layers="all"),
                                dict(prune=0.5, rescale="weights")])
def test_erf_saturates_to_the_50_digit_limit(scale, kw):
    """erf is bounded: at any input scale the NNGP tends to the arcsine kernel and the NTK's derivative term
    Ė·Θ^{(1)} stays finite (Θ^{(2)}(x, x) ∝ |x|); every entry matches 50 digits."""
    spec = tc.MLP(3, "erf", **kw)
    x = _x()
    assert _rel_mp(spec.kernel(x * scale), spec.kernel_mp(x * scale, dps=50)) < 1e-13


def test_tanh_saturation_matches_the_unscaled_path():
    """tanh by quadrature at x·1e200 (variances beyond float64, evaluated by reduction) against the plain path at
    x·1e140 (variances ≈ 1e280, no reduction): the NNGP and the off-diagonal NTK are saturated (equal), and the NTK
    diagonal scales as |x| (Ė(x, x) ∝ 1/√q, Θ^{(1)}(x, x) ∝ q)."""
    spec = tc.MLP(2, "tanh")
    x = _x(3)
    big, ref = spec.kernel(x * 1e200), spec.kernel(x * 1e140)
    assert torch.allclose(big.nngp, ref.nngp, rtol=1e-10, atol=0)
    off = ~torch.eye(3, dtype=torch.bool)
    assert torch.allclose(big.ntk[off], ref.ntk[off], rtol=1e-10, atol=0)
    assert torch.allclose(big.ntk.diagonal() / ref.ntk.diagonal(), torch.full((3,), 1e60, dtype=torch.float64),
                          rtol=1e-10)


def test_non_saturating_activation_raises_naming_it():
    with pytest.raises(OverflowError, match="gelu"):
        tc.MLP(2, "gelu").kernel(_x() * 1e200)


def test_empirical_ntk_of_an_overflowing_network_raises():
    net = tc.MLP(2).network(32, 4, seed=0)
    x = _x()
    with pytest.raises(OverflowError, match="largest input entry"):
        tc.empirical_ntk(net, x * 1e300)
    with pytest.raises(OverflowError):
        tc.empirical_nngp(net, x * 1e300)
    assert bool(torch.isfinite(tc.empirical_ntk(net, x)).all())


def test_zero_input_at_a_huge_scale_is_exact():
    """A zero row beside rows of norm 1e200 (its variance is exactly σ_b²): erf against 50 digits."""
    x = _x(3) * 1e200
    x[1] = 0.0
    for sb in (0.0, 0.4):
        spec = tc.MLP(2, "erf", sigma_b=sb)
        assert _rel_mp(spec.kernel(x), spec.kernel_mp(x, dps=50)) < 1e-12


@pytest.mark.parametrize("scale, kw", [(1e6, dict(sigma_b=0.3)), (1e12, dict(sigma_b=0.3, rescale="weights")),
                                       (1e100, dict(rescale="weights")), (1e100, dict(sigma_b=0.3, rescale=True)),
                                       (1e200, dict()), (1e200, dict(rescale="weights", sigma_b=0.3)),
                                       (1e200, dict(sigma_b=0.3))])
def test_erf_pruned_input_layer_at_large_scales(scale, kw):
    """The exact fixed-d input-layer mixture with erf: rows that keep one input see exactly colinear inputs, whose
    Ė ∝ 1/√q dominates the off-diagonal NTK; 1 − ρ² from the kept inputs (minors) keeps them exact. Before: 5e-4
    (1e6, σ_b = 0.3), 0.81 (1e12), 9.6 (1e100), NaN (1e200). (The 50-digit reference needed the same care: it now
    takes log10(AB/(AB − C²)) extra digits per row.)"""
    spec = tc.MLP(2, "erf", prune=0.5, prune_layers="all", **kw)
    x = _x()
    assert _rel_mp(spec.kernel(x * scale), spec.kernel_mp(x * scale, dps=50)) < 1e-13


@pytest.mark.parametrize("scale", [1e100, 1e200])
@pytest.mark.parametrize("sigma_b", [0.0, 0.3])
def test_erf_colinear_inputs_at_large_scales(scale, sigma_b):
    """x and 2x beside a bias: 1 − ρ² ≈ σ_b²/q is of the order of erf's 1/q, and Ė ∝ 1/√(q(1 − ρ²) + O(1)) needs
    it exactly, also under the reduction of kernels/scaling.py (1e200). Both sides take 1 − ρ² from the inputs
    (before: 1.8 % at 1e100; 1e175 at 1e200 where the 50-digit reference itself lost 1 − ρ²)."""
    x = torch.tensor([[1.0, 2, 3, 4], [2, 4, 6, 8], [1, -1, 0.5, 0]], dtype=torch.float64) * scale
    spec = tc.MLP(2, "erf", sigma_b=sigma_b)
    assert _rel_mp(spec.kernel(x), spec.kernel_mp(x, dps=50)) < 1e-13


def test_mp_kernel_beyond_float64_raises_when_rounded():
    m = tc.MLP(2).kernel_mp(_x(2) * 1e200, dps=20)
    assert float(mpmath.log10(abs(m.nngp[0, 0]))) > 390  # the 20-digit kernel itself is fine
    with pytest.raises(OverflowError, match="exceed float64"):
        m.to_torch()


@pytest.mark.parametrize("sched", [[1e-170, 1e170, 1.0, 1.0], [1.0, 1e-170, 1e170, 1.0], [1e-160, 1e160, 1.0, 1.0]])
def test_tiny_schedule_entries_compensated_later_are_exact_for_relu(sched):
    """A tiny σ_w[l] that a later σ_w[l'] compensates once underflowed the variances to 0 (or to subnormal numbers
    with five digits): the kernels came back all zero, silently."""
    x = torch.tensor([[1.0, 0.0], [0.6, 0.8]], dtype=torch.float64)
    spec = tc.MLP(3, sigma_w=sched)
    k, ref = spec.kernel(x), spec.kernel_mp(x, dps=50).to_torch()
    for got, want in ((k.nngp, ref.nngp), (k.ntk, ref.ntk)):
        assert float(((got - want).abs() / want.abs()).max()) < 1e-14


@pytest.mark.parametrize("activation", ["erf", "tanh"])
def test_tiny_schedule_entries_raise_for_non_homogeneous_activations(activation):
    x = torch.tensor([[1.0, 0.0], [0.6, 0.8]], dtype=torch.float64)
    with pytest.raises(FloatingPointError, match="underflows float64"):
        tc.MLP(3, activation, sigma_w=[1e-170, 1e170, 1.0, 1.0]).kernel(x)


@pytest.mark.parametrize("activation,sigma_b", [("erf", 0.0), ("relu", 0.1)])
def test_tiny_inputs_beside_a_huge_first_sigma_w(activation, sigma_b):
    """x·1e-160 with σ_w[0] = 1e160 is an ordinary kernel; it raised a bare 'math range error'."""
    x = torch.tensor([[1.0, 0.0], [0.6, 0.8]], dtype=torch.float64) * 1e-160
    spec = tc.MLP(3, activation, sigma_w=[1e160, 1.0, 1.0, 1.0], sigma_b=sigma_b)
    k, ref = spec.kernel(x), spec.kernel_mp(x, dps=50).to_torch()
    assert float(((k.ntk - ref.ntk).abs() / ref.ntk.abs()).max()) < 1e-13
