"""Registered claims. Importing this package registers every claim module's claims in :data:`REGISTRY`, in report
order. Claims import the analytic kernels and the simulations, never the reverse. Docs: ``docs/claims.md``.
"""

# One import per family, in report order (each import registers the family's claims).
from . import dense  # noqa: F401
from . import decoupling  # noqa: F401
from . import shortcut  # noqa: F401
from .base import REGISTRY, SCALES, Check, Claim, ClaimResult, Context, all_claims, get_claim, register

__all__ = ["Check", "Claim", "ClaimResult", "Context", "REGISTRY", "SCALES", "all_claims", "get_claim", "register"]
