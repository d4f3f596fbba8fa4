"""Registered claims. Importing this package registers every claim module's claims in :data:`REGISTRY`.

Claims import the analytic kernels and the simulations, never the reverse.
"""

from . import dense, pruned  # noqa: F401, I001  (importing registers the claims, in report order)
from . import bias  # noqa: F401, E402  (bias plots overlay the pruned sweep, so it runs after it)
from . import graphon, topology  # noqa: F401, E402
from .base import REGISTRY, SCALES, Claim, ClaimResult, Context, all_claims, get_claim, register

__all__ = ["Claim", "ClaimResult", "Context", "REGISTRY", "SCALES", "all_claims", "get_claim", "register"]
