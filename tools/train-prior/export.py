"""Ship a trained run as the bundled prior of @difbfsr/models.

    /usr/bin/python3 tools/train-prior/export.py --run cpu64 [--weights auto|raw|ema0.995|ema0.999]
    /usr/bin/python3 tools/train-prior/export.py --run-dir <folder of a GPU run's --weights-out files>

Writes packages/models/assets/face64/:
- prior.safetensors: the chosen weights as float16, guided-diffusion state_dict names in state_dict order;
  metadata `config` (the TypeScript UNetConfig JSON, like the reference fixtures), `diffusion`, `training`;
- config.json: the same config, diffusion and training facts as plain JSON;
- forward-check.json: the PyTorch forward of the shipped (float16-rounded) weights on a closed-form
  input, which packages/models/test/bundled-prior.test.ts compares with the TypeScript U-Net.
and docs/img/prior-loss.png (training curves) and the training section of packages/models/MODEL_CARD.md.
`auto` picks, among the EMAs, the lowest dev eps-MSE (64 dev faces x 10 timesteps, seeded).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import numpy as np
import torch

from prior.card import replace_section
from prior.data import load_dev, to_model
from prior.diffusion import Diffusion
from prior.paths import REPO_DIR, RUNS_DIR, shared_path
from prior.plot import line_plot
from prior.safetensors_io import load_safetensors, save_safetensors
from prior.unet import UNetConfig, UNetModel, forward_macs, param_count

ASSET_DIR = ("packages", "models", "assets", "face64")
CARD = ("packages", "models", "MODEL_CARD.md")
DIFFUSION = {"steps": 1000, "schedule": "linear", "beta_start": 1e-4, "beta_end": 0.02,
             "prediction": "epsilon", "variance": "learned_range", "rescale_timesteps": False}
TS_FIELDS = ("image_size", "num_channels", "num_res_blocks", "channel_mult", "attention_resolutions", "num_heads",
             "num_head_channels", "num_heads_upsample", "use_scale_shift_norm", "resblock_updown", "learn_sigma",
             "use_new_attention_order", "dropout")


def check_input(batch: int = 2, size: int = 64) -> torch.Tensor:
    """The closed-form NCHW input of forward-check.json: 0.9*sin(0.21h + 0.13w + 0.7c + 1.1b)."""
    b, c, h, w = torch.meshgrid(*(torch.arange(n, dtype=torch.float64) for n in (batch, 3, size, size)), indexing="ij")
    return (0.9 * torch.sin(0.21 * h + 0.13 * w + 0.7 * c + 1.1 * b)).float()


def forward_check(model: UNetModel) -> dict:
    x = check_input(2, model.cfg.image_size)
    t = [37, 640]
    with torch.no_grad():
        out = model(x, torch.tensor(t)).permute(0, 2, 3, 1).contiguous()  # NHWC like the TS U-Net
    flat = out.reshape(-1)
    idx = [(i * 7919) % flat.numel() for i in range(256)]
    return {
        "input": "x[b,h,w,c] = 0.9*sin(0.21*h + 0.13*w + 0.7*c + 1.1*b), float32, NHWC [2,64,64,3]",
        "t": t,
        "shape": list(out.shape),
        "samples": {"flat_index_nhwc": idx, "value": [round(float(flat[i]), 6) for i in idx]},
        "channel_mean": [round(float(v), 7) for v in out.mean(dim=(0, 1, 2))],
        "channel_mean_abs": [round(float(v), 7) for v in out.abs().mean(dim=(0, 1, 2))],
    }


@torch.no_grad()
def quick_dev_mse(model: UNetModel, x0: torch.Tensor) -> float:
    d = Diffusion.linear()
    g = torch.Generator().manual_seed(99)
    errs = []
    for t in range(50, 1000, 100):
        noise = torch.randn(x0.shape, generator=g)
        k = torch.full((x0.shape[0],), t)
        errs.append(float(((model(d.q_sample(x0, k, noise), k)[:, :3] - noise) ** 2).mean()))
    return float(np.mean(errs))


def load_run(run_dir: str):
    """(run facts, {weight-set name: state dict}) from checkpoint.pt or from --weights-out files."""
    path = os.path.join(run_dir, "checkpoint.pt")
    if os.path.exists(path):
        ckpt = torch.load(path, map_location="cpu", weights_only=False)
        return ckpt, {"raw": ckpt["model"], **{f"ema{d}": sd for d, sd in ckpt["ema"].items()}}
    sets, facts = {}, None
    for f in sorted(os.listdir(run_dir)):
        if f.endswith(".safetensors"):
            sd, meta = load_safetensors(os.path.join(run_dir, f))
            sets[f[: -len(".safetensors")]] = {k: v.float() for k, v in sd.items()}
            facts = json.loads(meta["run"])
    if not sets:
        raise SystemExit(f"{run_dir}: no checkpoint.pt and no weight sets")
    return facts, sets


def read_log(path: str):
    train, dev = [], []
    for line in open(path):
        e = json.loads(line)
        if "loss" in e:
            train.append(e)
        elif "dev_eps_mse_raw" in e:
            dev.append(e)
    return train, dev


def binned(train, key: str, width: int):
    """Average of `key` over consecutive windows of `width` steps -> (end step, mean) pairs."""
    out, acc, n, end = [], 0.0, 0, width
    for e in train:
        acc, n = acc + e[key], n + 1
        if e["step"] >= end:
            out.append((e["step"], acc / n))
            acc, n, end = 0.0, 0, end + width
    if n:
        out.append((train[-1]["step"], acc / n))
    return out


def main(argv) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", help="run name under --runs-dir (holds checkpoint.pt and log.jsonl)")
    p.add_argument("--run-dir", help="or a folder of weight sets written by train.py --weights-out (a GPU run)")
    p.add_argument("--runs-dir", default=RUNS_DIR)
    p.add_argument("--weights", default="auto")
    p.add_argument("--hardware", default=None, help="training hardware in words (default: what train.py recorded)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--root", default=REPO_DIR, help="repository root to write into")
    args = p.parse_args(argv)
    asset_dir = os.path.join(args.root, *ASSET_DIR)
    torch.set_num_threads(args.threads)
    run_dir = args.run_dir or os.path.join(args.runs_dir, args.run)
    ckpt, candidates = load_run(run_dir)
    cfg = UNetConfig.from_json_dict(ckpt["config"])

    dev_x0 = to_model(load_dev(shared_path("data", "faces64", "dev"))[0][::4])
    scores = {}
    for name, sd in candidates.items():
        m = UNetModel(cfg).eval()
        m.load_state_dict(sd)
        scores[name] = quick_dev_mse(m, dev_x0)
        print(f"{name}: dev eps-MSE {scores[name]:.5f}", flush=True)
    choice = args.weights if args.weights != "auto" else min((n for n in scores if n != "raw"), key=scores.get)

    model = UNetModel(cfg).eval()
    half = {k: v.half() for k, v in candidates[choice].items()}
    model.load_state_dict({k: v.float() for k, v in half.items()})  # what ships: float16-rounded weights

    cargs = ckpt["args"]
    # Steps before this run's start (--init-from: the shipped run's, one batch a step) and this run's (--accum batches a step).
    start, accum = ckpt.get("warmup_from", 0), cargs.get("accum", 1)
    seen = (start + (ckpt["step"] - start) * accum) * cargs["batch_size"]
    hardware = args.hardware or ckpt["info"].get("hardware", cargs["device"])
    training = {
        "data": "faces64/train.zip: 33,195 64x64 faces (UTKFace + CelebA aligned crops), horizontal flips; NON-COMMERCIAL terms",
        "steps": ckpt["step"], "batch_size": cargs["batch_size"], "accum": accum, "run_start_step": start, "images_seen": seen,
        "epochs": round(seen / ckpt["info"]["train_images"], 2),
        "optimizer": f"AdamW lr {cargs['lr']} (linear warm-up {cargs['warmup']} steps), weight decay 0, grad-norm clip {cargs['grad_clip']}",
        "loss": "hybrid: eps-MSE + L_t (variational bound term, bits/dim, stop-gradient on the mean; lambda 0.001 on L_vlb)" if cargs["loss"] == "hybrid" else "eps-MSE",
        "weights": choice, "ema_decays": cargs["ema"], "seed": cargs["seed"],
        "hardware": hardware, "train_minutes": round(ckpt["trained_s"] / 60, 1),
        "quick_dev_eps_mse": {k: round(v, 5) for k, v in scores.items()},
        "torch": ckpt["info"].get("torch", "?"), "params": param_count(model), "forward_macs": forward_macs(cfg),
    }
    ts_config = {k: v for k, v in cfg.to_json_dict().items() if k in TS_FIELDS}
    ts_config["channel_mult"] = [int(m) if float(m).is_integer() else m for m in ts_config["channel_mult"]]
    os.makedirs(asset_dir, exist_ok=True)
    size = save_safetensors(os.path.join(asset_dir, "prior.safetensors"), half, {
        "config": json.dumps(ts_config), "diffusion": json.dumps(DIFFUSION), "training": json.dumps(training),
        "format": "pt", "license": "Trained on non-commercial research data (CelebA, UTKFace): non-commercial use only."})
    config_path = os.path.join(asset_dir, "config.json")
    # The face template (tools/face-template/derive.ts) describes the faces, not the weights: keep it.
    kept = {}
    if os.path.exists(config_path):
        with open(config_path) as f:
            kept = {k: v for k, v in json.load(f).items() if k == "face_template"}
    with open(config_path, "w") as f:
        json.dump({"unet": ts_config, "diffusion": DIFFUSION, "weights": "prior.safetensors", "dtype": "float16",
                   "training": training, **kept}, f, indent=2)
        f.write("\n")
    with open(os.path.join(asset_dir, "forward-check.json"), "w") as f:
        json.dump(forward_check(model), f)
        f.write("\n")
    print(f"wrote prior.safetensors ({size} bytes), weights {choice}")

    train_log, dev_log = read_log(os.path.join(run_dir, "log.jsonl"))
    width = max(10, ckpt["step"] // 40)
    curves = {"train loss (hybrid)": binned(train_log, "loss", width), "train eps-MSE": binned(train_log, "mse", width)}
    for key in sorted(k for k in dev_log[0] if k.startswith("dev_eps_mse")) if dev_log else []:
        curves[key.replace("dev_eps_mse_", "dev eps-MSE ")] = [(e["step"], e[key]) for e in dev_log]
    os.makedirs(os.path.join(args.root, "docs", "img"), exist_ok=True)
    line_plot(os.path.join(args.root, "docs", "img", "prior-loss.png"), curves, "step", "loss (log scale)", log_y=True)
    rows = "\n".join(f"| {s} | {l:.4f} | {m:.4f} |" for (s, l), (_, m) in
                     zip(binned(train_log, "loss", max(10, ckpt["step"] // 10)), binned(train_log, "mse", max(10, ckpt["step"] // 10))))
    dev_rows = "\n".join("| " + " | ".join([str(e["step"])] + [f"{e[k]:.4f}" for k in sorted(e) if k.startswith("dev")]) + " |" for e in dev_log)
    dev_head = " | ".join(k.replace("dev_eps_mse_", "") for k in sorted(dev_log[0]) if k.startswith("dev")) if dev_log else ""
    accum_note = f", {training['accum']} batches a step from step {training['run_start_step']}" if training.get("accum", 1) > 1 else ""
    replace_section(os.path.join(args.root, *CARD), "training", f"""Produced by `tools/train-prior/export.py` from run `{os.path.basename(os.path.normpath(run_dir))}`'s checkpoint and training log.

| | |
|---|---|
| training steps | {training['steps']} (batch {training['batch_size']}{accum_note}, {training['images_seen']:,} images seen, {training['epochs']} epochs) |
| wall time | {training['train_minutes']} min (includes periodic dev evaluation) |
| hardware | {training['hardware']} |
| optimiser | {training['optimizer']} |
| loss | {training['loss']} |
| shipped weights | `{choice}` (EMA decays {training['ema_decays']}, warmed up as min(d, (1+n)/(10+n))), stored as float16 |
| seed | {training['seed']} |
| dev eps-MSE used to pick the weights (64 dev faces x t = 50..950 step 100) | {', '.join(f'{k} {v:.4f}' for k, v in training['quick_dev_eps_mse'].items())} |
| file | `assets/face64/prior.safetensors`, {size:,} bytes |

![training curves](../../docs/img/prior-loss.png)

Training loss, averaged over windows of steps:

| up to step | hybrid loss | eps-MSE |
|---|---|---|
{rows}

Dev eps-MSE during training (32 dev faces x t = 50..950 step 100, seeded):

| step | {dev_head} |
|---|{'---|' * len(dev_head.split(' | '))}
{dev_rows}
""")


if __name__ == "__main__":
    main(sys.argv[1:])
