"""Check this PyTorch U-Net and diffusion against the original guided-diffusion's numbers.

Uses the read-only reference fixtures in ../shared/fixtures (never copied into the repo):
- adm/tiny-a, tiny-b: load the weights into our UNetModel, compare the output with the original's
  (both attention orders, scale-shift and additive embedding, ResBlock and conv resampling, 3 and 6
  output channels);
- checkpoint-manifests: our state_dict names/shapes/order equal the public checkpoints' lists;
- adm/schedules.json and tiny-a.step100: respaced tables and p_mean_variance;
- closed-form properties of the hybrid loss's VLB term.
Exit status 0 when everything matches.

    /usr/bin/python3 tools/train-prior/selftest.py
"""

from __future__ import annotations

import json
import math
import os
import sys

import numpy as np
import torch

from prior.diffusion import Diffusion, discretized_gaussian_log_likelihood, space_timesteps
from prior.paths import shared_path
from prior.safetensors_io import load_safetensors
from prior.unet import UNetConfig, UNetModel

failures = []


def check(name: str, ok: bool, detail: str) -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
    if not ok:
        failures.append(name)


def rel_diff(a: torch.Tensor, ref: torch.Tensor) -> float:
    return float(((a - ref).abs() / ref.abs().clamp(min=1)).max())


def fixture_forward(name: str) -> None:
    weights, meta = load_safetensors(shared_path("fixtures", "adm", f"{name}.safetensors"))
    io, _ = load_safetensors(shared_path("fixtures", "adm", f"{name}.io.safetensors"))
    model = UNetModel(UNetConfig.from_json_dict(json.loads(meta["config"]))).eval()
    sd = model.state_dict()
    check(f"{name} names", list(sd) == list(weights), f"{len(sd)} tensors")
    model.load_state_dict(weights)
    with torch.no_grad():
        out = model(io["x"], io["t"])
    d = rel_diff(out, io["out"])
    check(f"{name} forward", d <= 1e-4, f"max |diff|/max(1,|ref|) = {d:.2e}")


def manifest_lists() -> None:
    for f in ("ffhq256-p2", "ffhq512-difface"):
        m = json.load(open(shared_path("fixtures", "checkpoint-manifests", f"{f}.json")))
        c = dict(m["config"])
        if "model_channels" in c:  # DifFace's argument names
            c["num_channels"] = c.pop("model_channels")
            c["learn_sigma"] = c.pop("out_channels") == 6
            c["attention_resolutions"] = ",".join(str(r) for r in c["attention_resolutions"])
        model = UNetModel(UNetConfig.from_json_dict(c))
        ours = [[k, list(v.shape)] for k, v in model.state_dict().items()]
        check(f"{f} tensor list", ours == m["tensors"], f"{len(ours)} tensors, {sum(np.prod(s) for _, s in ours)} params")


def schedules() -> None:
    ref = json.load(open(shared_path("fixtures", "adm", "schedules.json")))
    base = Diffusion.linear()
    check("linear1000", np.allclose(base.alphas_cumprod, ref["linear1000"]["alphas_cumprod"], rtol=1e-12, atol=0), "abar")
    for n in (100, 250):
        r = ref[f"linear1000/{n}"]
        d = Diffusion.linear(respace=n)
        ok = space_timesteps(1000, n) == r["timesteps"]
        for key in ("betas", "posterior_mean_coef1", "posterior_mean_coef2", "posterior_log_variance_clipped"):
            ok = ok and np.allclose(getattr(d, key), r[key], rtol=1e-9, atol=1e-12)
        check(f"respaced {n}", ok, "timesteps, betas, posterior tables")


def step100() -> None:
    weights, meta = load_safetensors(shared_path("fixtures", "adm", "tiny-a.safetensors"))
    ref, _ = load_safetensors(shared_path("fixtures", "adm", "tiny-a.step100.safetensors"))
    model = UNetModel(UNetConfig.from_json_dict(json.loads(meta["config"]))).eval()
    model.load_state_dict(weights)
    d = Diffusion.linear(respace=100)
    x = ref["x_t"]
    worst = 0.0
    for k in (99, 60, 0):
        kk = torch.full((x.shape[0],), k, dtype=torch.long)
        with torch.no_grad():
            p = d.p_mean_variance(model(x, d.original_t(kk)), x, kk, clip=True)
        for key in ("mean", "log_variance", "pred_xstart"):
            # x0 = sqrt(1/abar) (x - sqrt(1-abar) eps) amplifies float32 rounding of eps by sqrt(1/abar)
            # (157 at t = 999): the tolerance of pred_xstart scales with it.
            scale = d.sqrt_recip_abar[k] if key == "pred_xstart" else 1.0
            worst = max(worst, rel_diff(p[key], ref[f"k{k}.{key}"]) / scale)
    check("tiny-a step100 p_mean_variance", worst <= 1e-4, f"max rel diff (x0: / sqrt(1/abar)) {worst:.2e}")


def loss_terms() -> None:
    """Closed-form properties of the hybrid loss's VLB term (no reference fixture exists for it)."""
    d = Diffusion.linear()
    g = torch.Generator().manual_seed(0)
    x0 = torch.rand((4, 3, 8, 8), generator=g) * 2 - 1
    noise = torch.randn(x0.shape, generator=g)
    k = torch.tensor([1, 10, 400, 999])
    x_t = d.q_sample(x0, k, noise)
    exact = torch.cat([noise, -torch.ones_like(noise)], dim=1)  # true eps, v = -1: the true posterior
    kl = d.vb_terms_bpd(exact, x0, x_t, k)
    check("VLB term of the true posterior", float(kl.abs().max()) < 1e-4, f"max |KL| = {float(kl.abs().max()):.1e} bits/dim")
    bins = torch.linspace(-1, 1, 256)
    mean, log_scale = torch.full_like(bins, 0.3), torch.full_like(bins, math.log(0.2))
    total = float(discretized_gaussian_log_likelihood(bins, mean, log_scale).exp().sum())
    check("discretised decoder likelihood sums to 1 over the 256 levels", abs(total - 1) < 1e-3, f"{total:.6f}")


if __name__ == "__main__":
    torch.set_num_threads(int(os.environ.get("THREADS", "2")))
    for fx in ("tiny-a", "tiny-b"):
        fixture_forward(fx)
    manifest_lists()
    schedules()
    step100()
    loss_terms()
    sys.exit(1 if failures else 0)
