"""Input validation shared by the analytic and the simulation modules.

Every public entry point funnels its arguments through these helpers so that bad input fails early with a
``ValueError``/``TypeError`` that names the parameter and the allowed range (DEVELOPERS.md, "Standards").
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # torch is imported where it is used, so importing the claim registry (``--list``) stays cheap
    import torch

__all__ = [
    "as_inputs",
    "check_int",
    "check_real",
    "check_probability",
    "check_seed",
    "check_unit_inputs",
    "check_net_inputs",
    "resolve_device",
]

#: Largest seed a ``torch.Generator`` accepts (seeds are unsigned 64-bit integers).
MAX_SEED = 2**64 - 1


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


def check_seed(name: str, value: Any) -> int:
    """A random seed: an integer in [0, 2⁶⁴ − 1] (what ``torch.Generator.manual_seed`` accepts)."""
    return check_int(name, value, minimum=0, maximum=MAX_SEED)


def resolve_device(device: Any) -> torch.device:
    """Turn ``None``/a string/a ``torch.device`` into an available ``torch.device`` (CPU when ``None``).

    Raises:
        ValueError: an unknown device string, a CUDA/MPS device on a machine without one (or an index beyond the
            devices present), or the ``meta`` device (it holds no numbers).
        TypeError: anything but ``None``, a string or a ``torch.device``.
    """
    import torch

    if device is None:
        return torch.device("cpu")
    if isinstance(device, str):
        try:
            device = torch.device(device)
        except RuntimeError as exc:  # torch raises RuntimeError for unknown device strings
            raise ValueError(f"device must name a torch device such as 'cpu' or 'cuda', got {device!r}") from exc
    if not isinstance(device, torch.device):
        raise TypeError(f"device must be None, a string or a torch.device, got {type(device).__name__}")
    if device.type == "meta":
        raise ValueError("device 'meta' holds no data; use 'cpu' or an available accelerator")
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"device {str(device)!r} requested but CUDA is not available on this machine; use 'cpu'")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ValueError(f"device {str(device)!r} requested but only {torch.cuda.device_count()} CUDA device(s) "
                             "are present")
    if device.type == "mps" and not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
        raise ValueError(f"device {str(device)!r} requested but MPS is not available on this machine; use 'cpu'")
    return device


def check_unit_inputs(name: str, x: torch.Tensor, tol: float = 1e-10) -> torch.Tensor:
    """Reject rows of ``x`` off the unit sphere (the large-bias network's inputs, docs/theory/bias.md)."""
    norms = x.norm(dim=1)
    worst = float((norms - 1).abs().max())
    if not worst <= tol:
        raise ValueError(f"{name} must lie on the unit sphere for a large-bias network (max |‖x‖ − 1| = {worst:.3g} "
                         f"> {tol:g}); normalise the inputs (LargeBiasNet(..., normalize=True).inputs(x))")
    return x


def as_inputs(
    name: str,
    x: Any,
    *,
    dtype: torch.dtype | None = None,
    device: torch.device | None = None,
    features: int | None = None,
) -> torch.Tensor:
    """Validate a 2-D input batch and return it as a tensor of ``dtype`` on ``device``.

    Accepts numpy arrays, torch tensors and (non-ragged) nested sequences. Rejects ragged, empty, non-numeric,
    non-2-D and non-finite input, and a feature count other than ``features`` when that is given. ``dtype``
    ``None`` means ``torch.float64``.
    """
    import torch

    if isinstance(x, torch.Tensor):
        t = x
        if t.requires_grad:
            raise ValueError(f"{name} requires grad: theorycheck's kernels are not differentiable in their inputs; "
                             f"pass {name}.detach()")
        if t.device.type == "meta":
            raise ValueError(f"{name} is a meta tensor (no data)")
    elif isinstance(x, np.ndarray):
        if x.dtype == object or not np.issubdtype(x.dtype, np.number):
            raise TypeError(f"{name} must hold real numbers, got a numpy array of dtype {x.dtype}")
        t = torch.from_numpy(np.ascontiguousarray(x))
    elif isinstance(x, (list, tuple)):
        try:
            raw = np.asarray(x)
        except ValueError as exc:
            raise ValueError(
                f"{name} must be a rectangular 2-D array of real numbers (got ragged rows)"
            ) from exc
        if raw.dtype == object:
            raise ValueError(f"{name} must be a rectangular 2-D array of real numbers (got ragged or mixed rows)")
        if not np.issubdtype(raw.dtype, np.number) or raw.dtype == np.bool_:
            raise TypeError(f"{name} must hold real numbers, got {raw.dtype} entries")
        t = torch.from_numpy(np.ascontiguousarray(raw))
    else:
        raise TypeError(f"{name} must be a numpy array, a torch tensor or a nested list, got {type(x).__name__}")
    if t.dtype == torch.bool:
        raise TypeError(f"{name} must hold real numbers, got booleans")
    if t.is_complex():
        raise TypeError(f"{name} must be real, got complex dtype {t.dtype}")
    if t.dim() != 2:
        raise ValueError(f"{name} must be 2-D [n_samples, n_features], got shape {tuple(t.shape)}")
    if t.shape[0] == 0 or t.shape[1] == 0:
        raise ValueError(f"{name} must be non-empty, got shape {tuple(t.shape)}")
    if features is not None and t.shape[1] != features:
        raise ValueError(f"{name} must have {features} features (columns) to match, got {t.shape[1]}")
    t = t.to(device=device if device is not None else t.device, dtype=torch.float64 if dtype is None else dtype)
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} must be finite: it contains NaN or ±inf")
    return t


def check_net_inputs(net: Any, x: torch.Tensor, name: str = "x") -> torch.Tensor:
    """Inputs for ``net``: rows on the unit sphere when the network declares ``unit_sphere_inputs`` (the large-bias
    network, whose theory holds on the sphere only), otherwise ``x`` unchanged."""
    if getattr(net, "unit_sphere_inputs", False):
        check_unit_inputs(name, x)
    return x
