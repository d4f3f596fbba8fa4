"""The hypothesis strategies draw valid objects, and the library's properties hold on them."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import theorycheck as tc
from theorycheck import strategies as tcs


@given(x=tcs.unit_sphere_inputs(max_n=6, max_d=5))
def test_unit_sphere_rows(x):
    assert torch.allclose(x.norm(dim=1), torch.ones(x.shape[0], dtype=torch.float64), atol=1e-12)


@given(x=tcs.separated_inputs(0.5, max_n=5, max_d=6))
def test_separated(x):
    assert tcs.separation(x) >= 0.5


@given(spec=tcs.mlp_specs(max_depth=3), x=tcs.inputs(max_n=6, d=3))
def test_analytic_kernels_are_symmetric_psd(spec, x):
    """The user-facing property of the README: NTK and NNGP are PSD to the Weyl round-off bound."""
    k = spec.kernel(x)
    for m in (k.nngp, k.ntk):
        assert torch.equal(m, m.T)
        tol = x.shape[0] * 32 * (spec.depth + 1) * 2.0**-53 * float(m.abs().max())
        assert float(torch.linalg.eigvalsh(m)[0]) >= -tol


@given(spec=tcs.mlp_specs(max_depth=2, prune=True), seed=st.integers(0, 100))
def test_pruned_structured_equals_jacobian(spec, seed):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        net = spec.network(8, 3, seed=seed)
    x = torch.randn(4, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    a, b = tc.empirical_ntk(net, x), tc.empirical_ntk(net, x, method="jacobian")
    assert float((a - b).abs().max()) <= 1e-12 * max(1.0, float(b.abs().max()))


@given(m=tcs.masks((6, 4), min_density=0.3))
def test_masks_are_binary_and_dense_enough(m):
    assert set(m.unique().tolist()) <= {0.0, 1.0} and float(m.mean()) >= 0.3


@given(spec=tcs.large_bias_specs(max_bias=6.0), x=tcs.unit_sphere_inputs(min_n=2, max_n=5, min_d=2, max_d=5))
def test_bias_kernel_diagonal(spec, x):
    k = spec.kernel(x).ntk
    expected = 2 * spec.active_fraction() if spec.train_bias else spec.active_fraction()
    assert torch.allclose(k.diagonal(), torch.full_like(k.diagonal(), expected), rtol=1e-12)
    assert float(tc.orthant_probability(spec.bias, 0.3)) <= spec.active_fraction_bound()


@given(p=tcs.pruning_probabilities(), B=tcs.bias_values())
def test_scalar_strategies_in_range(p, B):
    assert 0 <= p < 1 and 0 <= B <= 30


@given(spec=tcs.mlp_specs(max_depth=3), p=tcs.pruning_probabilities(0.9), x=tcs.inputs(max_n=6, d=4))
def test_readme_example_pruned_relu_limit_scales(spec, p, x):
    """The README's user property test, verbatim."""
    dense = tc.MLP(depth=spec.depth, sigma_w=spec.sigma_w).kernel(x).ntk
    pruned = tc.MLP(depth=spec.depth, sigma_w=spec.sigma_w, prune=p).kernel(x).ntk  # input layer dense (default)
    assert torch.allclose(pruned, (1 - p) ** spec.depth * dense, rtol=1e-12, atol=1e-300)


def test_strategies_reject_bad_arguments_when_built_not_when_drawn():
    """As hypothesis' own strategies: InvalidArgument at construction (also a ValueError)."""
    from hypothesis.errors import InvalidArgument

    from theorycheck import strategies as tcs

    bad = [lambda: tcs.inputs(min_n=3, max_n=2), lambda: tcs.inputs(scale=-1.0), lambda: tcs.mlp_specs(max_depth=-1),
           lambda: tcs.mlp_specs(prune=True, max_p=1.0), lambda: tcs.masks((3, 0)),
           lambda: tcs.masks((3, 3), min_density=0.0), lambda: tcs.large_bias_specs(max_bias=40.0),
           lambda: tcs.pruning_probabilities(1.5), lambda: tcs.separated_inputs(2.0)]
    for make in bad:
        with pytest.raises(InvalidArgument):
            make()
        with pytest.raises(ValueError):
            make()
