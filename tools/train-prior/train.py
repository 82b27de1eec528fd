"""Train the bundled 64x64 face prior: a guided-diffusion U-Net (learned-range variance, hybrid loss).

CPU (what the shipped prior used, see README.md):
    nice -n 15 /usr/bin/python3 tools/train-prior/train.py --run cpu64 --threads 2 --max-minutes 45
GPU (the same script; bigger settings):
    python3 train.py --run gpu64 --device cuda --preset gpu --max-minutes 10

Resumable: rerunning the same command continues from <run>/checkpoint.pt (weights, EMAs, optimiser,
data position and every RNG state), so a run split in pieces matches an uninterrupted one.
Writes <run>/log.jsonl (train losses, dev eps-MSE of raw and EMA weights) and checkpoint.pt.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import math
import os
import platform
import shutil
import signal
import sys
import time
from typing import Dict, List

import numpy as np
import torch

from prior.data import load_dev, load_train, to_model
from prior.diffusion import Diffusion
from prior.paths import RUNS_DIR, shared_path
from prior.safetensors_io import load_safetensors, save_safetensors
from prior.unet import UNetConfig, UNetModel, forward_macs, param_count

# Architectures. "cpu": what a 2-core CPU can train in under an hour; "gpu": for ~10 min on one H100.
PRESETS: Dict[str, dict] = {
    "cpu": dict(num_channels=32, channel_mult=[1, 2, 4, 4], num_res_blocks=1, attention_resolutions="16,8",
                num_head_channels=32, resblock_updown=False),
    "gpu": dict(num_channels=64, channel_mult=[1, 2, 2, 2], num_res_blocks=1, attention_resolutions="16,8",
                num_head_channels=64, resblock_updown=True),
}


def parse_args(argv: List[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", required=True, help="run name: files go to --runs-dir/<run>")
    p.add_argument("--runs-dir", default=RUNS_DIR)
    p.add_argument("--data", default=shared_path("data", "faces64", "train.zip"), help="training zip of 64x64 faces")
    p.add_argument("--dev", default=shared_path("data", "faces64", "dev"), help="dev PNG folder (eval during training)")
    p.add_argument("--cache", default=None, help="decoded uint8 .npy cache (default <runs-dir>/cache/train64.npy)")
    p.add_argument("--preset", choices=sorted(PRESETS), default="cpu")
    p.add_argument("--arch", default=None, help="JSON overriding UNetConfig fields of the preset")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    p.add_argument("--amp", action="store_true", help="CUDA: bfloat16 autocast (GroupNorm/softmax stay fp32)")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--warmup", type=int, default=100, help="linear learning-rate warm-up steps")
    p.add_argument("--grad-clip", type=float, default=1.0)
    p.add_argument("--ema", default="0.995,0.999", help="EMA decays (warmed up as min(d, (1+n)/(10+n)))")
    p.add_argument("--loss", choices=["hybrid", "mse"], default="hybrid",
                   help="hybrid: eps-MSE + L_t (VLB, variance only, lambda=0.001); mse: eps only")
    p.add_argument("--low-t-share", type=float, default=0.0,
                   help="share of each batch whose t is drawn uniformly below --low-t-max (the rest: uniform over all "
                        "T); restore() runs the chain from t ~ 400 down, so that is where the prior must denoise well")
    p.add_argument("--low-t-max", type=int, default=600)
    p.add_argument("--accum", type=int, default=1, help="gradient accumulation: batches per optimiser step")
    p.add_argument("--init-from", default=None,
                   help="safetensors weights to start a NEW run from (raw = every EMA = these weights, fresh "
                        "optimiser); e.g. the shipped packages/models/assets/face64/prior.safetensors when the "
                        "training state in runs/ was lost. Ignored when the run's checkpoint exists")
    p.add_argument("--steps", type=int, default=10**9, help="stop after this many optimiser steps")
    p.add_argument("--max-minutes", type=float, default=45.0, help="stop (and save) after this much training time in this invocation")
    p.add_argument("--save-minutes", type=float, default=5.0, help="checkpoint at least this often")
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--eval-every", type=int, default=250, help="dev eps-MSE of raw and EMA weights every N steps (0: never)")
    p.add_argument("--eval-faces", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--weights-out", default=None,
                   help="at the end also write every weight set (raw, EMAs) as float16 safetensors here, with "
                        "the run facts export.py needs in the metadata, plus log.jsonl (files of a few MiB: "
                        "what a GPU machine brings back instead of the optimiser-laden checkpoint)")
    return p.parse_args(argv)


class Batches:
    """Seeded epochs: permutation and flip mask depend only on (seed, epoch); position is resumable.
    On a GPU the whole uint8 set (400 MB) is held on the device and batches are gathered there."""

    def __init__(self, data: np.ndarray, batch: int, seed: int, device: str, epoch: int = 0, pos: int = 0):
        self.n, self.batch, self.seed, self.epoch, self.pos = len(data), batch, seed, epoch, pos
        self.on_device = None if device == "cpu" else torch.from_numpy(np.ascontiguousarray(data)).to(device)
        self.data = data if self.on_device is None else None
        self._plan()

    def _plan(self) -> None:
        rng = np.random.default_rng([self.seed, self.epoch])
        self.order = rng.permutation(self.n)
        self.flip = rng.random(self.n) < 0.5

    def next(self) -> torch.Tensor:
        if self.pos + self.batch > self.n:
            self.epoch, self.pos = self.epoch + 1, 0
            self._plan()
        idx = self.order[self.pos : self.pos + self.batch]
        flip = self.flip[self.pos : self.pos + self.batch]
        self.pos += self.batch
        if self.on_device is not None:
            imgs = self.on_device[torch.from_numpy(idx).to(self.on_device.device)]
            mask = torch.from_numpy(flip).to(imgs.device)[:, None, None, None]
            imgs = torch.where(mask, imgs.flip(2), imgs)  # horizontal flip augmentation (NHWC)
            return imgs.permute(0, 3, 1, 2).float() / 127.5 - 1.0
        imgs = self.data[np.sort(idx)][np.argsort(np.argsort(idx))]  # sorted reads from the memmap
        imgs[flip] = imgs[flip][:, :, ::-1]  # horizontal flip augmentation
        return to_model(imgs)


def sample_timesteps(n: int, num_timesteps: int, low_share: float, low_max: int, gen: torch.Generator) -> torch.Tensor:
    """Uniform t, except that a share of the batch (rounded) is drawn uniformly from [0, low_max)."""
    k = torch.randint(0, num_timesteps, (n,), generator=gen)
    n_low = int(round(n * low_share))
    if n_low:
        k[:n_low] = torch.randint(0, min(low_max, num_timesteps), (n_low,), generator=gen)
    return k


def ema_update(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    with torch.no_grad():
        e_params, m_params = list(ema.parameters()), list(model.parameters())
        torch._foreach_mul_(e_params, decay)
        torch._foreach_add_(e_params, m_params, alpha=1 - decay)


@torch.no_grad()
def dev_eps_mse(model: torch.nn.Module, diffusion: Diffusion, x0: torch.Tensor, device: str) -> float:
    """Mean eps-MSE over fixed dev faces at t = 50, 150, ..., 950 with seeded noise."""
    g = torch.Generator().manual_seed(1234)
    model.eval()
    total = 0.0
    ts = list(range(50, 1000, 100))
    for t in ts:
        noise = torch.randn(x0.shape, generator=g)
        k = torch.full((x0.shape[0],), t, dtype=torch.long)
        x_t = diffusion.q_sample(x0, k, noise)
        out = model(x_t.to(device), k.to(device)).float().cpu()
        total += float(((out[:, :3] - noise) ** 2).mean())
    model.train()
    return total / len(ts)


def main(argv: List[str]) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.device.startswith("cuda"):
        torch.backends.cudnn.benchmark = True
    run_dir = os.path.join(args.runs_dir, args.run)
    os.makedirs(run_dir, exist_ok=True)
    ckpt_path = os.path.join(run_dir, "checkpoint.pt")
    log_path = os.path.join(run_dir, "log.jsonl")
    device = args.device

    cfg = UNetConfig(**{**PRESETS[args.preset], **json.loads(args.arch or "{}")})
    resume = torch.load(ckpt_path, map_location="cpu", weights_only=False) if os.path.exists(ckpt_path) else None
    if resume is not None:
        cfg = UNetConfig.from_json_dict(resume["config"])
    torch.manual_seed(args.seed)
    model = UNetModel(cfg).to(device)
    decays = [float(d) for d in args.ema.split(",") if d.strip()]
    emas = {d: copy.deepcopy(model).eval().requires_grad_(False) for d in decays}
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    gen = torch.Generator().manual_seed(args.seed + 1)  # timesteps and noise (drawn on CPU)
    step, epoch, pos, trained_s = 0, 0, 0, 0.0
    if resume is not None:
        model.load_state_dict(resume["model"])
        for d in decays:
            emas[d].load_state_dict(resume["ema"][str(d)])
        opt.load_state_dict(resume["opt"])
        gen.set_state(resume["gen"])
        step, epoch, pos, trained_s = resume["step"], resume["epoch"], resume["pos"], resume["trained_s"]
        print(f"resumed {ckpt_path} at step {step}", flush=True)

    if resume is None and args.init_from:
        weights, meta = load_safetensors(args.init_from)
        model.load_state_dict({k_: v.float() for k_, v in weights.items()})
        for e in emas.values():
            e.load_state_dict(model.state_dict())
        shipped = json.loads(meta.get("training", "{}"))
        step, trained_s = int(shipped.get("steps", 0)), 60.0 * float(shipped.get("train_minutes", 0.0))
        print(f"initialised from {args.init_from} (step {step}; fresh optimiser)", flush=True)
    # The learning-rate warm-up counts from where this run's optimiser started (0, or the --init-from step).
    first_step = resume.get("warmup_from", 0) if resume is not None else step

    data = load_train(args.data, args.cache or os.path.join(args.runs_dir, "cache", "train64.npy"))
    if resume is None and args.init_from:  # start a new epoch past the shipped run's (its position is not recoverable)
        epoch, pos = step * args.batch_size // len(data) + 1, 0
    batches = Batches(data, args.batch_size, args.seed, device, epoch, pos)
    dev_x0 = to_model(load_dev(args.dev)[0][:: max(1, 256 // args.eval_faces)][: args.eval_faces]) if args.eval_every else None
    diffusion = Diffusion.linear()
    hardware = (torch.cuda.get_device_name(device) if device.startswith("cuda")
                else f"CPU {platform.machine()}, {args.threads} torch threads")
    info = dict(config=cfg.to_json_dict(), params=param_count(model), macs=forward_macs(cfg), train_images=len(data),
                hardware=hardware, torch=torch.__version__)
    print(json.dumps(info), flush=True)

    def log(entry: dict) -> None:
        with open(log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def save() -> None:
        state = dict(config=cfg.to_json_dict(), model=model.state_dict(),
                     ema={str(d): e.state_dict() for d, e in emas.items()}, opt=opt.state_dict(),
                     gen=gen.get_state(), step=step, epoch=batches.epoch, pos=batches.pos,
                     trained_s=trained_s, warmup_from=first_step, args=vars(args), info=info)
        torch.save(state, ckpt_path + ".tmp")
        os.replace(ckpt_path + ".tmp", ckpt_path)
        print(f"saved step {step} ({trained_s / 60:.1f} min trained)", flush=True)

    def amp_context():
        if args.amp and device.startswith("cuda"):
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    if resume is None:
        log({"event": "start", **info, "args": vars(args)})
    start = last_save = time.time()
    base_trained = trained_s
    acc: Dict[str, float] = {}
    n_acc = 0
    model.train()
    while step < args.steps and not stop["now"] and time.time() - start < args.max_minutes * 60:
        lr = args.lr * min(1.0, (step - first_step + 1) / max(1, args.warmup))
        for group in opt.param_groups:
            group["lr"] = lr
        opt.zero_grad(set_to_none=True)
        for _ in range(args.accum):
            x0 = batches.next()
            k = sample_timesteps(x0.shape[0], diffusion.num_timesteps, args.low_t_share, args.low_t_max, gen)
            noise = torch.randn(x0.shape, generator=gen)
            with amp_context():
                terms = diffusion.training_losses(model, x0.to(device), k.to(device), noise.to(device),
                                                  learn_sigma=cfg.learn_sigma)
            loss = terms["loss"].float().mean() if args.loss == "hybrid" else terms["mse"].float().mean()
            (loss / args.accum).backward()
        gnorm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip or math.inf))
        opt.step()
        step += 1
        for d, e in emas.items():
            ema_update(e, model, min(d, (1 + step) / (10 + step)))
        for name, v in terms.items():
            acc[name] = acc.get(name, 0.0) + float(v.float().mean())
        acc["gnorm"] = acc.get("gnorm", 0.0) + gnorm
        n_acc += 1
        trained_s = base_trained + time.time() - start
        if step % args.log_every == 0:
            entry = {"step": step, "lr": lr, "time_s": round(trained_s, 1), **{k_: v / n_acc for k_, v in acc.items()}}
            log(entry)
            print(json.dumps(entry), flush=True)
            acc, n_acc = {}, 0
        if args.eval_every and step % args.eval_every == 0:
            entry = {"step": step, "dev_eps_mse_raw": dev_eps_mse(model, diffusion, dev_x0, device)}
            for d, e in emas.items():
                entry[f"dev_eps_mse_ema{d}"] = dev_eps_mse(e, diffusion, dev_x0, device)
            log(entry)
            print(json.dumps(entry), flush=True)
        if time.time() - last_save > args.save_minutes * 60:
            save()
            last_save = time.time()
    save()
    if args.weights_out:
        write_weight_sets(args.weights_out, ckpt_path, log_path)


def write_weight_sets(out_dir: str, ckpt_path: str, log_path: str) -> None:
    """<out_dir>/raw.safetensors, ema<d>.safetensors (float16) and log.jsonl; see export.py --run-dir."""
    ckpt = torch.load(ckpt_path, map_location="cpu", weights_only=False)
    os.makedirs(out_dir, exist_ok=True)
    facts = {k: ckpt[k] for k in ("config", "step", "epoch", "pos", "trained_s", "args", "info")}
    sets = {"raw": ckpt["model"], **{f"ema{d}": sd for d, sd in ckpt["ema"].items()}}
    for name, sd in sets.items():
        size = save_safetensors(os.path.join(out_dir, f"{name}.safetensors"), {k: v.half() for k, v in sd.items()},
                                {"run": json.dumps(facts), "config": json.dumps(ckpt["config"])})
        print(f"wrote {name}.safetensors ({size / 2**20:.1f} MiB)", flush=True)
    shutil.copyfile(log_path, os.path.join(out_dir, "log.jsonl"))


if __name__ == "__main__":
    main(sys.argv[1:])
