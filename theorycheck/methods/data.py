"""Workloads of the sparse-method claims: scikit-learn digits split and scaled to [0, 1], the planted
classification task of RelChaNet, and an SVC scorer for selected features. Everything is seeded; nothing is
downloaded (digits ship with scikit-learn). Docs: ``docs/theory/beyond_kernel.md``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._validation import check_int, check_real
from ..data import digits_arrays

__all__ = ["digits_split", "planted_classification", "svc_accuracy", "random_subsets_accuracy"]


def digits_split(seed: int, test_size: float = 0.25) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 1797 scikit-learn 8×8 digits with pixels scaled to [0, 1] (÷16), split at random (stratified) into
    training and test sets. Returns (x_train, y_train, x_test, y_test) as numpy arrays (float64, int)."""
    from sklearn.model_selection import train_test_split

    seed = check_int("seed", seed, minimum=0, maximum=2**32 - 1)
    test_size = check_real("test_size", test_size, minimum=0.0, maximum=1.0, min_inclusive=False,
                           max_inclusive=False)
    pixels, _, target = digits_arrays()
    xtr, xte, ytr, yte = train_test_split(pixels / 16.0, target, test_size=test_size, random_state=seed,
                                          stratify=target)
    return xtr, ytr, xte, yte


def planted_classification(seed: int, n: int, d: int, informative: int, test_size: float = 0.2
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """RelChaNet's planted task (``examples/basic.py``): ``make_classification`` with two classes, features
    0..informative−1 informative and the next ``informative`` redundant (linear combinations), the rest noise
    (``shuffle=False``); split 80/20 and min–max scaled on the training set. Returns (x_train, y_train, x_test,
    y_test)."""
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import MinMaxScaler

    seed = check_int("seed", seed, minimum=0, maximum=2**32 - 1)
    d = check_int("d", d, minimum=2)
    informative = check_int("informative", informative, minimum=1, maximum=d // 2)
    x, y = make_classification(n_samples=check_int("n", n, minimum=10), n_features=d, n_informative=informative,
                               n_redundant=informative, n_classes=2, random_state=seed, shuffle=False)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=test_size, random_state=seed)
    scaler = MinMaxScaler().fit(xtr)
    return scaler.transform(xtr), ytr, scaler.transform(xte), yte


def svc_accuracy(xtr: np.ndarray, ytr: np.ndarray, xte: np.ndarray, yte: np.ndarray,
                 features: Sequence[int] | None = None) -> float:
    """Test accuracy of scikit-learn's default ``SVC`` trained on the columns ``features`` (all when ``None``)."""
    from sklearn.svm import SVC

    cols = slice(None) if features is None else np.asarray(features, dtype=int)
    return float(SVC().fit(xtr[:, cols], ytr).score(xte[:, cols], yte))


def random_subsets_accuracy(xtr: np.ndarray, ytr: np.ndarray, xte: np.ndarray, yte: np.ndarray, k: int, repeats: int,
                            seed: int) -> list[float]:
    """:func:`svc_accuracy` on ``repeats`` random subsets of ``k`` features (the random-features baseline)."""
    rng = np.random.default_rng(seed)
    d = xtr.shape[1]
    k = check_int("k", k, minimum=1, maximum=d)
    return [svc_accuracy(xtr, ytr, xte, yte, rng.choice(d, k, replace=False)) for _ in range(repeats)]
