r"""The sparse norm bound of Galanti, Xu, Galanti, Poggio (NeurIPS 2023) and the Golowich et al. comparison, as the
authors' code computes them (``utils.py: our_total_bound, golowich_total_bound``; ``docs/theory/norm_bounds.md``).

With ρ = Π_l ‖W_l‖_F over every layer (conv filter tensors, not Toeplitz matrices; the last linear layer included),
L' = the number of layers with weights, D = max_l deg_l², k classes, n samples, δ = 0.001::

    our      = ((ρ+1)/n)·2^{1.5}·(1 + √(2(L'·log(2D) + log k)))·√S_max·Π_l deg_l + 3√(log(2(ρ+2)²/δ)/(2n)),
    S_max    = max over pixels of Σ_i x_i[pixel]²,
    golowich = ((ρ_G+1)/n)·2^{1.5}·(1 + √(2(L'·log 2 + log k)))·√(Σ_i ‖x_i‖²) + 3√(log(2(ρ_G+2)²/δ)/(2n)),
    ρ_G      = ρ·Π_conv √(H_out·W_out)   (the Toeplitz Frobenius norms, see :mod:`.toeplitz`).

The first summand is the "leading term"; the second the union bound over the norm scale.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch

from .._validation import check_int, check_real
from .convnet import ConvNetWN

__all__ = ["BoundTerms", "max_pixel_sum", "our_total_bound", "golowich_total_bound"]


@dataclass(frozen=True)
class BoundTerms:
    """A bound and its factors: ``bound = mult1·mult2·mult3 + add1``; ``leading = mult1·mult2·mult3``."""

    rho: float
    mult1: float
    mult2: float
    mult3: float
    add1: float
    n: int

    @property
    def leading(self) -> float:
        return self.mult1 * self.mult2 * self.mult3

    @property
    def bound(self) -> float:
        return self.leading + self.add1

    def to_json(self) -> dict:
        return dict(asdict(self), leading=self.leading, bound=self.bound)


def _images(x: torch.Tensor, net: ConvNetWN) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor of images, got {type(x).__name__}")
    if x.dim() != 4 or x.shape[1:] != (net.in_channels, net.image_size, net.image_size):
        raise ValueError(f"x must have shape [n, {net.in_channels}, {net.image_size}, {net.image_size}], got "
                         f"{tuple(x.shape)}")
    if x.shape[0] < 1:
        raise ValueError("x (the dataset) must hold at least one sample")
    if not bool(torch.isfinite(x).all()):
        raise ValueError("x must be finite")
    return x.to(torch.float64)


def max_pixel_sum(x: torch.Tensor) -> float:
    """S_max = max over pixels (and channels) of Σ_i x_i[pixel]² for images x [n, C, H, W]."""
    return float((x.to(torch.float64) ** 2).sum(dim=0).max())


def _union_term(rho: float, n: int, delta: float) -> float:
    return 3.0 * math.sqrt(math.log(2.0 * (rho + 2.0) ** 2 / delta) / (2.0 * n))


@torch.no_grad()
def our_total_bound(net: ConvNetWN, x: torch.Tensor, num_classes: int | None = None,
                    delta: float = 0.001) -> BoundTerms:
    """The sparse bound of Galanti et al. (2023) for ``net`` on the training images ``x`` [n, C, H, W].

    Args:
        net: a trained CONV-L-H network.
        x: the training set (its size is n).
        num_classes: k (default: the network's output count).
        delta: confidence δ ∈ (0, 1).

    Returns:
        The :class:`BoundTerms` (mult1 = (ρ+1)/n, mult2 = 2^{1.5}(1 + √(2(L' log(2D) + log k))),
        mult3 = √S_max·Π deg_l, add1 the union term).
    """
    x = _images(x, net)
    k = net.num_classes if num_classes is None else check_int("num_classes", num_classes, minimum=1)
    delta = check_real("delta", delta, minimum=0.0, maximum=1.0, min_inclusive=False, max_inclusive=False)
    n = x.shape[0]
    rho = math.prod(float(w.norm()) for w in net.layer_weights())
    degs = net.degrees
    big_d = max(degs) ** 2
    mult2 = 2**1.5 * (1 + math.sqrt(2 * (net.depth * math.log(2 * big_d) + math.log(k))))
    mult3 = math.sqrt(max_pixel_sum(x)) * math.prod(degs)
    return BoundTerms(rho=rho, mult1=(rho + 1) / n, mult2=mult2, mult3=mult3, add1=_union_term(rho, n, delta), n=n)


@torch.no_grad()
def golowich_total_bound(net: ConvNetWN, x: torch.Tensor, num_classes: int | None = None,
                         delta: float = 0.001) -> BoundTerms:
    """The Golowich, Rakhlin, Shamir (2018) bound as Galanti et al.'s code evaluates it for the same network: the
    Toeplitz Frobenius norms ρ_G = ρ·Π_conv √(H_out W_out) and √(Σ_i ‖x_i‖²) in place of √S_max·Π deg_l."""
    x = _images(x, net)
    k = net.num_classes if num_classes is None else check_int("num_classes", num_classes, minimum=1)
    delta = check_real("delta", delta, minimum=0.0, maximum=1.0, min_inclusive=False, max_inclusive=False)
    n = x.shape[0]
    rho = math.prod(float(w.norm()) for w in net.layer_weights())
    rho_g = rho * math.prod(float(s) for s in net.output_sizes())  # √(H_out·W_out) = side for square maps
    mult2 = 2**1.5 * (1 + math.sqrt(2 * (net.depth * math.log(2) + math.log(k))))
    mult3 = math.sqrt(float((x**2).sum()))
    return BoundTerms(rho=rho_g, mult1=(rho_g + 1) / n, mult2=mult2, mult3=mult3, add1=_union_term(rho_g, n, delta),
                      n=n)
