"""The protocol's degradation without its noise and JPEG, as matrices: y = A X A^T per channel, with
A = imresize(1/s) @ blur_sigma (the same maths as degrade.py, and as core's degradationMatrix)."""

from __future__ import annotations

import math

import numpy as np

from .degrade import _resize_weights


def blur_matrix(n: int, sigma: float) -> np.ndarray:
    """[n, n]: the protocol's Gaussian blur (2 ceil(3 sigma) + 1 taps, reflect-101 borders); identity for sigma 0."""
    if sigma <= 0:
        return np.eye(n)
    r = math.ceil(3 * sigma)
    x = np.arange(-r, r + 1, dtype=np.float64)
    k = np.exp(-(x ** 2) / (2 * sigma ** 2))
    k /= k.sum()
    m = np.zeros((n, n))
    period = 2 * (n - 1)
    for o in range(n):
        for t in range(2 * r + 1):
            i = (o + t - r) % period
            m[o, i if i < n else period - i] += k[t]
    return m


def down_matrix(n: int, scale: int) -> np.ndarray:
    """[n/scale, n]: MATLAB's antialiased bicubic downscaling."""
    idx, w = _resize_weights(n, int(math.ceil(n / scale)), 1.0 / scale)
    m = np.zeros((idx.shape[0], n))
    for o in range(idx.shape[0]):
        np.add.at(m[o], idx[o], w[o])
    return m


def degradation_matrix(n: int, sigma: float, scale: int = 4) -> np.ndarray:
    return down_matrix(n, scale) @ blur_matrix(n, sigma)
