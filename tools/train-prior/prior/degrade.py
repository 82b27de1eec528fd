"""The evaluation protocol's degradation (../shared/docs/evaluation.md, paper eq. 11):
y = JPEG_q( down_4(x * k_sigma) + n ), with Gaussian blur (kernel 2*ceil(3 sigma)+1, reflect
padding), MATLAB-style antialiased bicubic downscaling, seeded Gaussian noise rounded and clipped
to uint8, and baseline JPEG with 4:2:0 chroma subsampling."""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image


def protocol_case(i: int):
    """(sigma, noise, quality) of case i = 0 (hardest) .. 7 (easiest)."""
    return 3.2 - 0.2 * i, 30 - 30 * i / 7, round(50 + 50 * i / 7)


def gaussian_blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """Separable isotropic Gaussian blur of a float HWC image, reflect (mirror without edge) padding."""
    r = math.ceil(3 * sigma)
    x = np.arange(-r, r + 1, dtype=np.float64)
    k = np.exp(-(x ** 2) / (2 * sigma ** 2))
    k /= k.sum()
    out = img.astype(np.float64)
    for axis in (0, 1):
        pad = [(0, 0)] * out.ndim
        pad[axis] = (r, r)
        padded = np.pad(out, pad, mode="reflect")
        out = sum(k[j] * np.take(padded, np.arange(j, j + out.shape[axis]), axis=axis) for j in range(2 * r + 1))
    return out


def _cubic(x: np.ndarray) -> np.ndarray:
    ax = np.abs(x)
    return ((1.5 * ax ** 3 - 2.5 * ax ** 2 + 1) * (ax <= 1)
            + (-0.5 * ax ** 3 + 2.5 * ax ** 2 - 4 * ax + 2) * ((ax > 1) & (ax <= 2)))


def _resize_weights(in_len: int, out_len: int, scale: float):
    """MATLAB imresize 'bicubic' with antialiasing: (indices [out, P], weights [out, P])."""
    width = 4.0 / scale if scale < 1 else 4.0
    x = np.arange(1, out_len + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1 - 1 / scale)
    left = np.floor(u - width / 2)
    p = int(math.ceil(width)) + 2
    idx = left[:, None] + np.arange(p)[None]
    dist = u[:, None] - idx
    w = scale * _cubic(dist * scale) if scale < 1 else _cubic(dist)
    w /= w.sum(axis=1, keepdims=True)
    idx = idx - 1  # 0-based
    idx = np.where(idx < 0, -idx - 1, idx)  # symmetric padding (edge repeated)
    idx = np.where(idx >= in_len, 2 * in_len - idx - 1, idx)
    return idx.astype(np.int64), w


def imresize(img: np.ndarray, scale: float) -> np.ndarray:
    """Antialiased bicubic resize of a float HWC image by ``scale`` (MATLAB semantics)."""
    out = img.astype(np.float64)
    for axis in (0, 1):
        n = out.shape[axis]
        idx, w = _resize_weights(n, int(math.ceil(n * scale)), scale)
        taken = np.take(out, idx, axis=axis)  # axis expands to [out, P]
        shape = [1] * taken.ndim
        shape[axis], shape[axis + 1] = w.shape
        out = (taken * w.reshape(shape)).sum(axis=axis + 1)
    return out


def degrade(hr: np.ndarray, case: int, seed: int, scale: int = 4) -> np.ndarray:
    """uint8 HWC HR image -> uint8 LR image, protocol case ``case``, noise from ``seed``."""
    sigma, noise, quality = protocol_case(case)
    x = imresize(gaussian_blur(hr.astype(np.float64), sigma), 1.0 / scale)
    x = x + np.random.default_rng(seed).normal(0.0, noise, size=x.shape)
    x = np.clip(np.round(x), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(x).save(buf, format="JPEG", quality=quality, subsampling=2)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
