r"""A one-layer softmax-attention transformer learning word co-occurrence, trained by full-batch gradient descent.

Yang, Kailkhura, Wang, Liang, "Training Dynamics of Transformers to Recognize Word Co-occurrence via Gradient Flow
Analysis" (NeurIPS 2024, arXiv 2410.09605); docs ``docs/theory/transformer_cooccurrence.md``.

**Data (Def. 2.1).** Orthonormal token embeddings μ_1..μ_d (the standard basis of R^d). Every sequence X ∈ R^{d×L}
holds the common token μ_3 at a random position; type 1 (proportion 1/2, y = +1) also holds μ_1 and μ_2, type 2 only
μ_1, type 3 only μ_2, type 4 neither (each 1/6, y = −1), at distinct random positions; the other positions hold
tokens from μ_4..μ_d (all distinct across the training set when n·L ≤ d − 3, Assumption 2.3(ii); drawn uniformly with
replacement otherwise).

**Model.** F(X) = Σ_l Σ_j a_j w_jᵀ W_V X softmax(Xᵀ W_Kᵀ W_Q x_l / √m), W_Q, W_K, W_V ∈ R^{m×d}, W ∈ R^{m1×m},
a_j = ±1 fixed; logistic loss L = (1/n) Σ_i log(1 + e^{−y_i F_i}); g(z) = 1/(1 + e^z). Initialisation ``"theory"``:
W ~ N(0, 1/m1), W_{Q,K,V} ~ N(0, 1/(L m)) (σ1 = 1/√m1, σ0 = 1/√(Lm), the paper's scalings without logs);
``"kaiming"``: PyTorch's default ``kaiming_uniform_(a=√5)`` of a linear layer, U(±1/√fan_in) (the paper's experiment,
App. A, says "Kaiming init").

**Tracked quantities (the proof's closed system).** G(μ) = Σ_j a_j w_jᵀ W_V μ, the attention scores
μ_aᵀ W_Kᵀ W_Q μ_b (key a, query b) and value correlations μ_aᵀ W_Vᵀ W_V μ_b for a, b ∈ {1, 2, 3}, per-type losses,
the sums Σ_{I_k} g_i, the balancing ratios Σ_{I2} g/Σ_{I3} g and R = (Σ_{I2∪I3∪I4} g − Σ_{I1} g)/(Σ_{I1} g − Σ_{I2} g),
the margins y_i F_i and ‖Σ_j a_j w_j‖², whose flow is (2 m1/n) Σ_i g_i y_i F_i exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from .._validation import check_int, check_real, resolve_device

__all__ = ["CooccurrenceData", "make_cooccurrence_data", "CooccurrenceTransformer", "analytic_gradients",
           "Recorder", "train_cooccurrence", "TYPES", "INITS", "PARAMETERS"]

TYPES = (1, 2, 3, 4)
INITS = ("theory", "kaiming")


@dataclass(frozen=True)
class CooccurrenceData:
    """``x`` [n, d, L] one-hot sequences (float64), labels ``y`` [n] in {±1}, sample ``types`` [n] in 1..4."""

    x: torch.Tensor
    y: torch.Tensor
    types: torch.Tensor
    distinct_irrelevant: bool

    @property
    def n(self) -> int:
        return self.x.shape[0]

    @property
    def d(self) -> int:
        return self.x.shape[1]

    @property
    def L(self) -> int:  # noqa: N802 - the paper's symbol
        return self.x.shape[2]


def make_cooccurrence_data(n: int, L: int, d: int, seed: int, *, device: str | torch.device | None = None,  # noqa: N803
                           ) -> CooccurrenceData:
    """The training set of Def. 2.1 with the exact proportions of Assumption 2.3(i): n/2 type 1, n/6 of each other.

    Args:
        n: number of sequences, a positive multiple of 6.
        L: sequence length, ≥ 3 (type 1 holds μ_1, μ_2 and μ_3 at distinct positions).
        d: number of tokens / embedding dimension, ≥ 4.
        seed: seed.
        device: torch device.

    Returns:
        :class:`CooccurrenceData` (token i is the basis vector e_{i−1}: μ_1, μ_2, μ_3 are rows 0, 1, 2).

    Raises:
        ValueError: if n is not a positive multiple of 6, L < 3 (a sequence length below 2 included) or d < 4.
    """
    n = check_int("n", n, minimum=1)
    if n % 6:
        raise ValueError(f"n must be a positive multiple of 6 (exact proportions 1/2, 1/6, 1/6, 1/6), got {n}")
    L = check_int("L", L, minimum=3)  # noqa: N806
    d = check_int("d", d, minimum=4)
    rng = np.random.default_rng([check_int("seed", seed, minimum=0), 21])
    types = np.array([1] * (n // 2) + [2] * (n // 6) + [3] * (n // 6) + [4] * (n // 6))
    distinct = n * L <= d - 3
    pool = rng.permutation(np.arange(3, d)) if distinct else None
    used = 0
    tokens = np.empty((n, L), dtype=np.int64)
    for i, t in enumerate(types):
        special = [2] + ([0] if t in (1, 2) else []) + ([1] if t in (1, 3) else [])
        pos = rng.permutation(L)
        rest = L - len(special)
        if distinct:
            fill = pool[used:used + rest]
            used += rest
        else:
            fill = rng.integers(3, d, size=rest)
        seq = np.empty(L, dtype=np.int64)
        seq[pos[: len(special)]] = special
        seq[pos[len(special):]] = fill
        tokens[i] = seq
    x = np.zeros((n, d, L))
    x[np.arange(n)[:, None], tokens, np.arange(L)[None, :]] = 1.0
    dev = resolve_device(device)
    return CooccurrenceData(x=torch.tensor(x, device=dev), y=torch.tensor(np.where(types == 1, 1.0, -1.0), device=dev),
                            types=torch.tensor(types, device=dev), distinct_irrelevant=distinct)


class CooccurrenceTransformer:
    """One softmax-attention layer and a linear MLP with fixed ±1 output weights (float64).

    Args:
        d: embedding dimension.
        m: attention width (rows of W_Q, W_K, W_V).
        m1: MLP width (rows of W).
        L: sequence length (enters the ``"theory"`` initialisation σ0 = 1/√(L m)).
        seed: seed of the initialisation and of a.
        init: ``"theory"`` or ``"kaiming"`` (see the module docstring).
        init_scale: multiplies σ0 and σ1 (the Θ̃ of the theory hides log factors that make the start smaller).
        device: torch device.

    Raises:
        ValueError: for sizes < 1 or an unknown ``init``.
    """

    def __init__(self, d: int, m: int, m1: int, L: int, seed: int, *, init: str = "theory",  # noqa: N803
                 init_scale: float = 1.0, device: str | torch.device | None = None) -> None:
        self.d, self.m, self.m1 = check_int("d", d, minimum=1), check_int("m", m, minimum=1), check_int("m1", m1,
                                                                                                      minimum=1)
        L = check_int("L", L, minimum=1)  # noqa: N806
        if not isinstance(init, str) or init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}")
        dev = resolve_device(device)
        gen = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
        scale = check_real("init_scale", init_scale, minimum=0.0, min_inclusive=False)
        if init == "theory":
            s0, s1 = scale / math.sqrt(L * m), scale / math.sqrt(m1)
        else:
            s0, s1 = scale / math.sqrt(3.0 * d), scale / math.sqrt(3.0 * m)  # std of U(±1/√fan_in)
        self.sigma0, self.sigma1 = s0, s1

        def draw(*shape, std):
            if init == "theory":
                return (torch.randn(*shape, generator=gen, dtype=torch.float64) * std).to(dev)
            return ((torch.rand(*shape, generator=gen, dtype=torch.float64) * 2 - 1) * std * math.sqrt(3)).to(dev)

        self.wq, self.wk, self.wv = draw(m, d, std=s0), draw(m, d, std=s0), draw(m, d, std=s0)
        self.w = draw(m1, m, std=s1)
        self.a = (torch.randint(0, 2, (m1,), generator=gen).to(torch.float64) * 2 - 1).to(dev)
        self.init = init

    def parameters(self) -> list[torch.Tensor]:
        """[W_Q, W_K, W_V, W] (a is fixed)."""
        return [self.wq, self.wk, self.wv, self.w]

    def output(self, x: torch.Tensor, params: list[torch.Tensor] | None = None) -> torch.Tensor:
        """F(X) for a batch x [n, d, L] → [n]."""
        wq, wk, wv, w = params if params is not None else self.parameters()
        q, k, v = (torch.einsum("md,ndl->nml", p, x) for p in (wq, wk, wv))
        s = torch.einsum("nmi,nmj->nij", k, q) / math.sqrt(self.m)  # s[i, j] = x_iᵀ W_Kᵀ W_Q x_j / √m
        attn = torch.softmax(s, dim=1)  # column j: softmax over keys i for query j
        z = w.T @ self.a
        return torch.einsum("m,nml,nl->n", z, v, attn.sum(dim=2))

    def loss(self, x: torch.Tensor, y: torch.Tensor, params: list[torch.Tensor] | None = None) -> torch.Tensor:
        """Mean logistic loss (1/n) Σ log(1 + exp(−y F))."""
        return torch.nn.functional.softplus(-y * self.output(x, params)).mean()


def analytic_gradients(model: CooccurrenceTransformer, x: torch.Tensor, y: torch.Tensor) -> list[torch.Tensor]:
    r"""∂L/∂(W_Q, W_K, W_V, W) in closed form (the independent route to autograd).

    With e = V^T z (e_i = zᵀ W_V x_i), P the column-softmax of S = Kᵀ Q/√m and c = X P 1:
    ∂F/∂W = a (W_V c)ᵀ, ∂F/∂W_V = z cᵀ, ∂F/∂S_{:,l} = p_l ⊙ (e − (eᵀ p_l) 1), ∂F/∂W_Q = K (∂F/∂S) Xᵀ/√m,
    ∂F/∂W_K = Q (∂F/∂S)ᵀ Xᵀ/√m; then ∂L/∂θ = −(1/n) Σ_i g(y_i F_i) y_i ∂F_i/∂θ.
    """
    wq, wk, wv, w = model.parameters()
    z = w.T @ model.a
    q, k, v = (torch.einsum("md,ndl->nml", p, x) for p in (wq, wk, wv))
    s = torch.einsum("nmi,nmj->nij", k, q) / math.sqrt(model.m)
    p = torch.softmax(s, dim=1)
    c = torch.einsum("ndi,ni->nd", x, p.sum(dim=2))  # X P 1
    f = c @ wv.T @ z
    coef = -torch.sigmoid(-y * f) * y / x.shape[0]  # −g_i y_i / n
    e = torch.einsum("nmi,m->ni", v, z)
    ds = p * (e[:, :, None] - torch.einsum("ni,nij->nj", e, p)[:, None, :])  # ∂F/∂S, [n, i, j]
    ds = ds * coef[:, None, None]
    gw = torch.outer(model.a, wv @ (coef @ c))
    gwv = torch.outer(z, coef @ c)
    gq = torch.einsum("nmi,nij,ndj->md", k, ds, x) / math.sqrt(model.m)
    gk = torch.einsum("nmj,nij,ndi->md", q, ds, x) / math.sqrt(model.m)
    return [gq, gk, gwv, gw]


@dataclass
class Recorder:
    """The coupled quantities of the proof, recorded every ``every`` steps (lists of floats / nested lists)."""

    every: int
    steps: list[int] = field(default_factory=list)
    G: list[list[float]] = field(default_factory=list)  # noqa: N815 - G(μ_1), G(μ_2), G(μ_3)
    scores: list[list[list[float]]] = field(default_factory=list)  # [a][b] = μ_aᵀ W_Kᵀ W_Q μ_b, a, b ∈ {1, 2, 3}
    values: list[list[list[float]]] = field(default_factory=list)  # [a][b] = μ_aᵀ W_Vᵀ W_V μ_b
    loss: list[float] = field(default_factory=list)
    type_loss: list[list[float]] = field(default_factory=list)  # per type 1..4
    g_sums: list[list[float]] = field(default_factory=list)  # Σ_{I_k} g_i, k = 1..4
    min_margin: list[float] = field(default_factory=list)  # min_i y_i F_i
    z_norm2: list[float] = field(default_factory=list)  # ‖Σ_j a_j w_j‖²

    def record(self, step: int, model: CooccurrenceTransformer, data: CooccurrenceData) -> None:
        with torch.no_grad():
            wq, wk, wv, w = model.parameters()
            z = w.T @ model.a
            self.steps.append(step)
            self.G.append((z @ wv[:, :3]).tolist())
            self.scores.append((wk[:, :3].T @ wq[:, :3]).tolist())
            self.values.append((wv[:, :3].T @ wv[:, :3]).tolist())
            f = model.output(data.x)
            margin = data.y * f
            losses = torch.nn.functional.softplus(-margin)
            g = torch.sigmoid(-margin)
            self.loss.append(float(losses.mean()))
            self.type_loss.append([float(losses[data.types == t].mean()) for t in TYPES])
            self.g_sums.append([float(g[data.types == t].sum()) for t in TYPES])
            self.min_margin.append(float(margin.min()))
            self.z_norm2.append(float(z @ z))

    def as_dict(self) -> dict:
        """Picklable plain data."""
        return {k: getattr(self, k) for k in ("every", "steps", "G", "scores", "values", "loss", "type_loss",
                                                "g_sums", "min_margin", "z_norm2")}


PARAMETERS = ("wq", "wk", "wv", "w")


def train_cooccurrence(model: CooccurrenceTransformer, data: CooccurrenceData, *, lr: float, epochs: int,
                       record_every: int = 10, trainable: tuple[str, ...] = PARAMETERS) -> Recorder:
    """Full-batch gradient descent θ ← θ − lr ∇L on (W_Q, W_K, W_V, W) for ``epochs`` steps (a forward-Euler
    discretisation of the gradient flow), recording every ``record_every`` steps and at the end.

    Args:
        model: the model (trained in place).
        data: the training set.
        lr: step size.
        epochs: number of full-batch steps.
        record_every: recording interval.
        trainable: which of ``("wq", "wk", "wv", "w")`` move (``("wv", "w")``: attention frozen at its start).

    Raises:
        ValueError: if lr ≤ 0, epochs < 1, record_every < 1, an unknown parameter name is given, or the data's
            dimension differs from the model's.
    """
    lr = check_real("lr", lr, minimum=0.0, min_inclusive=False)
    epochs = check_int("epochs", epochs, minimum=1)
    record_every = check_int("record_every", record_every, minimum=1)
    if data.d != model.d:
        raise ValueError(f"data has d = {data.d} tokens but the model was built for d = {model.d}")
    bad = [t for t in trainable if t not in PARAMETERS]
    if bad or not trainable:
        raise ValueError(f"trainable must be a non-empty subset of {PARAMETERS}, got {trainable!r}")
    rec = Recorder(every=record_every)
    params = [p for name, p in zip(PARAMETERS, model.parameters()) if name in trainable]
    for p in params:
        p.requires_grad_(True)
    for step in range(epochs + 1):
        if step % record_every == 0 or step == epochs:
            rec.record(step, model, data)
        if step == epochs:
            break
        loss = model.loss(data.x, data.y)
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p -= lr * g
    for p in params:
        p.requires_grad_(False)
    return rec
