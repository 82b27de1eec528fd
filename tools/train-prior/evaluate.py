"""Measure the shipped prior (packages/models/assets/face64/prior.safetensors) and record the results.

    /usr/bin/python3 tools/train-prior/evaluate.py [--threads 2] [--example 0 | --keep-example]

- Held-out quality on ../shared/data/faces64/dev (256 faces): eps-MSE averaged over t = 25, 75, ..., 975
  (seeded noise), and the PSNR of the predicted x0 (clipped) at t = 200, 400, 600, next to the PSNR of
  the noisy input rescaled, x_t / sqrt(abar_t), as a reference.
- docs/img/prior-samples.jpg: 64 unconditional samples (seed 0; 100-step respaced ancestral sampling,
  learned variance, x0 clipped).
- runs/eval/prior-denoise-t400.png (git-ignored: derived from non-commercial dev faces, never
  committed): 32 dev faces noised to t = 400 (odd rows) and denoised by the prior with ancestral
  steps t = 400, 390, ..., 0 (even rows); its PSNR goes into the card.
- Memorisation: RMSE from each sample to its nearest training face (flips included) against the
  nearest-training-face RMSE of the dev faces.
- examples/assets/face-hr.png (sample --example) and face-lr.png (it degraded with protocol case 3),
  unless --keep-example (the README's example and its numbers stay those of an earlier export).
Results replace the measurements section of packages/models/MODEL_CARD.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from PIL import Image

from prior.card import replace_section
from prior.data import load_dev, load_train, to_model, to_uint8
from prior.degrade import degrade, protocol_case
from prior.diffusion import Diffusion, linear_betas
from prior.paths import REPO_DIR, RUNS_DIR, shared_path
from prior.plot import image_grid
from prior.safetensors_io import load_safetensors
from prior.unet import UNetConfig, UNetModel

ASSET = ("packages", "models", "assets", "face64", "prior.safetensors")
CARD = ("packages", "models", "MODEL_CARD.md")
IMG_DIR = ("docs", "img")
EXAMPLES = ("examples", "assets")


@torch.no_grad()
def dev_metrics(model: UNetModel, x0: torch.Tensor, batch: int) -> dict:
    d = Diffusion.linear()
    g = torch.Generator().manual_seed(2024)
    eps_ts = list(range(25, 1000, 50))
    mse = []
    for t in eps_ts:
        noise = torch.randn(x0.shape, generator=g)
        k = torch.full((x0.shape[0],), t)
        x_t = d.q_sample(x0, k, noise)
        out = torch.cat([model(x_t[i:i + batch], k[i:i + batch]) for i in range(0, len(x0), batch)])
        mse.append(float(((out[:, :3] - noise) ** 2).mean()))
    psnr = {}
    for t in (200, 400, 600):
        noise = torch.randn(x0.shape, generator=g)
        k = torch.full((x0.shape[0],), t)
        x_t = d.q_sample(x0, k, noise)
        eps = torch.cat([model(x_t[i:i + batch], k[i:i + batch])[:, :3] for i in range(0, len(x0), batch)])
        pred = d.predict_x0(x_t, k, eps).clamp(-1, 1)
        naive = (x_t / float(d.sqrt_abar[t])).clamp(-1, 1)
        psnr[t] = {"prior": mean_psnr(pred, x0), "noisy_input": mean_psnr(naive, x0)}
    return {"eps_ts": eps_ts, "eps_mse_per_t": mse, "eps_mse": float(np.mean(mse)), "psnr_x0": psnr}


def mean_psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """Mean over images of the PSNR (dB) of uint8-quantised RGB images, peak 255."""
    ua, ub = to_uint8(a).astype(np.float64), to_uint8(b).astype(np.float64)
    mse = ((ua - ub) ** 2).reshape(len(ua), -1).mean(axis=1)
    return float(np.mean(10 * np.log10(255.0 ** 2 / np.maximum(mse, 1e-10))))


@torch.no_grad()
def samples(model: UNetModel, n: int, seed: int, steps: int = 100) -> torch.Tensor:
    d = Diffusion.linear(respace=steps)
    g = torch.Generator().manual_seed(seed)
    noise = torch.randn((n, 3, 64, 64), generator=g)
    return d.p_sample_loop(model, noise, g)


@torch.no_grad()
def denoise_from_400(model: UNetModel, x0: torch.Tensor, seed: int):
    """Noise to t = 400, then ancestral steps on the chain {0, 10, ..., 400}: (noisy, denoised)."""
    d = Diffusion(linear_betas(1000), list(range(0, 401, 10)))
    g = torch.Generator().manual_seed(seed)
    last = d.num_timesteps - 1
    k = torch.full((x0.shape[0],), last)
    x_t = d.q_sample(x0, k, torch.randn(x0.shape, generator=g))
    return x_t, d.p_sample_loop(model, x_t, g, start=last)


def nearest_rmse(queries: np.ndarray, train: np.ndarray, chunk: int = 2048) -> np.ndarray:
    """RMSE (0..255 scale) from each query to its nearest training image or its mirror image."""
    q = torch.from_numpy(queries.reshape(len(queries), -1).astype(np.float32))
    qn = (q ** 2).sum(1, keepdim=True)
    best = torch.full((len(q),), float("inf"))
    for i in range(0, len(train), chunk):
        block = train[i:i + chunk]
        for imgs in (block, block[:, :, ::-1]):
            t = torch.from_numpy(np.ascontiguousarray(imgs).reshape(len(imgs), -1).astype(np.float32))
            d2 = qn + (t ** 2).sum(1)[None] - 2 * q @ t.T
            best = torch.minimum(best, d2.min(dim=1).values)
    return np.sqrt(np.maximum(best.numpy(), 0) / q.shape[1])


def main(argv) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--example", type=int, default=60, help="index of the sample used as the README example face")
    p.add_argument("--keep-example", action="store_true", help="leave examples/assets as they are")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--root", default=REPO_DIR, help="repository root to read the prior from and write results to")
    p.add_argument("--samples", type=int, default=64, help="unconditional samples (the grid is 8 wide)")
    args = p.parse_args(argv)
    at = lambda parts: os.path.join(args.root, *parts)  # noqa: E731
    torch.set_num_threads(args.threads)
    started = time.time()

    weights, meta = load_safetensors(at(ASSET))
    cfg = UNetConfig.from_json_dict(json.loads(meta["config"]))
    model = UNetModel(cfg).eval()
    model.load_state_dict({k: v.float() for k, v in weights.items()})

    dev_u8, _ = load_dev(shared_path("data", "faces64", "dev"))
    dev = to_model(dev_u8)
    metrics = dev_metrics(model, dev, args.batch)
    print(json.dumps(metrics), flush=True)

    x = samples(model, args.samples, args.seed)
    sample_u8 = to_uint8(x)
    os.makedirs(os.path.join(RUNS_DIR, "eval"), exist_ok=True)
    np.save(os.path.join(RUNS_DIR, "eval", "samples.npy"), sample_u8)  # to pick --example from (git-ignored)
    os.makedirs(at(IMG_DIR), exist_ok=True)
    # JPEG (quality 90, no chroma subsampling): the repository must stay small for the GPU run (gpu-bundle-budget.test.ts).
    image_grid(list(sample_u8), 8).save(os.path.join(at(IMG_DIR), "prior-samples.jpg"), quality=90, subsampling=0)

    pick = dev[::8][:32]
    noisy, den = denoise_from_400(model, pick, args.seed + 1)
    tiles = []
    for r in range(4):
        tiles += list(to_uint8(noisy[r * 8:(r + 1) * 8])) + list(to_uint8(den[r * 8:(r + 1) * 8]))
    image_grid(tiles, 8).save(os.path.join(RUNS_DIR, "eval", "prior-denoise-t400.png"))
    chain_psnr = mean_psnr(den, pick)
    print(f"denoise chain from t=400: PSNR {chain_psnr:.2f} dB", flush=True)

    train = load_train(shared_path("data", "faces64", "train.zip"), os.path.join(RUNS_DIR, "cache", "train64.npy"))
    nn_samples = nearest_rmse(sample_u8, train)
    nn_dev = nearest_rmse(dev_u8, train)
    dev_p5, dev_med = np.percentile(nn_dev, 5), np.median(nn_dev)
    below = int((nn_samples < dev_p5).sum())

    if not args.keep_example:
        os.makedirs(at(EXAMPLES), exist_ok=True)
        hr = sample_u8[args.example]
        Image.fromarray(hr).save(os.path.join(at(EXAMPLES), "face-hr.png"))
        Image.fromarray(degrade(hr, 3, seed=args.seed)).save(os.path.join(at(EXAMPLES), "face-lr.png"))
    sigma, noise, q = protocol_case(3)
    example = ("an earlier export's sample (kept with `--keep-example`, so that the README's numbers stay comparable)"
               if args.keep_example else f"sample {args.example} of the grid above")

    m = metrics
    rows = "\n".join(f"| {t} | {m['psnr_x0'][t]['prior']:.2f} | {m['psnr_x0'][t]['noisy_input']:.2f} |" for t in (200, 400, 600))
    per_t = " ".join(f"{t}:{v:.4f}" for t, v in zip(m["eps_ts"], m["eps_mse_per_t"]))
    replace_section(at(CARD), "measurements", f"""Produced by `/usr/bin/python3 tools/train-prior/evaluate.py` on the shipped float16 weights
({time.time() - started:.0f} s on this machine). Dev set: the 256 faces of `../shared/data/faces64/dev`
(held out from training; same sources and framing).

**eps-MSE averaged over t** (t = 25, 75, ..., 975; one seeded noise draw per face and t): **{m['eps_mse']:.4f}**

Per t: {per_t}

**PSNR of the predicted x0** (one network call, x0 clipped to [-1, 1], uint8 RGB against the clean face,
mean over the 256 faces); the reference column is the noisy input itself, x_t / sqrt(abar_t):

| t | prior x0 PSNR (dB) | noisy input PSNR (dB) |
|---|---|---|
{rows}

**Denoising chain from t = 400** (the restore pipeline's regime): the 32 faces of the denoise grid,
noised to t = 400 and denoised with 41 ancestral steps (t = 400, 390, ..., 0, learned variance):
PSNR {chain_psnr:.2f} dB against the clean faces (a sample from the posterior, so lower than the
one-call x0 estimate, which is a posterior mean).

![64 unconditional samples](../../docs/img/prior-samples.jpg)

{args.samples} unconditional samples of the network alone, seed {args.seed}, 100 respaced steps (`space_timesteps(1000, "100")`), learned variance.
The samples of the blended prior restore() uses are in "Samples per export" (`docs/img/prior-blend-samples.jpg`).

The denoising grid (dev faces noised to t = 400 and the prior's outputs) is written to the git-ignored
`tools/train-prior/runs/eval/prior-denoise-t400.png` only: it derives from non-commercial dev faces.

**Memorisation check** (RMSE on the 0..255 scale, nearest of the 33,195 training faces and their mirror images):

| | min | 5th pct | median |
|---|---|---|---|
| each of the {args.samples} samples to its nearest training face | {nn_samples.min():.1f} | {np.percentile(nn_samples, 5):.1f} | {np.median(nn_samples):.1f} |
| each of the 256 dev faces to its nearest training face | {nn_dev.min():.1f} | {dev_p5:.1f} | {dev_med:.1f} |

{below} of the {args.samples} samples are closer to a training face than the 5th percentile of the dev faces'
nearest-neighbour distance ({dev_p5:.1f}). Per-sample distances: {', '.join(f'{v:.1f}' for v in nn_samples)}.

**Example input** (`examples/assets/`): `face-hr.png` is {example}
(generated by the prior, no dataset face); `face-lr.png` is it degraded with protocol case 3
(Gaussian blur sigma {sigma:.1f}, antialiased bicubic x4 down to 16x16, Gaussian noise {noise:.2f} seeded
with {args.seed}, JPEG quality {q} 4:2:0).
""")
    print(f"done in {time.time() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
