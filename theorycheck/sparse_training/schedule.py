r"""The drop-fraction schedule of dynamic sparse training (RigL, SET; ``docs/theory/dynamic_sparse_training.md``).

The mask is updated every ``interval`` optimiser steps while t ≤ T_end; at update step t every layer drops and regrows
k_t = int(f(t)·nnz_l) connections, with the cosine anneal (TF ``cosine_decay`` with α_min = 0, as RigL)

    f(t) = (α/2)(1 + cos(π t / T_end))   for 0 ≤ t ≤ T_end,   f(t) = 0 after T_end,

so f(0) = α, f(T_end/2) = α/2 and f(T_end) = 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._validation import check_int, check_real

__all__ = ["CosineDropSchedule"]


@dataclass(frozen=True)
class CosineDropSchedule:
    """When dynamic sparse training updates the mask, and what fraction of each layer it drops.

    Updates happen at the steps t = interval, 2·interval, … that are ≤ ``t_end`` (steps count from 1, after the
    optimiser step); none after ``t_end``. Evci et al., ICML 2020 (RigL, eq. 1 and the ``cosine`` anneal of
    ``sparse_optimizers_base.py``); ``docs/theory/dynamic_sparse_training.md#update-rules``.

    Args:
        drop_fraction: α, the initial drop fraction, in (0, 1).
        interval: ΔT, optimiser steps between mask updates (≥ 1).
        t_end: T_end, the last step at which the mask may change (≥ 1).

    Raises:
        ValueError: for α outside (0, 1), an interval ≤ 0 or t_end ≤ 0.
        TypeError: for a non-numeric α or a non-integer interval/t_end.
    """

    drop_fraction: float = 0.3
    interval: int = 100
    t_end: int = 1000

    def __post_init__(self) -> None:
        object.__setattr__(self, "drop_fraction", check_real("drop_fraction", self.drop_fraction, minimum=0.0,
                                                             maximum=1.0, min_inclusive=False, max_inclusive=False))
        object.__setattr__(self, "interval", check_int("interval", self.interval, minimum=1))
        object.__setattr__(self, "t_end", check_int("t_end", self.t_end, minimum=1))

    def fraction(self, t: float) -> float:
        """f(t) = (α/2)(1 + cos(π t/T_end)) for 0 ≤ t ≤ T_end, 0 after (t ≥ 0, real)."""
        t = check_real("t", t, minimum=0.0)
        if t > self.t_end:
            return 0.0
        return 0.5 * self.drop_fraction * (1.0 + math.cos(math.pi * t / self.t_end))

    def is_update(self, t: int) -> bool:
        """Whether step t (≥ 1) updates the mask: t a multiple of the interval and t ≤ T_end."""
        t = check_int("t", t, minimum=0)
        return t > 0 and t % self.interval == 0 and t <= self.t_end

    def update_steps(self) -> list[int]:
        """Every update step, in order."""
        return list(range(self.interval, self.t_end + 1, self.interval))

    def n_drop(self, t: int, nnz: int) -> int:
        """k_t = int(f(t)·nnz), the number of connections a layer with ``nnz`` connections drops (and regrows)."""
        nnz = check_int("nnz", nnz, minimum=0)
        return int(self.fraction(t) * nnz)
