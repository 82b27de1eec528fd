"""The supervised anchor of the method issue (#14): a plain x4 SR regressor trained with MSE on the
TRAINING faces degraded by the evaluation protocol over its continuous range, to measure what a
posterior-mean estimator reaches on the same inputs (it approximates E[x | y] from below).

    /usr/bin/python3 tools/sr-anchor/train.py [--steps 1247] [--batch 32]

Network: conv3x3(3->64); 8 residual blocks (conv3x3, ReLU, conv3x3, skip); conv3x3 with a skip over
the blocks; two x2 sub-pixel upsamplings (conv3x3 64->256 + PixelShuffle, ReLU); conv3x3(64->3); plus
the bicubic upsampling of the input (global residual). Adam lr 1e-3, cosine to 0, seeded. Each
training LR face gets a continuous case index i in [0, 7] (sigma 3.2 - 0.2 i, noise 30 - 30 i / 7,
JPEG quality round(50 + 50 i / 7)) and its own noise. Writes runs/regressor.safetensors (float32,
git-ignored: the weights derive from non-commercial faces), read by the quality bench's
`regressor` method (`pnpm bench quality --methods regressor`).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "train-prior"))

from prior.data import load_train  # noqa: E402
from prior.operator import degradation_matrix  # noqa: E402
from prior.paths import shared_path  # noqa: E402
from prior.safetensors_io import save_safetensors  # noqa: E402

RUNS = os.path.join(HERE, "runs")
GRID = np.round(np.arange(1.8, 3.2001, 0.01), 2)


class ResBlock(nn.Module):
    def __init__(self, ch: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(ch, ch, 3, padding=1)
        self.conv2 = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.relu(self.conv1(x)))


class Regressor(nn.Module):
    def __init__(self, ch: int = 64, blocks: int = 8) -> None:
        super().__init__()
        self.head = nn.Conv2d(3, ch, 3, padding=1)
        self.blocks = nn.ModuleList([ResBlock(ch) for _ in range(blocks)])
        self.body = nn.Conv2d(ch, ch, 3, padding=1)
        self.up1 = nn.Conv2d(ch, 4 * ch, 3, padding=1)
        self.up2 = nn.Conv2d(ch, 4 * ch, 3, padding=1)
        self.tail = nn.Conv2d(ch, 3, 3, padding=1)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        h = self.head(y)
        b = h
        for blk in self.blocks:
            b = blk(b)
        h = h + self.body(b)
        h = F.relu(F.pixel_shuffle(self.up1(h), 2))
        h = F.relu(F.pixel_shuffle(self.up2(h), 2))
        bicubic = F.interpolate(y, scale_factor=4, mode="bicubic", align_corners=False)
        return bicubic + self.tail(h)


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=int(quality), subsampling=2)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def batch(data: np.ndarray, ops: torch.Tensor, rng: np.random.Generator, n: int):
    idx = np.sort(rng.choice(len(data), n, replace=False))
    hr = torch.from_numpy(np.asarray(data[idx], dtype=np.float32)).permute(0, 3, 1, 2)
    flip = torch.from_numpy(rng.random(n) < 0.5)
    hr = torch.where(flip[:, None, None, None], hr.flip(3), hr)
    case = rng.uniform(0, 7, n)
    g = np.clip(np.round((3.2 - 0.2 * case - GRID[0]) / 0.01).astype(int), 0, len(GRID) - 1)
    a = ops[g][:, None]
    clean = (a @ hr @ a.transpose(-1, -2)).numpy()
    ys = []
    for i in range(n):
        noisy = np.clip(np.round(clean[i] + rng.normal(0, 30 - 30 * case[i] / 7, clean[i].shape)), 0, 255).astype(np.uint8)
        ys.append(jpeg(noisy.transpose(1, 2, 0), round(50 + 50 * case[i] / 7)))
    y = torch.from_numpy(np.stack(ys)).permute(0, 3, 1, 2).float() / 127.5 - 1
    return y, hr / 127.5 - 1


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=1247)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--train-faces", type=int, default=20000, help="the first N training faces (sorted by name)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    data = load_train(shared_path("data", "faces64", "train.zip"), os.path.join(HERE, "..", "train-prior", "runs", "cache", "train64.npy"))[: a.train_faces]
    ops = torch.from_numpy(np.stack([degradation_matrix(64, s) for s in GRID])).float()
    rng = np.random.default_rng(0)
    model = Regressor()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.steps)
    os.makedirs(RUNS, exist_ok=True)
    start, acc = time.time(), 0.0
    for step in range(1, a.steps + 1):
        y, x = batch(data, ops, rng, a.batch)
        loss = F.mse_loss(model(y), x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        acc += float(loss)
        if step % 50 == 0:
            print(json.dumps({"step": step, "mse": acc / 50, "minutes": round((time.time() - start) / 60, 1)}), flush=True)
            acc = 0.0
    meta = {"format": "difbfsr-sr-anchor/1", "architecture": "tools/sr-anchor/train.py Regressor (64 channels, 8 residual blocks, bicubic residual)",
            "training": json.dumps({"steps": a.steps, "batch": a.batch, "train_faces": a.train_faces, "minutes": round((time.time() - start) / 60, 1)})}
    save_safetensors(os.path.join(RUNS, "regressor.safetensors"), {k: v.float() for k, v in model.state_dict().items()}, meta)
    print("wrote runs/regressor.safetensors")


if __name__ == "__main__":
    main()
