"""Train the blind degradation estimator of the bundled 64 px face prior's inputs (16x16 LR faces).

    /usr/bin/python3 tools/degradation-estimator/train.py train [--run estimator] [--steps 4000] [--protocol-share 0.5]
    /usr/bin/python3 tools/degradation-estimator/train.py evaluate [--run ...]   # dev faces x protocol cases 0..7
    /usr/bin/python3 tools/degradation-estimator/train.py export [--run ...]     # packages/models/assets/face64/degradation-estimator.safetensors

A small CNN reads the LR face y (values in [-1, 1], 16x16x3) and predicts
- blur: the Gaussian blur sigma in HR pixels, and
- noise and chroma: the effective noise levels on the 0..255 scale of the luma (Y) and of the chroma
  (Cb, Cr; their RMS together) of y - D_blur x in JPEG's YCbCr: sensor noise, rounding and JPEG
  together, what the Gaussian restorer's data term must absorb (JPEG's 4:2:0 subsampling makes the
  chroma's larger).
It is trained on synthetic degradations of the TRAINING faces (never dev): half of each batch has its
blur, noise and JPEG quality drawn independently over (and a little beyond) the protocol's range, half
lies on the protocol's path of cases (a continuous case index in [0, 7], each parameter jittered a
little), a prior over degradations under which heavy noise and low JPEG quality come with heavy blur,
as in the evaluation protocol. `--protocol-share 0` trains on independent draws only.
Everything large goes to runs/ (git-ignored).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
import time
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "train-prior"))

from prior.data import load_dev, load_train  # noqa: E402
from prior.degrade import degrade, protocol_case  # noqa: E402
from prior.operator import degradation_matrix  # noqa: E402
from prior.paths import REPO_DIR, shared_path  # noqa: E402
from prior.safetensors_io import save_safetensors  # noqa: E402

RUNS = os.path.join(HERE, "runs")
ASSET = os.path.join(REPO_DIR, "packages", "models", "assets", "face64", "degradation-estimator.safetensors")
BLUR_RANGE = (1.4, 3.6)
NOISE_RANGE = (0.0, 35.0)
QUALITY_RANGE = (40, 100)
GRID = np.round(np.arange(1.0, 4.0001, 0.01), 2)
# Target normalisation: the network predicts (blur - 2.5) / 0.7 and (log1p(noise) - 2) / 1.2 for the luma and chroma noise.
BLUR_SHIFT, BLUR_SCALE, NOISE_SHIFT, NOISE_SCALE = 2.5, 0.7, 2.0, 1.2


class Estimator(nn.Module):
    """conv3x3 layers with explicit symmetric zero padding (stride-2 layers pad 1 on each side),
    LeakyReLU(0.2), global average pooling, two linear layers. Mirrored in core's TypeScript."""

    CHANNELS = [(3, 32, 1), (32, 32, 1), (32, 64, 2), (64, 64, 1), (64, 96, 2), (96, 96, 1)]

    def __init__(self) -> None:
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(i, o, 3, stride=s, padding=1) for i, o, s in self.CHANNELS])
        self.fc1 = nn.Linear(96, 64)
        self.fc2 = nn.Linear(64, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv in self.convs:
            x = F.leaky_relu(conv(x), 0.2)
        return self.fc2(F.leaky_relu(self.fc1(x.mean(dim=(2, 3))), 0.2))


# JPEG's RGB -> YCbCr (the offsets cancel in differences).
YCC = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]])


def luma_chroma_rms(residual: np.ndarray):
    """(RMS of Y, RMS of Cb and Cr together) of an HWC RGB residual on the 0..255 scale."""
    ycc = residual.reshape(-1, 3) @ YCC.T
    return math.sqrt(float(np.mean(ycc[:, 0] ** 2))), math.sqrt(float(np.mean(ycc[:, 1:] ** 2)))


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=int(quality), subsampling=2)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


class Synthesizer:
    """Random protocol-style degradations of training faces, with the effective-noise target."""

    def __init__(self, data: np.ndarray, seed: int, protocol_share: float):
        self.data = data
        self.protocol_share = protocol_share
        self.rng = np.random.default_rng(seed)
        self.ops = torch.from_numpy(np.stack([degradation_matrix(64, s) for s in GRID])).float()

    def batch(self, n: int):
        idx = np.sort(self.rng.choice(len(self.data), n, replace=False))
        hr = torch.from_numpy(np.asarray(self.data[idx], dtype=np.float32)).permute(0, 3, 1, 2)  # 0..255
        flip = torch.from_numpy(self.rng.random(n) < 0.5)
        hr = torch.where(flip[:, None, None, None], hr.flip(3), hr)
        blur = self.rng.uniform(*BLUR_RANGE, n)
        sigma = self.rng.uniform(*NOISE_RANGE, n)
        quality = self.rng.integers(QUALITY_RANGE[0], QUALITY_RANGE[1] + 1, n)
        on_path = self.rng.random(n) < self.protocol_share
        case = self.rng.uniform(0, 7, n)
        blur = np.where(on_path, 3.2 - 0.2 * case + self.rng.normal(0, 0.05, n), blur)
        sigma = np.where(on_path, np.clip(30 - 30 * case / 7 + self.rng.normal(0, 1.0, n), 0, None), sigma)
        quality = np.where(on_path, np.clip(np.round(50 + 50 * case / 7 + self.rng.normal(0, 2.0, n)), 1, 100), quality).astype(int)
        g = np.clip(np.round((blur - GRID[0]) / 0.01).astype(int), 0, len(GRID) - 1)
        blur = GRID[g]
        a = self.ops[g][:, None]  # [n, 1, 16, 64]
        clean = (a @ hr @ a.transpose(-1, -2)).numpy()  # [n, 3, 16, 16], 0..255
        ys, noise = [], []
        for i in range(n):
            lr = np.clip(np.round(clean[i] + self.rng.normal(0, sigma[i], clean[i].shape)), 0, 255).astype(np.uint8)
            y = jpeg(lr.transpose(1, 2, 0), quality[i]).astype(np.float32)
            noise.append(luma_chroma_rms(y - clean[i].transpose(1, 2, 0)))
            ys.append(y)
        x = torch.from_numpy(np.stack(ys)).permute(0, 3, 1, 2) / 127.5 - 1.0
        noise = np.array(noise)
        target = torch.tensor(np.concatenate([((blur - BLUR_SHIFT) / BLUR_SCALE)[:, None], (np.log1p(noise) - NOISE_SHIFT) / NOISE_SCALE], 1)).float()
        return x, target


def decode(out: torch.Tensor):
    """(blur, luma noise, chroma noise) from the network's outputs."""
    blur = out[:, 0] * BLUR_SCALE + BLUR_SHIFT
    noise = torch.expm1(out[:, 1:] * NOISE_SCALE + NOISE_SHIFT)
    return blur, noise[:, 0], noise[:, 1]


def train(run: str, steps: int, batch: int, threads: int, protocol_share: float) -> None:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    data = load_train(shared_path("data", "faces64", "train.zip"), os.path.join(HERE, "..", "train-prior", "runs", "cache", "train64.npy"))
    synth = Synthesizer(data, seed=1, protocol_share=protocol_share)
    model = Estimator()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps, pct_start=0.05)
    os.makedirs(RUNS, exist_ok=True)
    log = open(os.path.join(RUNS, "log.jsonl"), "w")
    start, acc = time.time(), 0.0
    for step in range(1, steps + 1):
        x, target = synth.batch(batch)
        loss = F.smooth_l1_loss(model(x), target, beta=0.1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        acc += float(loss)
        if step % 100 == 0:
            entry = {"step": step, "loss": acc / 100, "minutes": round((time.time() - start) / 60, 1)}
            print(json.dumps(entry), flush=True)
            log.write(json.dumps(entry) + "\n")
            log.flush()
            acc = 0.0
        if step % 1000 == 0 or step == steps:
            torch.save({"model": model.state_dict(), "step": step, "protocol_share": protocol_share}, os.path.join(RUNS, f"{run}.pt"))


@torch.no_grad()
def evaluate(run: str) -> dict:
    model = Estimator()
    model.load_state_dict(torch.load(os.path.join(RUNS, f"{run}.pt"))["model"])
    model.eval()
    dev, names = load_dev(shared_path("data", "faces64", "dev"))
    rows = {}
    for case in range(8):
        sigma, noise, _ = protocol_case(case)
        a = degradation_matrix(64, sigma)
        ys, eff = [], []
        for img, name in zip(dev, names):
            lr = degrade(img, case, seed=zlib.crc32(f"{name}:{case}".encode())).astype(np.float64)
            clean = np.einsum("ih,hwc,jw->ijc", a, img.astype(np.float64), a)
            eff.append(luma_chroma_rms(lr - clean))
            ys.append(lr)
        eff = np.array(eff)
        x = torch.from_numpy(np.stack(ys)).permute(0, 3, 1, 2).float() / 127.5 - 1.0
        blur, luma, chroma = decode(model(x))
        err = (blur.numpy() - sigma)
        rows[case] = {
            "blur": round(sigma, 2), "noise": round(noise, 2),
            "blur_median_abs_err": round(float(np.median(np.abs(err))), 3), "blur_mean_est": round(float(blur.mean()), 3),
            "luma_mean": round(float(eff[:, 0].mean()), 2), "luma_mean_est": round(float(luma.mean()), 2),
            "luma_median_abs_err": round(float(np.median(np.abs(luma.numpy() - eff[:, 0]))), 2),
            "chroma_mean": round(float(eff[:, 1].mean()), 2), "chroma_mean_est": round(float(chroma.mean()), 2),
            "chroma_median_abs_err": round(float(np.median(np.abs(chroma.numpy() - eff[:, 1]))), 2),
        }
        print(case, json.dumps(rows[case]), flush=True)
    rows["off-path"] = off_path(model, dev)
    with open(os.path.join(RUNS, f"{run}-evaluate.json"), "w") as f:
        json.dump(rows, f, indent=1)
    return rows


@torch.no_grad()
def off_path(model: nn.Module, dev: np.ndarray) -> dict:
    """Dev faces degraded OFF the protocol's path: blur, noise and quality drawn independently
    (seeded), the estimator's blur error binned by the true blur."""
    rng = np.random.default_rng(11)
    blur = rng.uniform(1.8, 3.2, len(dev))
    sigma = rng.uniform(0, 30, len(dev))
    quality = rng.integers(50, 101, len(dev))
    ys, eff = [], []
    for i, img in enumerate(dev):
        a = degradation_matrix(64, float(blur[i]))
        clean = np.einsum("ih,hwc,jw->ijc", a, img.astype(np.float64), a)
        noisy = np.clip(np.round(clean + rng.normal(0, sigma[i], clean.shape)), 0, 255).astype(np.uint8)
        y = jpeg(noisy, int(quality[i])).astype(np.float64)
        eff.append(luma_chroma_rms(y - clean))
        ys.append(y)
    x = torch.from_numpy(np.stack(ys)).permute(0, 3, 1, 2).float() / 127.5 - 1.0
    est, luma, chroma = decode(model(x))
    err = np.abs(est.numpy() - blur)
    eff = np.array(eff)
    out = {"faces": len(dev), "blur_median_abs_err": round(float(np.median(err)), 3),
           "luma_median_abs_err": round(float(np.median(np.abs(luma.numpy() - eff[:, 0]))), 2),
           "chroma_median_abs_err": round(float(np.median(np.abs(chroma.numpy() - eff[:, 1]))), 2)}
    for lo in (1.8, 2.15, 2.5, 2.85):
        sel = (blur >= lo) & (blur < lo + 0.35)
        out[f"blur {lo:.2f}-{lo + 0.35:.2f} median abs err"] = round(float(np.median(err[sel])), 3)
    print("off-path", json.dumps(out), flush=True)
    return out


def check_input() -> torch.Tensor:
    """The closed-form input of the forward check: 0.9 sin(0.37 h + 0.23 w + 0.9 c), NCHW [1, 3, 16, 16]."""
    c, h, w = torch.meshgrid(*(torch.arange(n, dtype=torch.float64) for n in (3, 16, 16)), indexing="ij")
    return (0.9 * torch.sin(0.37 * h + 0.23 * w + 0.9 * c)).float()[None]


def export(run: str) -> None:
    sd = torch.load(os.path.join(RUNS, f"{run}.pt"))
    tensors = {k: v.half() for k, v in sd["model"].items()}  # float16 on disk (412 KiB)
    model = Estimator()
    model.load_state_dict({k: v.float() for k, v in tensors.items()})  # the check uses the shipped values
    with torch.no_grad():
        raw = model(check_input())[0].tolist()
    meta = {
        "format": "difbfsr-degradation-estimator/1",
        "input": "LR face, 16x16x3, values uint8 / 127.5 - 1, NCHW in PyTorch (the TypeScript port reads NHWC)",
        "layers": json.dumps(Estimator.CHANNELS),
        "activation": "leaky_relu(0.2)",
        "outputs": json.dumps({"blur": [BLUR_SHIFT, BLUR_SCALE], "log1p_noise": [NOISE_SHIFT, NOISE_SCALE], "log1p_chroma": [NOISE_SHIFT, NOISE_SCALE]}),
        "forward_check": json.dumps({"input": "x[c,h,w] = 0.9*sin(0.37*h + 0.23*w + 0.9*c), [1, 3, 16, 16]", "raw_output": raw}),
        "training": json.dumps({"steps": sd["step"], "blur": BLUR_RANGE, "noise": NOISE_RANGE, "quality": QUALITY_RANGE,
                                "protocol_share": sd.get("protocol_share"),
                                "data": "faces64/train.zip (training faces only; NON-COMMERCIAL terms)"}),
    }
    size = save_safetensors(ASSET, tensors, meta)
    print(f"wrote {ASSET} ({size / 1024:.0f} KiB)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("step", choices=["train", "evaluate", "export"])
    p.add_argument("--steps", type=int, default=6000)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--run", default="estimator", help="run name: runs/<run>.pt")
    p.add_argument("--protocol-share", type=float, default=0.5, help="share of each batch on the protocol's path of cases")
    a = p.parse_args()
    if a.step == "train":
        train(a.run, a.steps, a.batch, a.threads, a.protocol_share)
    elif a.step == "evaluate":
        evaluate(a.run)
    else:
        export(a.run)


if __name__ == "__main__":
    main()
