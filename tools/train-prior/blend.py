"""Fit the per-timestep blend of the bundled network prior with the bundled Gaussian face model
(core's BlendedDenoiser: eps = w(t) eps_network + (1 - w(t)) eps_gaussian), and probe all three.

    /usr/bin/python3 tools/train-prior/blend.py [--faces 256]

w(t) is the least-squares optimum of the blended x0 estimate, clipped to [0, 1], on TRAINING faces
(every 130th of the sorted set, so never the dev faces the probe reports), at t = 0, 50, ..., 950
with seeded noise; it is written to packages/models/assets/face64/blend.json with the dev probe
(x0 PSNR at t = 100, 200, 400 on 64 dev faces) of the network, the Gaussian model and the blend.
Rerun it whenever either shipped model changes.
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
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    net = shipped_model().eval()
    gauss = ShippedGaussian()
    train = load_train(shared_path("data", "faces64", "train.zip"), os.path.join(RUNS_DIR, "cache", "train64.npy"))
    fit_faces = to_model(np.asarray(train[::130][: a.faces]))
    ts = list(range(0, 1000, 50))
    weights = []
    for t, xt in noised(fit_faces, ts):
        na, ga = network_x0(net, xt, t), gauss.x0(xt, t)
        w = float(((fit_faces - ga) * (na - ga)).sum() / ((na - ga) ** 2).sum())
        weights.append(round(min(1.0, max(0.0, w)), 4))
        print(f"t {t}: w {weights[-1]}", flush=True)
    dev = dev_faces()
    probe = {"network": {}, "gaussian": {}, "blend": {}}
    for t, xt in noised(dev, PROBE_TS):
        na, ga = network_x0(net, xt, t), gauss.x0(xt, t)
        w = float(np.interp(t, ts, weights))
        for name, est in (("network", na), ("gaussian", ga), ("blend", w * na + (1 - w) * ga)):
            probe[name][t] = round(mean_psnr(est, dev), 3)
    out = {"t": ts, "w": weights, "fit": f"least squares on {a.faces} training faces (every 130th), seeded noise",
           "dev_probe_x0_psnr": probe}
    with open(os.path.join(ASSET_DIR, "blend.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(json.dumps(probe, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
