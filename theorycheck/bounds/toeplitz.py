r"""The Toeplitz (doubly block-circulant-free, 'valid') unrolling of a stride-1 convolution.

For a filter w ∈ R^{C_out×C_in×k×k} and an H×W input, T ∈ R^{(C_out·H_o·W_o)×(C_in·H·W)} with H_o = H − k + 1,
W_o = W − k + 1 satisfies vec(conv(x, w)) = T vec(x). Every filter entry appears once per output position, so
‖T‖_F² = H_o·W_o·‖w‖_F² (``docs/theory/norm_bounds.md#toeplitz``): the Golowich et al. bound pays the factor
√(H_o W_o) per layer that the sparse bound avoids.
"""

from __future__ import annotations

import torch

from .._validation import check_int

__all__ = ["conv_toeplitz"]


def conv_toeplitz(weight: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """The matrix T of the stride-1, unpadded convolution with ``weight`` on a ``height``×``width`` input.

    Built entry by entry (one k×k block per output position), independently of ``torch.nn.functional.conv2d``.

    Args:
        weight: filter tensor [C_out, C_in, k, k].
        height: input height H (≥ k).
        width: input width W (≥ k).

    Returns:
        T of shape [C_out·H_o·W_o, C_in·H·W] (row-major over (channel, row, column) on both sides), weight's dtype.

    Raises:
        TypeError: ``weight`` not a tensor. ValueError: not 4-D, a non-square kernel, or a kernel larger than the
            image.
    """
    if not isinstance(weight, torch.Tensor):
        raise TypeError(f"weight must be a torch.Tensor, got {type(weight).__name__}")
    if weight.dim() != 4 or weight.shape[2] != weight.shape[3]:
        raise ValueError(f"weight must have shape [C_out, C_in, k, k], got {tuple(weight.shape)}")
    c_out, c_in, k, _ = weight.shape
    height = check_int("height", height, minimum=1)
    width = check_int("width", width, minimum=1)
    if k > height or k > width:
        raise ValueError(f"kernel_size k = {k} must not exceed the image ({height}×{width})")
    ho, wo = height - k + 1, width - k + 1
    t = torch.zeros(c_out, ho, wo, c_in, height, width, dtype=weight.dtype, device=weight.device)
    for i in range(ho):
        for j in range(wo):
            t[:, i, j, :, i:i + k, j:j + k] = weight
    return t.reshape(c_out * ho * wo, c_in * height * width)
