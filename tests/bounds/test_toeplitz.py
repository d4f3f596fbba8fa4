"""Toeplitz unrolling of a convolution: against conv2d and the Frobenius identity."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from theorycheck.bounds import conv_toeplitz


@settings(max_examples=20)
@given(c_in=st.integers(1, 3), c_out=st.integers(1, 3), k=st.integers(1, 4), extra_h=st.integers(0, 4),
       extra_w=st.integers(0, 4), seed=st.integers(0, 10_000))
def test_toeplitz_matches_conv_and_identity(c_in, c_out, k, extra_h, extra_w, seed):
    h, w = k + extra_h, k + extra_w
    g = torch.Generator().manual_seed(seed)
    weight = torch.randn(c_out, c_in, k, k, generator=g, dtype=torch.float64)
    x = torch.randn(1, c_in, h, w, generator=g, dtype=torch.float64)
    t = conv_toeplitz(weight, h, w)
    conv = torch.nn.functional.conv2d(x, weight).reshape(-1)
    assert torch.allclose(t @ x.reshape(-1), conv, rtol=1e-12, atol=1e-12)
    ident = (h - k + 1) * (w - k + 1) * float(weight.norm() ** 2)
    assert float(t.norm() ** 2) == pytest.approx(ident, rel=1e-10)


def test_broken_factor_is_caught():
    weight = torch.randn(2, 2, 3, 3, dtype=torch.float64)
    t = conv_toeplitz(weight, 8, 8)
    assert abs(float(t.norm() ** 2) / ((8 - 3) * (8 - 3) * float(weight.norm() ** 2)) - 1) > 1e-3  # (H−k)(W−k)


def test_kernel_larger_than_image():
    with pytest.raises(ValueError, match="kernel_size"):
        conv_toeplitz(torch.zeros(1, 1, 5, 5), 4, 8)
    with pytest.raises(TypeError, match="weight"):
        conv_toeplitz([[1.0]], 4, 4)
