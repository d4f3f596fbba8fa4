r"""Pruning before training: the signal-plus-noise patch model and a randomly pruned two-layer network trained by
full-batch GD on the logistic loss (Yang, Liang, Guo, Wu, Wang, "Pruning Before Training May Improve
Generalization, Provably", arXiv 2301.00335 / JMLR 26(84) 2025; docs: ``docs/theory/pruning_before_training.md``).

Data (two patches of dimension d; reconstructed from the benign-overfitting set-up of Cao et al. 2022)::

    y ~ Unif{±1},   x = [x⁽¹⁾, x⁽²⁾] = [y·μ, ξ],   μ = ‖μ‖·e₁,   ξ ~ N(0, σ_p² (I − e₁e₁ᵀ))

Network (class j ∈ {+1, −1}, m neurons per class, a fixed Bernoulli(1 − p) mask M_{j,r} per neuron)::

    f(W, x) = F₊₁(W₊₁, x) − F₋₁(W₋₁, x),   F_j = (1/m) Σ_r Σ_{p=1,2} σ(⟨w_{j,r} ⊙ M_{j,r}, x⁽ᵖ⁾⟩),
    σ(z) = max(0, z)^q   (q = 1: ReLU; q > 2: the polynomial ReLU of Cao et al.)

trained by full-batch GD on L(W) = (1/n) Σ_i log(1 + exp(−y_i f(W, x_i))) from w ~ N(0, σ₀² I); the gradient only
moves unmasked weights. The record holds, per logged step, the training loss, the test error on fresh samples, the
signal-learning coefficient max_{j,r} ⟨w_{j,r} ⊙ M_{j,r}, j·μ⟩ and the noise-memorisation coefficient
max_{j,r,i} ⟨w_{j,r} ⊙ M_{j,r}, ξ_i⟩.

Why pruning can help: a neuron sees ``(1 − p)(d − 1)`` noise coordinates, so the noise it can memorise has energy
E‖M ⊙ ξ‖² = (1 − p) σ_p² (d − 1) (:func:`effective_noise_dim`), while a neuron that keeps coordinate 1 keeps the
whole signal. Once (1 − p)·m ≲ 1 no neuron keeps the signal and the network can only memorise noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from .._validation import check_int, check_probability, check_real, resolve_device

__all__ = [
    "SignalNoiseData", "signal_noise_data", "PrunedTwoLayerNet", "PBTRecord", "train_pruned_two_layer",
    "effective_noise_dim", "effective_noise_dim_monte_carlo", "bernoulli_mask",
]


# --------------------------------------------------------------------------------------------------- data
@dataclass(frozen=True)
class SignalNoiseData:
    """A sample of the signal-plus-noise patch model.

    Attributes:
        y: labels in {±1}, shape [n].
        signal: the signal patches y_i·μ, shape [n, d].
        noise: the noise patches ξ_i, shape [n, d] (first coordinate exactly 0).
        mu: the signal vector μ = ‖μ‖·e₁, shape [d].
    """

    y: torch.Tensor
    signal: torch.Tensor
    noise: torch.Tensor
    mu: torch.Tensor

    @property
    def n(self) -> int:
        return int(self.y.shape[0])

    def restricted(self, columns: torch.Tensor) -> SignalNoiseData:
        """The same samples with only the coordinates ``columns`` (for a network whose mask is 0 elsewhere)."""
        return SignalNoiseData(y=self.y, signal=self.signal[:, columns], noise=self.noise[:, columns],
                               mu=self.mu[columns])


def signal_noise_data(n: int, d: int, mu_norm: float, sigma_p: float, seed: int,
                      device: str | torch.device | None = None) -> SignalNoiseData:
    r"""Draw n samples of the patch model: y ~ Unif{±1}, x = [y·μ, ξ], μ = ‖μ‖e₁, ξ ~ N(0, σ_p²(I − e₁e₁ᵀ)).

    Args:
        n: number of samples (≥ 1).
        d: patch dimension (≥ 2).
        mu_norm: ‖μ‖ (> 0).
        sigma_p: noise standard deviation σ_p (> 0).
        seed: seed of the CPU ``torch.Generator`` every draw comes from (same seed → same sample on every device).
        device: where the tensors live (CPU default).

    Returns:
        The :class:`SignalNoiseData` (float64).

    Raises:
        ValueError/TypeError: a non-positive n, d < 2, a non-positive ‖μ‖ or σ_p, a bad seed.
    """
    n = check_int("n", n, minimum=1)
    d = check_int("d", d, minimum=2)
    mu_norm = check_real("mu_norm", mu_norm, minimum=0.0, min_inclusive=False)
    sigma_p = check_real("sigma_p", sigma_p, minimum=0.0, min_inclusive=False)
    seed = check_int("seed", seed, minimum=0)
    dev = resolve_device(device)
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g).to(torch.float64) * 2 - 1
    mu = torch.zeros(d, dtype=torch.float64)
    mu[0] = mu_norm
    noise = sigma_p * torch.randn(n, d, generator=g, dtype=torch.float64)
    noise[:, 0] = 0.0  # the covariance σ_p²(I − μμᵀ/‖μ‖²) projects out the signal direction
    return SignalNoiseData(y=y.to(dev), signal=(y[:, None] * mu[None, :]).to(dev), noise=noise.to(dev), mu=mu.to(dev))


# --------------------------------------------------------------------------------------------------- network
def bernoulli_mask(shape: tuple[int, ...], p: float, generator: torch.Generator) -> torch.Tensor:
    """A float64 0/1 mask whose entries are kept (1) independently with probability 1 − p."""
    p = check_probability("p", p)
    return (torch.rand(*shape, generator=generator, dtype=torch.float64) >= p).to(torch.float64)


class PrunedTwoLayerNet:
    r"""The two-layer patch network f = F₊₁ − F₋₁ with a fixed per-neuron Bernoulli(1 − p) mask.

    Weights ``w`` and mask ``mask`` have shape [2, m, d]; index 0 is class +1, index 1 class −1.

    Args:
        d: patch dimension.
        m: neurons per class.
        p: pruning probability in [0, 1): each weight is kept independently with probability 1 − p.
        q: activation exponent, σ(z) = max(0, z)^q (q ≥ 1; q = 1 is ReLU).
        sigma0: standard deviation of the Gaussian initialisation (> 0).
        seed: seed of the CPU generator for weights and mask.
        mask: an explicit 0/1 mask of shape [2, m, d] instead of a Bernoulli draw (then ``p`` is only recorded).
        device: torch device (CPU default).

    Raises:
        ValueError/TypeError: p outside [0, 1), q < 1, a mask of the wrong shape or with entries other than 0/1.
    """

    def __init__(self, d: int, m: int, p: float, *, q: float = 3.0, sigma0: float = 0.01, seed: int = 0,
                 mask: torch.Tensor | None = None, device: str | torch.device | None = None) -> None:
        self.d = check_int("d", d, minimum=2)
        self.m = check_int("m", m, minimum=1)
        self.p = check_probability("p", p)
        self.q = check_real("q", q, minimum=1.0)
        self.sigma0 = check_real("sigma0", sigma0, minimum=0.0, min_inclusive=False)
        seed = check_int("seed", seed, minimum=0)
        self.device = resolve_device(device)
        g = torch.Generator().manual_seed(seed)
        self.w = (self.sigma0 * torch.randn(2, self.m, self.d, generator=g, dtype=torch.float64)).to(self.device)
        if mask is None:
            self.mask = bernoulli_mask((2, self.m, self.d), self.p, g).to(self.device)
        else:
            if not isinstance(mask, torch.Tensor):
                raise TypeError(f"mask must be a torch.Tensor, got {type(mask).__name__}")
            if tuple(mask.shape) != (2, self.m, self.d):
                raise ValueError(f"mask must have shape (2, m, d) = (2, {self.m}, {self.d}), got {tuple(mask.shape)}")
            if not bool(((mask == 0) | (mask == 1)).all()):
                raise ValueError("mask must hold only 0 and 1")
            self.mask = mask.to(device=self.device, dtype=torch.float64)
        self.w = self.w * self.mask  # pruned weights are 0 from the start and never move
        self.signs = torch.tensor([1.0, -1.0], dtype=torch.float64, device=self.device)

    def restricted(self, columns: torch.Tensor) -> PrunedTwoLayerNet:
        """A copy that keeps only the coordinates ``columns`` (exact when every other column of the mask is 0)."""
        other = object.__new__(PrunedTwoLayerNet)
        other.__dict__.update(self.__dict__)
        other.w, other.mask, other.d = self.w[..., columns], self.mask[..., columns], int(columns.numel())
        return other

    @property
    def effective(self) -> torch.Tensor:
        """w ⊙ M, shape [2, m, d]."""
        return self.w * self.mask

    def activation(self, z: torch.Tensor) -> torch.Tensor:
        return torch.clamp(z, min=0.0) ** self.q

    def activation_grad(self, z: torch.Tensor) -> torch.Tensor:
        if self.q == 1.0:
            return (z > 0).to(z.dtype)
        return self.q * torch.clamp(z, min=0.0) ** (self.q - 1.0)

    def preactivations(self, signal: torch.Tensor, noise: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """⟨w_{j,r} ⊙ M_{j,r}, x⁽ᵖ⁾_i⟩ for both patches, each of shape [2, m, n]."""
        we = self.effective
        return we @ signal.T, we @ noise.T

    def forward(self, signal: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """f(W, x_i) for every sample, shape [n]."""
        a_s, a_n = self.preactivations(signal, noise)
        per_class = (self.activation(a_s) + self.activation(a_n)).mean(dim=1)  # (1/m) Σ_r, shape [2, n]
        return self.signs @ per_class

    def loss_and_grad(self, data: SignalNoiseData) -> tuple[float, torch.Tensor, torch.Tensor]:
        """Logistic loss (1/n) Σ log(1 + e^{−y f}), its gradient in w (masked) and the outputs f."""
        we = self.effective
        along = we @ data.mu  # ⟨w ⊙ M, μ⟩, shape [2, m]; the signal patch of sample i is y_i·μ
        a_s = along[:, :, None] * data.y[None, None, :]
        a_n = we @ data.noise.T
        f = self.signs @ (self.activation(a_s) + self.activation(a_n)).mean(dim=1)
        margin = data.y * f
        loss = float(torch.logaddexp(torch.zeros_like(margin), -margin).mean())
        g = -data.y * torch.sigmoid(-margin) / data.n  # dL/df_i
        coef = self.signs[:, None, None] * g[None, None, :] / self.m  # dL/dσ(·) for neuron (j, r), sample i
        grad = ((coef * self.activation_grad(a_s)) @ data.y)[:, :, None] * data.mu  # Σ_i c_i σ'(·) y_i μ
        grad = grad + (coef * self.activation_grad(a_n)) @ data.noise
        return loss, grad * self.mask, f

    def coefficients(self, data: SignalNoiseData) -> tuple[float, float]:
        """(signal learning, noise memorisation): max_{j,r} ⟨w ⊙ M, j·μ⟩ and max_{j,r,i} ⟨w ⊙ M, ξ_i⟩."""
        we = self.effective
        signal = float((self.signs[:, None] * (we @ data.mu)).max())
        noise = float((we @ data.noise.T).max())
        return signal, noise

    def error(self, data: SignalNoiseData) -> float:
        """Classification error of sign f on ``data`` (a tie f = 0 counts as half an error)."""
        f = self.forward(data.signal, data.noise)
        wrong = (torch.sign(f) != data.y).to(torch.float64)
        wrong = torch.where(f == 0, torch.full_like(wrong, 0.5), wrong)
        return float(wrong.mean())


# --------------------------------------------------------------------------------------------------- training
@dataclass
class PBTRecord:
    """What :func:`train_pruned_two_layer` logs (lists indexed by logged step)."""

    steps: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    train_error: list[float] = field(default_factory=list)
    test_error: list[float] = field(default_factory=list)
    signal: list[float] = field(default_factory=list)
    noise: list[float] = field(default_factory=list)
    signal_neurons: int = 0
    lr: float = 0.0

    @property
    def final(self) -> dict:
        """The last logged values."""
        return {"step": self.steps[-1], "loss": self.loss[-1], "train_error": self.train_error[-1],
                "test_error": self.test_error[-1], "signal": self.signal[-1], "noise": self.noise[-1],
                "signal_neurons": self.signal_neurons}

    def to_json(self) -> dict:
        return {"steps": self.steps, "loss": self.loss, "train_error": self.train_error,
                "test_error": self.test_error, "signal": self.signal, "noise": self.noise,
                "signal_neurons": self.signal_neurons, "lr": self.lr}


def train_pruned_two_layer(net: PrunedTwoLayerNet, train: SignalNoiseData, test: SignalNoiseData, *, lr: float,
                           steps: int, record_every: int = 1, stop_loss: float | None = None) -> PBTRecord:
    r"""Full-batch GD w ← w − η ∇L(w) (masked) on the logistic loss; logs loss, test error and both coefficients.

    Args:
        net: the network, trained in place.
        train: the training sample.
        test: fresh samples for the test error.
        lr: learning rate η (> 0).
        steps: maximum number of GD steps (≥ 0).
        record_every: log every this many steps (and always the first and the last step).
        stop_loss: stop as soon as the training loss falls below this value (``None``: run all ``steps``).

    Returns:
        The :class:`PBTRecord`.

    Raises:
        ValueError/TypeError: non-positive lr, negative steps, record_every < 1, a sample whose dimension differs
            from the network's, or a training loss that turns non-finite (lr too large).
    """
    lr = check_real("lr", lr, minimum=0.0, min_inclusive=False)
    steps = check_int("steps", steps, minimum=0)
    record_every = check_int("record_every", record_every, minimum=1)
    if stop_loss is not None:
        stop_loss = check_real("stop_loss", stop_loss, minimum=0.0, min_inclusive=False)
    for name, data in (("train", train), ("test", test)):
        if not isinstance(data, SignalNoiseData):
            raise TypeError(f"{name} must be a SignalNoiseData, got {type(data).__name__}")
        if data.noise.shape[1] != net.d:
            raise ValueError(f"{name} has patch dimension {data.noise.shape[1]}, the network {net.d}")
    rec = PBTRecord(lr=lr, signal_neurons=int(net.mask[..., 0].sum()))
    # Coordinates no neuron keeps never enter f or the gradient: train on the others only (exact, and 3–5× faster
    # at p ≥ 0.98), then write the weights back.
    columns = torch.nonzero(net.mask.sum(dim=(0, 1)) > 0).reshape(-1)
    full, net = net, net.restricted(columns)
    train, test = train.restricted(columns), test.restricted(columns)

    def log(k: int, loss: float, f: torch.Tensor) -> None:
        s, z = net.coefficients(train)
        wrong = torch.where(f == 0, torch.full_like(f, 0.5), (torch.sign(f) != train.y).to(f.dtype))
        rec.steps.append(k)
        rec.loss.append(loss)
        rec.train_error.append(float(wrong.mean()))
        rec.test_error.append(net.error(test))
        rec.signal.append(s)
        rec.noise.append(z)

    for k in range(steps + 1):
        loss, grad, f = net.loss_and_grad(train)
        if not math.isfinite(loss):
            raise ValueError(f"training loss became {loss} at step {k}: lr={lr:g} is too large")
        done = k == steps or (stop_loss is not None and loss < stop_loss)
        if k % record_every == 0 or done:
            log(k, loss, f)
        if done:
            break
        net.w = net.w - lr * grad
    full.w = torch.zeros_like(full.w)
    full.w[..., columns] = net.w
    return rec


# --------------------------------------------------------------------------------------------------- dimension
def effective_noise_dim(p: float, sigma_p: float, d: int) -> float:
    r"""E‖M ⊙ ξ‖² = (1 − p) σ_p² (d − 1): the noise energy one pruned neuron sees.

    ξ ~ N(0, σ_p²(I − e₁e₁ᵀ)) has d − 1 coordinates of variance σ_p², and M keeps each with probability 1 − p,
    independently of ξ, so E Σ_k M_k ξ_k² = Σ_{k≥2} (1 − p) σ_p².

    Args:
        p: pruning probability in [0, 1).
        sigma_p: noise standard deviation (> 0).
        d: patch dimension (≥ 2).

    Returns:
        (1 − p) σ_p² (d − 1).
    """
    p = check_probability("p", p)
    sigma_p = check_real("sigma_p", sigma_p, minimum=0.0, min_inclusive=False)
    d = check_int("d", d, minimum=2)
    return (1.0 - p) * sigma_p**2 * (d - 1)


def effective_noise_dim_monte_carlo(p: float, sigma_p: float, d: int, samples: int, seed: int) -> tuple[float, float]:
    """Monte Carlo estimate of E‖M ⊙ ξ‖² from ``samples`` independent (mask row, noise patch) pairs.

    Draws the mask with :func:`bernoulli_mask` and the noise with :func:`signal_noise_data` (the samplers the
    training uses), so the check covers them.

    Returns:
        (mean, standard error of the mean).
    """
    samples = check_int("samples", samples, minimum=2)
    seed = check_int("seed", seed, minimum=0)
    data = signal_noise_data(samples, d, 1.0, sigma_p, seed)
    mask = bernoulli_mask((samples, d), p, torch.Generator().manual_seed(seed + 1))
    energy = ((mask * data.noise) ** 2).sum(dim=1)
    return float(energy.mean()), float(energy.std() / math.sqrt(samples))
