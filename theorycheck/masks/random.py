"""Pruning masks at initialisation for the networks of :class:`theorycheck.MLP` (docs/theory/pruned.md, §1).

A mask M has the weight matrix's shape [fan_out, fan_in], entries 0 (pruned) or 1 (kept). Two random kinds:

* ``"bernoulli"``: every weight is kept independently with probability q = 1 − p (the theory's model);
* ``"exact"``: exactly round(p · n) of the n weights of the layer are removed, uniformly at random (what
  ``torch.nn.utils.prune.random_unstructured`` and most tools do).

Both are drawn from one uniform U_ij per weight (Bernoulli: keep U_ij < q; exact: keep the n − round(pn) smallest
U_ij), so for a fixed seed the masks are nested in p: a sparser mask is a subset of a denser one.
"""

from __future__ import annotations

import torch

__all__ = ["MASK_KINDS", "random_mask", "validate_mask", "mask_seed"]

MASK_KINDS = ("bernoulli", "exact")


def mask_seed(seed: int) -> int:
    """The seed of the mask generator, derived from the network's seed (a separate stream from the weights)."""
    return (int(seed) * 6364136223846793005 + 1442695040888963407) % (2**63)


def random_mask(shape: tuple[int, int], p: float, kind: str, generator: torch.Generator) -> torch.Tensor:
    """A float64 0/1 mask of ``shape`` with pruning probability ``p`` (``kind``: ``"bernoulli"`` or ``"exact"``)."""
    if kind not in MASK_KINDS:
        raise ValueError(f"mask must be one of {', '.join(MASK_KINDS)}, got {kind!r}")
    u = torch.rand(shape, generator=generator, dtype=torch.float64)
    if kind == "bernoulli":
        return (u < 1.0 - p).to(torch.float64)
    n = u.numel()
    n_keep = n - int(round(p * n))
    keep = torch.zeros(n, dtype=torch.float64)
    keep[torch.argsort(u.reshape(-1))[:n_keep]] = 1.0
    return keep.reshape(shape)


def validate_mask(name: str, mask, shape: tuple[int, int]) -> torch.Tensor:
    """Check an explicit mask: a tensor/array of ``shape`` whose entries are all 0 or 1."""
    if not isinstance(mask, torch.Tensor):
        try:
            mask = torch.as_tensor(mask)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise TypeError(f"{name} must be a tensor or array of 0/1 values, got {type(mask).__name__}") from exc
    if tuple(mask.shape) != tuple(shape):
        raise ValueError(f"{name} must have the weight's shape {tuple(shape)} [fan_out, fan_in], "
                         f"got {tuple(mask.shape)}")
    m = mask.detach().to("cpu", torch.float64)
    if not bool(((m == 0) | (m == 1)).all()):
        raise ValueError(f"{name} must contain only 0 and 1")
    return m
