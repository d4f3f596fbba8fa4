"""An independent reference for the graphon kernels: the backward form of the recursion on whole [K, n1, n2] tensors.

Forward Σ̃^{(l)}(v) for every layer (stored), then the back-propagated G^{(l)}(v) from the readout down and
Θ = Σ_l ∫ G^{(l)}(v) Σ̃^{(l)}(v) dv (Pham et al., NeurIPS 2025, Thm. 1; docs/theory/graphon.md). The engine instead
carries Θ̃^{(l)}(v) forward in row blocks; the two agree only if both unrollings are right. Memory K·n1·n2 per
layer: for small inputs only. (This was the package's implementation before the blocked engine.)
"""

from __future__ import annotations

import torch

from theorycheck.kernels.recursion import correlations_, variance_stats


def _expectations(c, qa, qb, expect, sym):
    sa, sb = variance_stats(qa, expect), variance_stats(qb, expect)
    rs = {k: v[:, :, None] for k, v in sa.items()}
    cs = {k: v[:, None, :] for k, v in sb.items()}
    rho, dot = torch.empty_like(c), torch.empty_like(c)
    work = [torch.empty_like(c) for _ in range(3)]
    correlations_(c, rs, cs, rho, work[0], work[1])
    if sym:
        rho.diagonal(dim1=1, dim2=2).fill_(1.0)
    expect.block(rho, rs, cs, dot, work)
    return rho, dot


def graphon_kernels_reference(x1, x2, graphons, *, sigma_w, sigma_b, expect):
    """(nngp, ntk) of the graphon recursion; ``graphons`` as for the engine: [K, d], [K, K]…, [1, K]."""
    sym = x2 is None
    xb = x1 if sym else x2
    d = x1.shape[1]
    w2, b2 = sigma_w**2, sigma_b**2
    depth = len(graphons) - 1
    w_in = graphons[0]
    c = w2 * torch.einsum("vj,aj,bj->vab", w_in, x1, xb) / d + b2
    qa = w2 * (w_in @ (x1 * x1).T) / d + b2
    qb = qa if sym else w2 * (w_in @ (xb * xb).T) / d + b2
    sigmas, edots = [c], []
    for layer in range(1, depth + 1):
        e, ed = _expectations(sigmas[-1], qa, qb, expect, sym)
        edots.append(ed)
        wl = graphons[layer]
        k_in = wl.shape[1]
        sigmas.append(w2 * torch.einsum("vu,uab->vab", wl, e) / k_in + b2)
        ea = expect.diag(qa.reshape(-1)).reshape(qa.shape)
        eb = ea if sym else expect.diag(qb.reshape(-1)).reshape(qb.shape)
        qa = w2 * (wl @ ea) / k_in + b2
        qb = qa if sym else w2 * (wl @ eb) / k_in + b2
    nngp = sigmas[-1][0]
    ntk = sigmas[-1][0].clone()  # readout term: G^{(L+1)} ≡ 1
    g = None
    for layer in range(depth, 0, -1):
        w_next = graphons[layer]
        if g is None:
            g = w2 * w_next[0][:, None, None] * edots[layer - 1]
        else:
            g = w2 * edots[layer - 1] * torch.einsum("wv,wab->vab", w_next, g) / w_next.shape[0]
        ntk += (g * sigmas[layer - 1]).mean(dim=0)
    return nngp, ntk
