r"""The exact fixed-d input-layer mixture (:mod:`theorycheck.kernels.input_layer`) in arbitrary precision.

Enumerates all 2^d mask rows of the input layer at ``dps`` digits (small d and few inputs), giving per pair

.. math::

    \Sigma^{(2)} = \alpha_2\sigma_w^2 E_m E_{N(0,\Lambda_m)}[\varphi\varphi] + \sigma_b^2, \qquad
    \Theta^{(2)} = \beta_2\sigma_w^2 E_m E[\varphi\varphi] + \sigma_b^2
        + \gamma_2\sigma_w^2 E_m[T_m E[\varphi'\varphi']],

which :func:`theorycheck.kernels.mp.mlp_kernels_mp` continues from layer 2 (docs/theory/pruned.md).
"""

from __future__ import annotations

import itertools

import mpmath

from .kernel import MPKernel

__all__ = ["mlp_kernels_mp_input_pruned"]


def mlp_kernels_mp_input_pruned(x1: list[list[mpmath.mpf]], x2: list[list[mpmath.mpf]] | None, *, depth: int,
                                sigma_w, sigma_b, expect, dps: int, factors, keep: float, scaling) -> MPKernel:
    """NNGP and NTK at ``dps`` digits with the input layer pruned at keep probability ``keep`` (all 2^d rows).

    Args:
        x1, x2: rows of mpf (:func:`theorycheck.kernels.mp.as_mp_rows`); ``x2=None`` means x1.
        depth: hidden layers L ≥ 1.
        sigma_w, sigma_b: floats (converted exactly) or decimal strings; ``sigma_w`` may be a sequence of
            ``depth + 1`` scales, one per weight matrix (σ_w[0]: the input layer; docs/theory/depth_init.md).
        expect: a closed-form expectation object (``pair_mp``).
        dps: significant digits.
        factors: per-matrix (α, β, γ); entry 0 is replaced by the mixture.
        keep: the input layer's keep probability q ∈ (0, 1] (converted exactly).
        scaling: the input layer's :class:`~theorycheck.kernels.steps.MaskScaling` (a = σ_w²/(φ_fan π_w d),
            b = σ_w²/(φ_fan d), as :meth:`~theorycheck.kernels.steps.MaskScaling.input_scales`, at ``dps``).

    Raises:
        ValueError: depth < 1 or d > 16 (2^d rows per pair at mpmath speed).
    """
    from .mp import mlp_kernels_mp, mp_scales

    if depth < 1:
        raise ValueError("the input-layer mixture needs depth >= 1")
    d = len(x1[0])
    if d > 16:
        raise ValueError(f"kernel_mp enumerates 2^d mask rows; d = {d} > 16 is too slow (use kernel, float64)")
    sym = x2 is None
    xb = x1 if sym else x2
    with mpmath.workdps(dps + 10):
        q = mpmath.mpf(keep)
        scales = mp_scales(sigma_w, depth)
        w2, b2 = mpmath.mpf(scales[1]) ** 2, mpmath.mpf(sigma_b) ** 2  # matrix 1: the step to layer 2
        fan, prec = mpmath.mpf(scaling.fan_factor), mpmath.mpf(scaling.weight_precision)
        g = mpmath.mpf(scales[0]) ** 2 / (fan * d)  # b: the gradient w.r.t. the stored weights (matrix 0)
        a = g / prec  # forward: times the stored weights' variance
        al, be, ga = (mpmath.mpf(v) for v in factors[1])
        rows = []
        for m in itertools.product((0, 1), repeat=d):
            k = sum(m)
            w = q**k * (1 - q) ** (d - k)
            if w != 0:
                rows.append((m, w))

        def s(u, v, m):
            return mpmath.fsum(u[j] * v[j] for j in range(d) if m[j])

        def diag(u):
            return mpmath.fsum(w * expect.pair_mp(a * s(u, u, m) + b2, a * s(u, u, m) + b2, mpmath.mpf(1))[0]
                               for m, w in rows)

        ea = [al * w2 * diag(u) + b2 for u in x1]
        eb = ea if sym else [al * w2 * diag(u) + b2 for u in xb]
        cache: dict[tuple[int, int], tuple] = {}

        def pair(i, j):
            if (i, j) in cache:
                return cache[(i, j)]
            u, v = x1[i], xb[j]
            e_sum, p_sum = [], []
            for m, w in rows:
                s1, s2, s12 = s(u, u, m), s(v, v, m), s(u, v, m)
                A, B, C = a * s1 + b2, a * s2 + b2, a * s12 + b2
                if sym and i == j:
                    rho = mpmath.mpf(1) if A > 0 else mpmath.mpf(0)
                    e, ed = expect.pair_mp(A, B, rho)
                else:
                    # AB − C² = a²Σ_{j<k}(u_j v_k − u_k v_j)² + a b²Σ(u_j − v_j)² (exact sums over kept inputs); ρ
                    # and the expectations get log10(AB/(AB − C²)) extra digits, so that 1 − ρ² keeps dps digits
                    # for nearly colinear rows at any input scale (a single kept input: exactly ±1)
                    kept = [k for k in range(d) if m[k]]
                    lag = mpmath.fsum((u[p] * v[q] - u[q] * v[p]) ** 2 for p in kept for q in kept if p < q)
                    gram = a * a * lag + a * b2 * mpmath.fsum((u[k] - v[k]) ** 2 for k in kept)
                    extra = 0 if gram == 0 or A * B == 0 else max(0, int(mpmath.log10(A * B / gram)) + 5)
                    with mpmath.workdps(mpmath.mp.dps + extra):  # Λ_m again, so that σ_b² is not rounded away
                        A, B, C = a * s(u, u, m) + b2, a * s(v, v, m) + b2, a * s(u, v, m) + b2
                        den = mpmath.sqrt(A * B)
                        rho = mpmath.mpf(0) if den == 0 else (C / den if gram != 0 else mpmath.sign(C))
                        e, ed = expect.pair_mp(A, B, rho)
                    e, ed = +e, +ed
                e_sum.append(w * e)
                p_sum.append(w * (g * s12 + b2) * ed)
            E, P = mpmath.fsum(e_sum), mpmath.fsum(p_sum)
            cache[(i, j)] = (al * w2 * E + b2, be * w2 * E + b2 + ga * w2 * P)
            return cache[(i, j)]

        # the state is computed at dps + 10 digits and handed to the recursion at dps
        return mlp_kernels_mp(x1, x2, depth=depth, sigma_w=sigma_w, sigma_b=sigma_b, expect=expect, dps=dps,
                              factors=factors, start=(pair, ea, eb))
