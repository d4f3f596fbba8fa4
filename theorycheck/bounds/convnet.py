r"""CONV-L-H networks: L convolutions (kernel k, stride 1, no padding, H channels, ReLU) with weight normalisation
W = g·V/‖V‖_F (one scalar g per layer, as ``weight_norm(dim=None)``), then a linear layer without weight
normalisation (the architecture of Galanti et al. 2023's code, ``models/convnet_wn_3.py``;
``docs/theory/norm_bounds.md``).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._validation import check_int, resolve_device

__all__ = ["WNConv2d", "ConvNetWN"]


class WNConv2d(nn.Module):
    """A k×k stride-1 'valid' convolution whose filter tensor is W = g·V/‖V‖_F (bias kept, as in ``nn.Conv2d``)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, *, generator: torch.Generator,
                 dtype: torch.dtype = torch.float64) -> None:
        super().__init__()
        bound = 1.0 / math.sqrt(in_channels * kernel_size**2)  # nn.Conv2d's default uniform range
        v = (torch.rand(out_channels, in_channels, kernel_size, kernel_size, generator=generator, dtype=dtype) * 2
             - 1) * bound
        self.v = nn.Parameter(v)
        self.g = nn.Parameter(v.norm().detach().clone())
        self.bias = nn.Parameter((torch.rand(out_channels, generator=generator, dtype=dtype) * 2 - 1) * bound)
        self.kernel_size = kernel_size

    @property
    def weight(self) -> torch.Tensor:
        return self.g * self.v / self.v.norm()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.conv2d(x, self.weight, self.bias)


class ConvNetWN(nn.Module):
    """CONV-L-H: ``depth`` weight-normalised k×k convolutions of ``width`` channels with ReLU, then a linear layer.

    Args:
        depth: number of convolutional layers L (≥ 1).
        width: channels H (≥ 1).
        in_channels: input channels.
        image_size: side of the square input image.
        num_classes: outputs of the last (linear) layer.
        kernel_size: k (stride 1, no padding); the image must stay ≥ 1 pixel after L layers.
        seed: seed of the initialisation.
        device: torch device (CPU default).

    Raises:
        ValueError/TypeError: a kernel larger than the image (or shrinking it below one pixel after ``depth``
            layers), non-positive sizes.
    """

    def __init__(self, depth: int, width: int, *, in_channels: int = 1, image_size: int = 8, num_classes: int = 10,
                 kernel_size: int = 2, seed: int = 0, device: str | torch.device | None = None) -> None:
        super().__init__()
        self.conv_depth = check_int("depth", depth, minimum=1)
        self.width = check_int("width", width, minimum=1)
        self.in_channels = check_int("in_channels", in_channels, minimum=1)
        self.image_size = check_int("image_size", image_size, minimum=1)
        self.num_classes = check_int("num_classes", num_classes, minimum=1)
        self.kernel_size = check_int("kernel_size", kernel_size, minimum=1)
        if self.kernel_size > self.image_size:
            raise ValueError(f"kernel_size must be at most the image size {self.image_size}, got {self.kernel_size}")
        out = self.image_size - self.conv_depth * (self.kernel_size - 1)
        if out < 1:
            raise ValueError(f"kernel_size {self.kernel_size} with depth {self.conv_depth} shrinks a "
                             f"{self.image_size}×{self.image_size} image below one pixel")
        g = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
        chans = [self.in_channels] + [self.width] * self.conv_depth
        self.convs = nn.ModuleList(WNConv2d(chans[i], chans[i + 1], self.kernel_size, generator=g)
                                   for i in range(self.conv_depth))
        fan_in = self.width * out * out
        bound = 1.0 / math.sqrt(fan_in)
        self.fc = nn.Linear(fan_in, self.num_classes, dtype=torch.float64)
        with torch.no_grad():
            self.fc.weight.copy_((torch.rand(self.fc.weight.shape, generator=g, dtype=torch.float64) * 2 - 1) * bound)
            self.fc.bias.copy_((torch.rand(self.num_classes, generator=g, dtype=torch.float64) * 2 - 1) * bound)
        self.to(resolve_device(device))

    @property
    def depth(self) -> int:
        """Layers with weights, the final linear layer included (the code's ``net.depth``)."""
        return self.conv_depth + 1

    @property
    def degrees(self) -> list[int]:
        """Per-convolution degree: the kernel side k (√ of the k² patches each unit feeds)."""
        return [self.kernel_size] * self.conv_depth

    def layer_weights(self) -> list[torch.Tensor]:
        """The effective weights of every layer (conv filter tensors, then the linear matrix)."""
        return [c.weight for c in self.convs] + [self.fc.weight]

    def output_sizes(self) -> list[int]:
        """Spatial side of each convolution's output."""
        return [self.image_size - (i + 1) * (self.kernel_size - 1) for i in range(self.conv_depth)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv in self.convs:
            x = torch.relu(conv(x))
        return self.fc(x.flatten(1))
