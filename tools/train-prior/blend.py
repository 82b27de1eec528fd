"""Fit the per-timestep blend of the bundled network prior with the bundled Gaussian face model
(core's BlendedDenoiser), and probe the network, the Gaussian model and both blends.

    /usr/bin/python3 tools/train-prior/blend.py [--faces 256]

The plain blend is eps = w(t) eps_network + (1 - w(t)) eps_gaussian. The banded blend, which
restore() uses, gives each eigen-band of the Gaussian model (components BANDS of its basis) and the
rest of the image space its own weight: eps = eps_g + sum_k w_k(t) P_k (eps_n - eps_g). Every weight
is the least-squares optimum of the blended x0 estimate (the parts are orthogonal, so each is fitted
on its own), clipped to [0, 1], on TRAINING faces (every 130th of the sorted set, so never the dev
faces the probe reports), at t = 0, 50, ..., 950 with seeded noise. Written to
packages/models/assets/face64/blend.json with the dev probe (x0 PSNR at t = 100, 200, 400 on 64 dev
faces). Rerun it whenever either shipped model changes.

The mean colour (the per-channel mean over the pixels) is a part of its own: with `--colour
gaussian` (the default) it is the Gaussian model's at every t. Fitted like the other parts
(`--colour fit`, and printed either way), the network's colour weight is 0.0-0.18 from t = 200 up
(step-2583 network): its colour estimate is worse than the linear one exactly where unconditional
samples get their colour, and the banded blend without this part let it through (23.4% of 256
samples outside the training faces' colour ellipsoid, against 5.1% for the one-weight blend).

Why bands: at t = 400 the network's estimate is good along the Gaussian model's leading components
(fitted weight 0.85-0.94) and poor in the rest of the image space (0.17), which one weight cannot
say. On 64 dev faces with the step-1800 network: one weight 20.41 dB, four parts 20.58; finer
splits (384 single components, six frequency bands of the rest) 20.60.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

import numpy as np
import torch

from prior.data import load_train, to_model
from prior.diffusion import Diffusion
from prior.paths import REPO_DIR, RUNS_DIR, shared_path
from prior.probe import PROBE_TS, mean_psnr, noised
from prior.safetensors_io import load_safetensors
from probe import dev_faces, shipped_model

ASSET_DIR = os.path.join(REPO_DIR, "packages", "models", "assets", "face64")
BANDS = [(0, 16), (16, 64), (64, 384)]
# Above this t every band takes the one-weight blend's w(t): restores start at t <= 400, and above
# t = 500 the bands gave the network's global colour (the leading components) to unconditional
# samples (32.8% of 256 samples outside the training faces' colour ellipsoid, against 5.1%).
BANDS_UP_TO = 500


class ShippedGaussian:
    """The shipped Gaussian face model (int8 eigenvector halves unpacked) and its Tweedie x0."""

    def __init__(self) -> None:
        sd, meta = load_safetensors(os.path.join(ASSET_DIR, "gaussian.safetensors"))
        res = int(meta["resolution"])
        half = sd["eigenvector_halves"].double() * sd["eigenvector_scales"].double()[:, None]
        img = half.reshape(-1, res, res // 2, 3)
        mirrored = img.flip(2) * sd["eigenvector_parities"].double()[:, None, None, None]
        self.u = torch.cat([img, mirrored], dim=2).reshape(len(half), -1).float()
        self.lam = sd["eigenvalues"].double()
        self.mean = sd["mean"].float()
        self.rho = float(meta["remainder_variance"])
        self.res = res
        self.d = Diffusion.linear()

    def x0(self, xt: torch.Tensor, t: int) -> torch.Tensor:
        ab = float(self.d.alphas_cumprod[t])
        s2 = (1 - ab) / ab
        n = xt.shape[0]
        z = xt.permute(0, 2, 3, 1).reshape(n, -1) / math.sqrt(ab) - self.mean
        gain = (self.lam / (self.lam + s2) - self.rho / (self.rho + s2)).float()
        est = self.mean + ((z @ self.u.T) * gain) @ self.u + self.rho / (self.rho + s2) * z
        return est.reshape(n, self.res, self.res, 3).permute(0, 3, 1, 2).clamp(-1, 1)


def flat(x: torch.Tensor) -> torch.Tensor:
    """[N, 3, H, W] -> [N, H*W*3] rows (the Gaussian model's HWC order)."""
    return x.permute(0, 2, 3, 1).reshape(len(x), -1)


def band_parts(d: torch.Tensor, u: torch.Tensor) -> list:
    """The projections of the rows of `d` on each band of the basis `u` (rows), then the rest."""
    c = d @ u.T
    parts = [c[:, a:b] @ u[a:b] for a, b in BANDS]
    return parts + [d - sum(parts)]


def fit_weight(target: torch.Tensor, part: torch.Tensor) -> float:
    return round(min(1.0, max(0.0, float((target * part).sum() / (part * part).sum()))), 4)


def mean_colour(x: torch.Tensor) -> torch.Tensor:
    """The per-channel mean of each image [N, 3, H, W], broadcast back to its shape."""
    return x.mean(dim=(2, 3), keepdim=True).expand_as(x)


def banded_x0(na: torch.Tensor, ga: torch.Tensor, u: torch.Tensor, ws: list, wc: float | None) -> torch.Tensor:
    """The banded blend with band weights `ws`; with `wc`, its mean colour replaced by `ga + wc (na - ga)`'s."""
    out = (flat(ga) + sum(w * p for w, p in zip(ws, band_parts(flat(na - ga), u)))).reshape(na.shape[0], na.shape[2], na.shape[3], 3).permute(0, 3, 1, 2)
    if wc is not None:
        out = out + mean_colour(ga + wc * (na - ga) - out)
    return out.clamp(-1, 1)


@torch.no_grad()
def network_x0(net: torch.nn.Module, xt: torch.Tensor, t: int, batch: int = 32) -> torch.Tensor:
    d = Diffusion.linear()
    out = []
    for a in range(0, len(xt), batch):
        k = torch.full((len(xt[a : a + batch]),), t)
        out.append(d.predict_x0(xt[a : a + batch], k, net(xt[a : a + batch], k)[:, :3]).clamp(-1, 1))
    return torch.cat(out)


def main(argv) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--faces", type=int, default=256)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--colour", choices=["fit", "gaussian"], default="gaussian",
                   help="the network's weight for the mean colour: fitted per t, or 0 (the Gaussian model's colour at every t)")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    net = shipped_model().eval()
    gauss = ShippedGaussian()
    train = load_train(shared_path("data", "faces64", "train.zip"), os.path.join(RUNS_DIR, "cache", "train64.npy"))
    fit_faces = to_model(np.asarray(train[::130][: a.faces]))
    ts = list(range(0, 1000, 50))
    weights, band_weights, colour_weights = [], [], []
    for t, xt in noised(fit_faces, ts):
        na, ga = network_x0(net, xt, t), gauss.x0(xt, t)
        target = flat(fit_faces - ga)
        weights.append(fit_weight(target, flat(na - ga)))
        band_weights.append([fit_weight(target, part) for part in band_parts(flat(na - ga), gauss.u)] if t <= BANDS_UP_TO else [weights[-1]] * (len(BANDS) + 1))
        fitted_colour = fit_weight(mean_colour(fit_faces - ga), mean_colour(na - ga))
        colour_weights.append(fitted_colour if a.colour == "fit" else 0.0)
        print(f"t {t}: w {weights[-1]}, bands {band_weights[-1]}, colour {fitted_colour} (fitted)", flush=True)
    dev = dev_faces()
    probe = {"network": {}, "gaussian": {}, "blend": {}, "banded blend": {}, "banded blend, its own colour": {}}
    for t, xt in noised(dev, PROBE_TS):
        na, ga = network_x0(net, xt, t), gauss.x0(xt, t)
        w = float(np.interp(t, ts, weights))
        ws = [float(np.interp(t, ts, [row[k] for row in band_weights])) for k in range(len(BANDS) + 1)]
        wc = float(np.interp(t, ts, colour_weights))
        for name, est in (("network", na), ("gaussian", ga), ("blend", w * na + (1 - w) * ga), ("banded blend", banded_x0(na, ga, gauss.u, ws, wc)),
                          ("banded blend, its own colour", banded_x0(na, ga, gauss.u, ws, None))):
            probe[name][t] = round(mean_psnr(est, dev), 3)
    out = {"t": ts, "w": weights,
           "bands": {"ranges": [list(b) for b in BANDS], "w": [[row[k] for row in band_weights] for k in range(len(BANDS) + 1)]},
           "meanColour": colour_weights,
           "fit": f"least squares on {a.faces} training faces (every 130th), seeded noise",
           "dev_probe_x0_psnr": probe}
    with open(os.path.join(ASSET_DIR, "blend.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(json.dumps(probe, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
