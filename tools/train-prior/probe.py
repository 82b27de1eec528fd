"""Probe the prior where restore() uses it (prior/probe.py): x0 PSNR of E[x0 | x_t] at t = 100, 200, 400
on 64 dev faces, for the shipped prior, every weight set of a run, and the linear (Gaussian) anchor.

    /usr/bin/python3 tools/train-prior/probe.py [--run cpu64b] [--shipped]
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import torch

from export import load_run
from prior.data import load_dev, to_model
from prior.paths import REPO_DIR, RUNS_DIR, shared_path
from prior.probe import cached_linear_probe, network_probe
from prior.safetensors_io import load_safetensors
from prior.unet import UNetConfig, UNetModel


def dev_faces() -> torch.Tensor:
    """64 dev faces: every 4th of the 256, sorted by name."""
    return to_model(load_dev(shared_path("data", "faces64", "dev"))[0][::4])


def shipped_model() -> UNetModel:
    sd, meta = load_safetensors(os.path.join(REPO_DIR, "packages", "models", "assets", "face64", "prior.safetensors"))
    model = UNetModel(UNetConfig.from_json_dict(json.loads(meta["config"])))
    model.load_state_dict({k: v.float() for k, v in sd.items()})
    return model


def main(argv) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", help="a run under --runs-dir: probe each of its weight sets (float16-rounded, as shipped)")
    p.add_argument("--runs-dir", default=RUNS_DIR)
    p.add_argument("--shipped", action="store_true", help="probe the shipped prior")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    x0 = dev_faces()
    out = {"linear (full-covariance Gaussian)": cached_linear_probe(x0, "dev64")}
    if a.shipped:
        out["shipped"] = network_probe(shipped_model(), x0)
    if a.run:
        ckpt, sets = load_run(os.path.join(a.runs_dir, a.run))
        cfg = UNetConfig.from_json_dict(ckpt["config"])
        for name, sd in sets.items():
            m = UNetModel(cfg)
            m.load_state_dict({k: v.half().float() for k, v in sd.items()})
            out[f"{a.run}:{name} (step {ckpt['step']})"] = network_probe(m, x0)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
