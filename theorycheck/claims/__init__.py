"""Registered claims. Importing this package registers every claim module's claims in :data:`REGISTRY`, in report
order. Claims import the analytic kernels and the simulations, never the reverse. Docs: ``docs/claims.md``.
"""

# One import per family, in report order (each import registers the family's claims; the bias convergence plot
# overlays the pruned effective-width sweep, which it declares in `uses`).
from . import dense  # noqa: F401
from . import pruned  # noqa: F401
from . import bias  # noqa: F401
from . import graphon  # noqa: F401
from . import topology  # noqa: F401
from . import pbt  # noqa: F401
from . import normbound  # noqa: F401
from . import lottery  # noqa: F401
from . import iht  # noqa: F401
from . import cooc  # noqa: F401
from . import nfl  # noqa: F401
from . import dst  # noqa: F401
from . import pairank  # noqa: F401
from . import encdec  # noqa: F401
from . import relchanet  # noqa: F401
from . import sparsefirst  # noqa: F401
from . import trsp  # noqa: F401
from . import decoupling  # noqa: F401
from . import shortcut  # noqa: F401
from . import depthinit  # noqa: F401
from .base import REGISTRY, SCALES, Check, Claim, ClaimResult, Context, all_claims, get_claim, register

__all__ = ["Check", "Claim", "ClaimResult", "Context", "REGISTRY", "SCALES", "all_claims", "get_claim", "register"]
