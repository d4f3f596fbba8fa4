"""Input validation shared by the analytic and the simulation modules.

Every public entry point funnels its arguments through these helpers so that bad input fails early with a
``ValueError``/``TypeError`` that names the parameter and the allowed range (DEVELOPERS.md, "Standards").
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import torch

__all__ = [
    "as_inputs",
    "check_int",
    "check_real",
    "check_probability",
    "resolve_device",
]


def check_int(name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` after checking its type and range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} ({value!r})")
    value = int(value)
    if minimum is not None and value < minimum:
        upper = "∞" if maximum is None else str(maximum)
        raise ValueError(f"{name} must be an integer in [{minimum}, {upper}], got {value}")
    if maximum is not None and value > maximum:
        lower = "-∞" if minimum is None else str(minimum)
        raise ValueError(f"{name} must be an integer in [{lower}, {maximum}], got {value}")
    return value


def check_real(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    min_inclusive: bool = True,
    max_inclusive: bool = True,
) -> float:
    """Return ``value`` as a finite ``float`` after checking its type and range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} ({value!r})")
    value = float(value)
    lo = "-∞" if minimum is None else f"{minimum:g}"
    hi = "∞" if maximum is None else f"{maximum:g}"
    interval = f"{'[' if min_inclusive else '('}{lo}, {hi}{']' if max_inclusive else ')'}"
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite real number in {interval}, got {value}")
    too_low = minimum is not None and (value < minimum or (not min_inclusive and value == minimum))
    too_high = maximum is not None and (value > maximum or (not max_inclusive and value == maximum))
    if too_low or too_high:
        raise ValueError(f"{name} must lie in {interval}, got {value:g}")
    return value


def check_probability(name: str, value: Any) -> float:
    """A pruning probability: a real number in [0, 1)."""
    return check_real(name, value, minimum=0.0, maximum=1.0, max_inclusive=False)


def resolve_device(device: Any) -> torch.device:
    """Turn ``None``/a string/a ``torch.device`` into a ``torch.device`` (CPU when ``None``)."""
    if device is None:
        return torch.device("cpu")
    if isinstance(device, torch.device):
        return device
    if isinstance(device, str):
        try:
            return torch.device(device)
        except RuntimeError as exc:  # torch raises RuntimeError for unknown device strings
            raise ValueError(f"device must name a torch device such as 'cpu' or 'cuda', got {device!r}") from exc
    raise TypeError(f"device must be None, a string or a torch.device, got {type(device).__name__}")


def as_inputs(
    name: str,
    x: Any,
    *,
    dtype: torch.dtype = torch.float64,
    device: torch.device | None = None,
    features: int | None = None,
) -> torch.Tensor:
    """Validate a 2-D input batch and return it as a tensor of ``dtype`` on ``device``.

    Accepts numpy arrays, torch tensors and (non-ragged) nested sequences. Rejects ragged, empty, non-numeric,
    non-2-D and non-finite input, and a feature count other than ``features`` when that is given.
    """
    if isinstance(x, torch.Tensor):
        t = x
    elif isinstance(x, np.ndarray):
        if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_):
            raise TypeError(f"{name} must hold real numbers, got a numpy array of dtype {x.dtype}")
        t = torch.from_numpy(np.ascontiguousarray(x))
    elif isinstance(x, (list, tuple)):
        try:
            arr = np.asarray(x, dtype=np.float64)
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"{name} must be a rectangular 2-D array of real numbers (got ragged or non-numeric rows)"
            ) from exc
        t = torch.from_numpy(arr)
    else:
        raise TypeError(f"{name} must be a numpy array, a torch tensor or a nested list, got {type(x).__name__}")
    if t.is_complex():
        raise TypeError(f"{name} must be real, got complex dtype {t.dtype}")
    if t.dim() != 2:
        raise ValueError(f"{name} must be 2-D [n_samples, n_features], got shape {tuple(t.shape)}")
    if t.shape[0] == 0 or t.shape[1] == 0:
        raise ValueError(f"{name} must be non-empty, got shape {tuple(t.shape)}")
    if features is not None and t.shape[1] != features:
        raise ValueError(f"{name} must have {features} features (columns) to match, got {t.shape[1]}")
    t = t.to(device=device if device is not None else t.device, dtype=dtype)
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} must be finite: it contains NaN or ±inf")
    return t
