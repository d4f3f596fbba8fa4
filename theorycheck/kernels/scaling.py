r"""Overflow-free evaluation of the kernel recursion: powers of two, homogeneity and saturation (docs/theory/dense.md).

The engine (:mod:`theorycheck.kernels.recursion`) carries the kernels of every layer in *scaled form*,
Σ = 2^k Σ̂, Θ = 2^k Θ̂ and Σ(x, x) = 2^k q̂ with one integer k per layer (even, so that √ of a scaled variance is
the scaled √ exactly), and, for positively homogeneous activations without bias, a per-input exponent r_i as well
(Σ_ij = 2^{k + r_i + r_j} Σ̂_ij). Scaling by powers of two is exact in binary floating point, so in the ordinary
range (where every exponent is 0) the scaled computation *is* the plain one, bit for bit. Three cases:

* **Positively homogeneous φ** (relu, leaky relu, abs, identity: φ(cz) = cφ(z) for c > 0): with
  (u, v) ~ N(0, 2^k Λ̂), E[φ(u)φ(v)] = 2^k E_Λ̂[φφ] and E[φ'(u)φ'(v)] = E_Λ̂[φ'φ'], so the recursion runs on the
  scaled quantities with σ_b² → σ_b² 2^{−k}; a bias-free network also factors out each input's norm. Shifts are
  minimal (inputs to max |x| ≈ 2^{400}, variances above 2^{960} down to ≈ 2^{900}), so that a bias σ_b² 2^{−k}
  beside them stays representable.
* **Saturating φ** (erf, tanh, sigmoid: φ → φ(±∞) fast, φ' integrable): where 2^k q̂ exceeds 2^{900} the
  expectations are evaluated at the variances reduced by λ = 2^j (one λ for every such point; the others at their
  true variance, λ = 1). E[φφ] saturates: the error is O(q^{−1/2}) ≤ 2^{−450}. E[φ'(u)φ'(v)] is a local average
  of φ'⊗φ' against the Gaussian density near the origin, so for |ρ| < 1 it scales as (λ_a λ_b)^{−1/2}
  (p_{λΛ}(s, t) = λ^{−1} p_Λ(s/√λ, t/√λ); per point the factor is 1 where λ_i = 1), and for ρ = ±1 between two
  reduced points (a one-dimensional integral) as λ^{−1/2}; the relative corrections are O(1/(q(1 − ρ²))) ≤
  2^{−900}·10^{16}, since a float64 correlation is either ±1 or at least 2^{−53} away from it. The derivative term
  Ė·Θ of the NTK is formed as (2^k Ė)·Θ̂, so it stays finite where Θ^{(1)} grows
  with the input scale (for erf: Θ^{(2)}(x, x) ∝ ‖x‖, Θ^{(2)}(x, x') → O(1)).
* **Any other φ**: evaluated at the true variances 2^k q̂; a variance beyond float64 raises an
  :class:`OverflowError` naming the activation.

If the *result* is not representable, :func:`raise_overflow` raises an :class:`OverflowError` that estimates its
magnitude and names the parameters to reduce; a non-finite entry never leaves the engine.
"""

from __future__ import annotations

import math

import torch

__all__ = ["INPUT_EXPONENT", "common_exponent", "per_input_scale", "sigma_exponent",
           "is_homogeneous", "saturates", "mul_pow2_", "pow2", "scaled_square", "renorm_exponent", "EvalScale",
           "eval_scale", "raise_overflow", "SAT_EXPONENT", "ORDINARY_EXPONENT"]

#: Scaled variances are renormalised when their largest entry leaves [2^{−E}, 2^{E}] (E = this value); inside, all
#: exponents stay 0 and the engine computes exactly as without scaling.
ORDINARY_EXPONENT = 200
#: Saturating activations are evaluated at variances of at most 2^{SAT_EXPONENT} (about 8e270).
SAT_EXPONENT = 900


def is_homogeneous(expect) -> bool:
    """Whether the expectations are those of a positively homogeneous φ (attribute ``homogeneous``)."""
    return bool(getattr(expect, "homogeneous", False))


def saturates(expect) -> bool:
    """Whether φ saturates: φ(±2^j) constant for j = 30..1000 and φ'(±2^j) = 0 there (closed forms say so by an
    attribute ``saturating``; otherwise the expectation object's ``activation`` is probed)."""
    flag = getattr(expect, "saturating", None)
    if flag is not None:
        return bool(flag)
    act = getattr(expect, "activation", None)
    if act is None:
        return False
    z = torch.tensor([2.0**30, 2.0**100, 2.0**300, 2.0**1000], dtype=torch.float64)
    try:
        with torch.no_grad():
            for sign in (1.0, -1.0):
                f, df = act(sign * z), act.grad(sign * z)
                if not (bool(torch.isfinite(f).all()) and bool(torch.isfinite(df).all())):
                    return False
                if float((f - f[-1]).abs().max()) > 1e-15 * max(1.0, abs(float(f[-1]))) or float(df.abs().max()) > 0:
                    return False
    except Exception:  # an activation that cannot be evaluated there does not saturate (for our purpose)
        return False
    return True


def pow2(k: int) -> float:
    """2^k as a float (0 or inf outside the range)."""
    try:
        return math.ldexp(1.0, int(k))
    except OverflowError:
        return math.inf


def scaled_square(v: float, k: int) -> float:
    """v² 2^{−k} for even k, without forming v² (exact; v·v in the ordinary range)."""
    t = math.ldexp(v, -(k // 2))
    return t * t


def mul_pow2_(t: torch.Tensor, k) -> torch.Tensor:
    """In place t ← t·2^k, exactly, for an integer k (or an integer tensor broadcastable to t) of any size."""
    if isinstance(k, torch.Tensor):
        k = k.to(torch.float64)
        while bool((k.abs() > 0).any()):
            step = k.clamp(-1000, 1000)
            t.mul_(torch.exp2(step).to(t.dtype))
            k = k - step
        return t
    k = int(k)
    while k:
        step = max(-1000, min(1000, k))
        t.mul_(math.ldexp(1.0, step))
        k -= step
    return t


def renorm_exponent(*qs: torch.Tensor) -> int:
    """An even shift m (the variances become q·2^{−m}): 0 while the largest finite entry of the ``qs`` lies in
    [2^{−E}, 2^{960}] (E = :data:`ORDINARY_EXPONENT`); above, the smallest shift down to ≈ 2^{900} (so that a bias
    σ_b² 2^{−k} beside it stays representable); below, up to ≈ 1."""
    top = max(float(q.abs().max()) if q.numel() else 0.0 for q in qs)
    if top == 0.0 or not math.isfinite(top):
        return 0
    e = math.frexp(top)[1]
    if e > 960:
        return 2 * ((e - 900 + 1) // 2)
    if e < -ORDINARY_EXPONENT:
        return 2 * (e // 2)
    return 0


class EvalScale:
    """How the expectations of one layer are evaluated from scaled variances (:func:`eval_scale`).

    Attributes:
        qs: the variances at which the activation is evaluated (scaled, true or reduced), one per argument.
        e_exponent: the exponent of the returned E[φφ] (k for a homogeneous φ, else 0).
        dot_exponent: D ← D·2^{dot_exponent} after the block, so that D·Θ̂ = E[φ'φ']·Θ at scale ``e_exponent``.
        j: the reduction 2^j of a saturating φ (0: none).
        limit: scaled variances above this are reduced by 2^j, the others evaluated at their true value.
    """

    def __init__(self, qs: list[torch.Tensor], e_exponent: int, dot_exponent: int, j: int = 0,
                 limit: float = math.inf) -> None:
        self.qs, self.e_exponent, self.dot_exponent, self.j, self.limit = qs, e_exponent, dot_exponent, j, limit

    @property
    def reduced(self) -> bool:
        return self.j != 0

    def point_factor(self, q_hat: torch.Tensor) -> torch.Tensor:
        """2^{−j/2} for a reduced point, else 1: the factor of D per point (module docstring)."""
        return torch.where(q_hat > self.limit, torch.full_like(q_hat, pow2(-(self.j // 2))), torch.ones_like(q_hat))

    def adjust_(self, dot: torch.Tensor, ntk: torch.Tensor, unit: torch.Tensor | None, fa: torch.Tensor | None,
                fb: torch.Tensor | None) -> None:
        """In place, so that D·Θ̂ = E[φ'φ']·Θ at scale ``e_exponent``: D ← D·2^{d₁} and Θ̂ ← Θ̂·2^{d − d₁} with
        d = ``dot_exponent`` and d₁ = min(d, 960) (so that D stays finite where Θ̂ = 0: a pair of zero-variance
        points gives 0, not inf·0), and for a reduction the per-point factors ``fa`` ⊗ ``fb`` of D with 2^{j/2}
        where ``unit`` (ρ = ±1) between two reduced points."""
        d = self.dot_exponent
        if d:
            mul_pow2_(dot, min(d, 960))
            mul_pow2_(ntk, d - min(d, 960))
        if self.reduced:
            dot.mul_(fa).mul_(fb)
            dot[unit & (fa < 1) & (fb < 1)] *= pow2(self.j // 2)  # ρ = ±1 between two reduced points


def eval_scale(k: int, expect, *q_hats: torch.Tensor, what: str = "the pre-activation variance") -> EvalScale:
    """The evaluation plan of a layer whose true variances are 2^k q̂ for each of ``q_hats`` (module docstring).

    Raises:
        OverflowError: for an activation that is neither homogeneous nor saturating when 2^k q̂ exceeds float64,
    """
    if k == 0:
        return EvalScale(list(q_hats), 0, 0)
    if is_homogeneous(expect):
        return EvalScale(list(q_hats), k, 0)
    top = max(float(q.max()) if q.numel() else 0.0 for q in q_hats)
    top_e = math.frexp(top)[1] if top > 0 else 0
    if saturates(expect) and top > 0 and k + top_e > SAT_EXPONENT:
        # points whose true variance exceeds 2^SAT_EXPONENT are evaluated at it divided by λ = 2^j (all by the
        # same λ), the others at their true variance (λ = 1)
        j = k + top_e - SAT_EXPONENT
        j += j % 2
        limit = pow2(SAT_EXPONENT - k)  # q̂ above this: reduced
        qs = [torch.where(q > limit, mul_pow2_(q.clone(), k - j), mul_pow2_(q.clone(), k)) for q in q_hats]
        return EvalScale(qs, 0, k, j, limit)
    qs = [mul_pow2_(q.clone(), k) for q in q_hats]
    tiny = pow2(-1022)  # the smallest normal float64: below it a variance keeps fewer digits, or none
    if k < 0 and any(bool(((q_hat > 0) & (q < tiny)).any()) for q_hat, q in zip(q_hats, qs)):
        low = min(float(q_hat[q_hat > 0].min()) for q_hat in q_hats if bool((q_hat > 0).any()))
        raise FloatingPointError(
            f"{what} underflows float64 (≈ 1e{(k + math.frexp(low)[1]) * math.log10(2):.0f}) and "
            f"{getattr(expect, 'name', 'the activation')!r} is not positively homogeneous, so its kernel cannot be "
            "computed in scaled form: raise the small sigma_w entries or the input scale, or add a bias")
    if not all(bool(torch.isfinite(q).all()) for q in qs):
        raise OverflowError(f"{what} exceeds float64 (≈ 1e{(k + top_e) * math.log10(2):.0f}) and "
                            f"{getattr(expect, 'name', 'the activation')!r} is neither positively homogeneous nor "
                            "saturating, so its kernel cannot be computed in scaled form: reduce sigma_w, sigma_b "
                            "or the input scale")
    return EvalScale(qs, 0, k)


def raise_overflow(what: str, log10_magnitude: float | None, hint: str) -> None:
    """Raise the engine's :class:`OverflowError` for entries that float64 cannot hold."""
    mag = "≥ 1e308" if log10_magnitude is None or not math.isfinite(log10_magnitude) else \
        f"≈ 1e{log10_magnitude:.0f}"
    raise OverflowError(f"{what} entries exceed float64 ({mag}): {hint}")


#: Inputs are shifted down by powers of two once their largest entry exceeds 2^INPUT_EXPONENT.
INPUT_EXPONENT = 400


def sigma_exponent(sigma_w: float, small: bool = False) -> int:
    """ω with σ_w = 2^ω σ̂_w: the binary exponent of a σ_w above the ordinary range, else 0; with ``small``, also
    of a σ_w below it (used without a bias: a tiny σ_w[l] that a later σ_w[l'] compensates must not underflow the
    variances on the way; beside a bias σ_b² the term it scales is negligible and is left to round to nothing)."""
    e = math.frexp(sigma_w)[1]
    return e if e > ORDINARY_EXPONENT // 2 or (small and e < -(ORDINARY_EXPONENT // 2)) else 0


def per_input_scale(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
    """x_i 2^{−r_i} with r_i the binary exponent of max_j |x_ij| (0 for a zero row), or (x, None) when every
    exponent is ordinary."""
    top = x.abs().amax(dim=1)
    r = torch.frexp(top).exponent.to(torch.float64)
    r = torch.where(top > 0, r, torch.zeros_like(r))
    if float(r.abs().max()) <= ORDINARY_EXPONENT // 2:
        return x, None
    return mul_pow2_(x.clone(), -r[:, None]), r


def common_exponent(x1: torch.Tensor, x2: torch.Tensor) -> int:
    """e ≥ 0 with max |x|·2^{−e} ≤ 2^{400}: the smallest shift that keeps the input Gram matrix in range, so that
    a bias σ_b² 2^{−2e} stays representable beside it (0 in the ordinary range; tiny inputs are not scaled up)."""
    top = max(float(x1.abs().max()), float(x2.abs().max()))
    e = math.frexp(top)[1] if top > 0 else 0
    return e - INPUT_EXPONENT if e > INPUT_EXPONENT else 0
