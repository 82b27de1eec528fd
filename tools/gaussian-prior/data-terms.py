"""What the data term is worth (issue #20's table, on dev faces): the shipped Gaussian face model's
exact posterior mean for y = D x + n under different models of D and n.

    /usr/bin/python3 tools/gaussian-prior/data-terms.py [--faces 48] > runs/data-terms.md

Rows: the oracle (each case's true blur, each face's effective noise: RMS of y - D x, white, or its
luma and chroma levels in JPEG's YCbCr); one fixed operator for every input (best of a grid of blur
and noise); no blur in the operator (the contraction's old area-down loss), best noise; per image, the
(blur, noise) maximising the Gaussian evidence under white noise; the bundled CNN estimate
(tools/degradation-estimator: blur, luma and chroma levels); PIL bicubic. Dev faces, cases 0, 3 and 7,
the protocol's degradation with seeded noise.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import zlib

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "train-prior"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "degradation-estimator"))

from prior.data import load_dev  # noqa: E402
from prior.degrade import degrade, protocol_case  # noqa: E402
from prior.operator import degradation_matrix  # noqa: E402
from prior.paths import REPO_DIR, shared_path  # noqa: E402
from prior.safetensors_io import load_safetensors  # noqa: E402

YCC = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]])
BLURS = np.round(np.arange(1.6, 3.41, 0.2), 2)
NOISES = np.array([2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 28])  # 0..255 scale


def shipped_model():
    sd, meta = load_safetensors(os.path.join(REPO_DIR, "packages", "models", "assets", "face64", "gaussian.safetensors"))
    half = sd["eigenvector_halves"].double().numpy() * sd["eigenvector_scales"].double().numpy()[:, None]
    img = half.reshape(-1, 64, 32, 3)
    u = np.concatenate([img, img[:, :, ::-1, :] * sd["eigenvector_parities"].numpy()[:, None, None, None]], axis=2).reshape(len(half), -1)
    return sd["mean"].double().numpy(), u, sd["eigenvalues"].double().numpy(), float(meta["remainder_variance"])


class Operator:
    """D and the prior seen through it, with the eigen-decomposition of D C D^T for white-noise solves."""

    def __init__(self, model, a1: np.ndarray):
        mean, u, lam, rho = model
        self.d = np.kron(a1, np.kron(a1, np.eye(3)))
        du = self.d @ u.T
        self.dc_rows = (du * (lam - rho)) @ u + rho * self.d  # D C (768 x 12288)
        self.m = self.dc_rows @ self.d.T  # D C D^T
        self.mu, self.vec = np.linalg.eigh(self.m)
        self.dmean = self.d @ mean
        self.mean = mean

    def white(self, y: np.ndarray, s2: float) -> np.ndarray:
        r = self.vec.T @ (y - self.dmean)
        return self.mean + self.dc_rows.T @ (self.vec @ (r / (self.mu + s2)))

    def evidence(self, y: np.ndarray, s2: float) -> float:
        r = self.vec.T @ (y - self.dmean)
        return -0.5 * float(np.sum(r * r / (self.mu + s2)) + np.sum(np.log(self.mu + s2)))

    def colour(self, y: np.ndarray, luma: float, chroma: float) -> np.ndarray:
        ti = np.linalg.inv(YCC)
        n = ti @ np.diag([luma, chroma, chroma]) @ ti.T
        return self.mean + self.dc_rows.T @ np.linalg.solve(self.m + np.kron(np.eye(len(y) // 3), n), y - self.dmean)


def psnr(est: np.ndarray, ref: np.ndarray) -> float:
    q = np.clip(np.round((est.reshape(ref.shape) + 1) * 127.5), 0, 255)
    return 10 * math.log10(255.0 ** 2 / np.mean((q - ref) ** 2))


def unit_var(level: float) -> float:
    return (2 * level / 255) ** 2


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--faces", type=int, default=48)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    import train as estimator_tool  # tools/degradation-estimator/train.py

    est_sd, _ = load_safetensors(os.path.join(REPO_DIR, "packages", "models", "assets", "face64", "degradation-estimator.safetensors"))
    estimator = estimator_tool.Estimator()
    estimator.load_state_dict({k: v.float() for k, v in est_sd.items()})
    estimator.eval()
    model = shipped_model()
    dev, names = load_dev(shared_path("data", "faces64", "dev"))
    step = max(1, len(dev) // a.faces)
    dev, names = dev[::step][: a.faces], names[::step][: a.faces]
    ops = {b: Operator(model, degradation_matrix(64, float(b))) for b in BLURS}
    area = Operator(model, np.kron(np.eye(16), np.full((1, 4), 0.25)))
    rows = {k: [] for k in ["oracle, white noise", "oracle, luma + chroma noise", "fixed operator (best of grid)", "no blur, area down (best noise)",
                            "per image, evidence under white noise", "estimated (CNN: blur, luma, chroma)", "bicubic (PIL)"]}
    grid_fixed = np.zeros((len(BLURS), len(NOISES)))
    grid_area = np.zeros(len(NOISES))
    items = 0
    for case in (0, 3, 7):
        sigma = round(protocol_case(case)[0], 2)
        ys = []
        for img, name in zip(dev, names):
            lr = degrade(img, case, seed=zlib.crc32(f"{name}:{case}".encode()))
            ys.append(lr)
        with torch.no_grad():
            x = torch.from_numpy(np.stack(ys)).permute(0, 3, 1, 2).float() / 127.5 - 1
            blur_e, luma_e, chroma_e = estimator_tool.decode(estimator(x))
        truth = Operator(model, degradation_matrix(64, sigma))
        for i, (img, lr) in enumerate(zip(dev, ys)):
            ref = img.astype(np.float64)
            y = lr.reshape(-1) / 127.5 - 1
            resid = (y - truth.d @ (ref.reshape(-1) / 127.5 - 1)) * 127.5
            ycc = resid.reshape(-1, 3) @ YCC.T
            rows["oracle, white noise"].append(psnr(truth.white(y, float(np.mean((resid / 127.5) ** 2))), ref))
            rows["oracle, luma + chroma noise"].append(psnr(truth.colour(y, unit_var(math.sqrt(np.mean(ycc[:, 0] ** 2))), unit_var(math.sqrt(np.mean(ycc[:, 1:] ** 2)))), ref))
            for bi, b in enumerate(BLURS):
                for ni, n in enumerate(NOISES):
                    grid_fixed[bi, ni] += psnr(ops[b].white(y, unit_var(n)), ref)
            for ni, n in enumerate(NOISES):
                grid_area[ni] += psnr(area.white(y, unit_var(n)), ref)
            best = max(((b, n) for b in BLURS for n in NOISES), key=lambda bn: ops[bn[0]].evidence(y, unit_var(bn[1])))
            rows["per image, evidence under white noise"].append(psnr(ops[best[0]].white(y, unit_var(best[1])), ref))
            est = Operator(model, degradation_matrix(64, float(blur_e[i])))
            rows["estimated (CNN: blur, luma, chroma)"].append(psnr(est.colour(y, unit_var(float(luma_e[i])), unit_var(float(chroma_e[i]))), ref))
            up = np.asarray(Image.fromarray(lr).resize((64, 64), Image.BICUBIC), dtype=np.float64) / 127.5 - 1
            rows["bicubic (PIL)"].append(psnr(up, ref))
            items += 1
        print(f"case {case} done", file=sys.stderr, flush=True)
    bi, ni = np.unravel_index(np.argmax(grid_fixed), grid_fixed.shape)
    fixed = grid_fixed[bi, ni] / items
    area_best = grid_area.max() / items
    base = np.mean(rows["bicubic (PIL)"])
    print(f"{len(dev)} dev faces x cases 0, 3, 7 (`tools/gaussian-prior/data-terms.py --faces {a.faces}`), the shipped rank-{model[1].shape[0]} Gaussian face model\n")
    print("| data term | PSNR (dB) | vs bicubic |\n|---|---|---|")
    for name, vals in rows.items():
        v = fixed if name.startswith("fixed") else area_best if name.startswith("no blur") else float(np.mean(vals))
        label = f"{name}: blur {BLURS[bi]}, noise {NOISES[ni]}" if name.startswith("fixed") else f"{name}: noise {NOISES[int(np.argmax(grid_area))]}" if name.startswith("no blur") else name
        print(f"| {label} | {v:.2f} | {v - base:+.2f} |")


if __name__ == "__main__":
    main()
