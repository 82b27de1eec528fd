"""Face data: the training zip (WebP) decoded once into a uint8 cache, the dev PNGs."""

from __future__ import annotations

import glob
import io
import os
import zipfile

import numpy as np
from PIL import Image


def decode_zip(zip_path: str) -> np.ndarray:
    """All images of the zip, sorted by name, as uint8 [N, H, W, 3]."""
    with zipfile.ZipFile(zip_path) as zf:
        names = sorted(n for n in zf.namelist() if n.lower().endswith((".webp", ".png", ".jpg")))
        first = np.asarray(Image.open(io.BytesIO(zf.read(names[0]))).convert("RGB"))
        out = np.empty((len(names), *first.shape), dtype=np.uint8)
        for i, n in enumerate(names):
            out[i] = np.asarray(Image.open(io.BytesIO(zf.read(n))).convert("RGB"))
    return out


def load_train(zip_path: str, cache_path: str) -> np.ndarray:
    """The decoded training set, from ``cache_path`` (.npy) when it matches the zip's size and mtime."""
    stamp = f"{os.path.getsize(zip_path)}-{int(os.path.getmtime(zip_path))}"
    stamp_path = cache_path + ".stamp"
    if os.path.exists(cache_path) and os.path.exists(stamp_path) and open(stamp_path).read() == stamp:
        return np.load(cache_path, mmap_mode="r")
    data = decode_zip(zip_path)
    os.makedirs(os.path.dirname(cache_path), exist_ok=True)
    np.save(cache_path + ".tmp.npy", data)
    os.replace(cache_path + ".tmp.npy", cache_path)
    with open(stamp_path, "w") as f:
        f.write(stamp)
    return data


def load_dev(dev_dir: str):
    """Dev faces sorted by file name: (uint8 [N, H, W, 3], names)."""
    paths = sorted(glob.glob(os.path.join(dev_dir, "*.png")))
    return np.stack([np.asarray(Image.open(p).convert("RGB")) for p in paths]), [os.path.basename(p) for p in paths]


def to_model(batch_uint8: np.ndarray):
    """uint8 NHWC -> float32 NCHW torch tensor in [-1, 1]."""
    import torch

    return torch.from_numpy(np.ascontiguousarray(batch_uint8)).permute(0, 3, 1, 2).float() / 127.5 - 1.0


def to_uint8(x) -> np.ndarray:
    """[-1, 1] NCHW torch tensor -> uint8 NHWC (round, clip)."""
    return ((x.clamp(-1, 1) + 1) * 127.5).round().to("cpu").permute(0, 2, 3, 1).numpy().astype(np.uint8)
