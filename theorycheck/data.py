"""The datasets the package uses that ship inside a PyPI package, so nothing is downloaded at run time.

scikit-learn's handwritten digits (1797 images of 8×8 pixels, values 0…16, ten classes) is the one real dataset: each
family prepares it its own way (centred and normalised for the kernels, pixel/16 images for the CNNs, standardised
for the sparse-training runs), but all read it here, once per process.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["digits_arrays"]


@lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    data = load_digits()
    arrays = (np.asarray(data.data, dtype=np.float64), np.asarray(data.images, dtype=np.float64),
              np.asarray(data.target, dtype=np.int64))
    for a in arrays:
        a.setflags(write=False)  # shared by every caller in the process: nobody may change it in place
    return arrays


def digits_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's digits as read-only arrays, loaded once per process.

    Returns:
        ``(pixels, images, target)``: pixels [1797, 64] float64 (values 0…16), the same as images [1797, 8, 8], and
        the integer labels [1797] (int64, 0…9).
    """
    return _digits()
