"""The prior's probe where restore() uses it: x0 PSNR of the Tweedie estimate E[x0 | x_t] on dev faces
noised to t = 100, 200 and 400 (seeded noise, the same for every model), beside the best LINEAR prior
(a full-covariance Gaussian fitted on the training faces, tools/gaussian-prior: its exact Wiener
denoiser), which any diffusion prior worth shipping must beat."""

from __future__ import annotations

import json
import math
import os
from typing import Dict, Sequence

import numpy as np
import torch

from .diffusion import Diffusion

PROBE_TS = (100, 200, 400)
PROBE_SEED = 7
GAUSSIAN_RUNS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "gaussian-prior", "runs")


def mean_psnr(est: torch.Tensor, ref: torch.Tensor) -> float:
    """Mean over images of the PSNR of uint8-rounded [-1, 1] NCHW images."""
    q = lambda x: torch.clamp(torch.round((x + 1) * 127.5), 0, 255).double()
    mse = ((q(est) - q(ref)) ** 2).mean(dim=(1, 2, 3))
    return float(np.mean([10 * math.log10(255.0 ** 2 / float(m)) for m in mse]))


def noised(x0: torch.Tensor, ts: Sequence[int]):
    """(t, x_t) pairs with seeded noise."""
    d = Diffusion.linear()
    g = torch.Generator().manual_seed(PROBE_SEED)
    for t in ts:
        noise = torch.randn(x0.shape, generator=g)
        yield t, d.q_sample(x0, torch.full((x0.shape[0],), t), noise)


@torch.no_grad()
def network_probe(model: torch.nn.Module, x0: torch.Tensor, ts: Sequence[int] = PROBE_TS, batch: int = 32) -> Dict[int, float]:
    d = Diffusion.linear()
    model.eval()
    out = {}
    for t, xt in noised(x0, ts):
        est = []
        for a in range(0, len(xt), batch):
            k = torch.full((len(xt[a : a + batch]),), t)
            eps = model(xt[a : a + batch], k)[:, :3]
            est.append(d.predict_x0(xt[a : a + batch], k, eps).clamp(-1, 1))
        out[t] = round(mean_psnr(torch.cat(est), x0), 3)
    return out


def linear_probe(x0: torch.Tensor, ts: Sequence[int] = PROBE_TS) -> Dict[int, float]:
    """The exact Wiener denoiser of N(mean, C) (full covariance from tools/gaussian-prior/fit.py covariance)."""
    mean = torch.from_numpy(np.load(os.path.join(GAUSSIAN_RUNS, "mean.npy"))).double()
    cov = torch.from_numpy(np.load(os.path.join(GAUSSIAN_RUNS, "cov.npy"))).double()
    d = Diffusion.linear()
    n = x0.shape[0]
    out = {}
    for t, xt in noised(x0, ts):
        ab = float(d.alphas_cumprod[t])
        z = (xt.permute(0, 2, 3, 1).reshape(n, -1).double() / math.sqrt(ab)) - mean  # HWC-flattened, as fitted
        chol = torch.linalg.cholesky(cov + (1 - ab) / ab * torch.eye(cov.shape[0], dtype=torch.float64))
        est = mean + (cov @ torch.cholesky_solve(z.T, chol)).T
        out[t] = round(mean_psnr(est.float().reshape(n, 64, 64, 3).permute(0, 3, 1, 2), x0), 3)
    return out


def cached_linear_probe(x0: torch.Tensor, key: str) -> Dict[int, float]:
    path = os.path.join(GAUSSIAN_RUNS, f"probe-linear-{key}.json")
    if os.path.exists(path):
        return {int(k): v for k, v in json.load(open(path)).items()}
    res = linear_probe(x0)
    with open(path, "w") as f:
        json.dump(res, f)
    return res
