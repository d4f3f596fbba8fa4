"""Registered claims. Importing this package registers every claim module's claims in :data:`REGISTRY`.

Claims import the analytic kernels and the simulations, never the reverse.
"""

from . import bias, dense, pruned  # noqa: F401  (importing registers the claims)
from .base import REGISTRY, SCALES, Claim, ClaimResult, Context, all_claims, get_claim, register

__all__ = ["Claim", "ClaimResult", "Context", "REGISTRY", "SCALES", "all_claims", "get_claim", "register"]
