"""How much can a linear deconvolution gain over bicubic on the protocol's degradations?

A reference point for the quality tables (docs/benchmarks.md, "Why #4 does not beat bicubic"):
Tikhonov-regularised least squares with the blur assumed known up to its family,
x = argmin |L(A K_s x) - L(y)|^2 + lam |grad x|^2, per RGB channel, solved exactly at 64 px
(A: area x4, K_s: Gaussian blur sigma s, L: Gaussian sigma 1 LR pixel, as restore()'s loss),
against bicubic upsampling (PIL, a = -0.5) of the same LR input. Degradation: the trainer's
degrade.py (the evaluation protocol; noise seeded per face and case). Needs /usr/bin/python3 with
numpy and Pillow and ../shared/data/faces64/dev:

    /usr/bin/python3 bench/quality/linear_bound.py [--list bench/quality/dev16.txt] [--cases 0,3,7]
"""
import argparse
import math
import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "train-prior"))
from prior.degrade import degrade  # noqa: E402


def gaussian_matrix(n: int, sigma: float) -> np.ndarray:
    """1-D Gaussian blur with reflect (mirror without edge) borders, as a matrix."""
    r = math.ceil(3 * sigma)
    taps = np.exp(-np.arange(-r, r + 1) ** 2 / (2 * sigma * sigma))
    taps /= taps.sum()
    m = np.zeros((n, n))
    for i in range(n):
        for off, w in zip(range(-r, r + 1), taps):
            j = abs(i + off)
            if j >= n:
                j = 2 * (n - 1) - j
            m[i, j] += w
    return m


def area_matrix(n: int, s: int) -> np.ndarray:
    m = np.zeros((n // s, n))
    for i in range(n // s):
        m[i, i * s:(i + 1) * s] = 1 / s
    return m


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return 10 * math.log10(255 ** 2 / np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", default=os.path.join(HERE, "dev16.txt"))
    ap.add_argument("--hr-dir", default=os.path.join(HERE, "..", "..", "..", "shared", "data", "faces64", "dev"))
    ap.add_argument("--cases", default="0,3,7")
    ap.add_argument("--sigmas", default="2.0,2.5")
    ap.add_argument("--lams", default="0.001,0.003")
    args = ap.parse_args()
    names = [l.strip() for l in open(args.list) if l.strip() and not l.startswith("#")]
    cases = [int(c) for c in args.cases.split(",")]
    n, s = 64, 4
    low = gaussian_matrix(n // s, 1.0)
    grad = np.eye(n, k=1)[:-1] - np.eye(n)[:-1]
    eye = np.eye(n)
    reg = np.vstack([np.kron(grad, eye), np.kron(eye, grad)])
    faces = {}
    for k, name in enumerate(names):
        hr = np.asarray(Image.open(os.path.join(args.hr_dir, name)).convert("RGB"))
        faces[name] = (hr, {c: degrade(hr, c, seed=k * 8 + c) for c in cases})
    print("| blur sigma assumed | lambda | " + " | ".join(f"case {c}: linear / bicubic (dB)" for c in cases) + " |")
    print("|---|---|" + "---|" * len(cases))
    for sigma in [float(v) for v in args.sigmas.split(",")]:
        a1 = low @ area_matrix(n, s) @ gaussian_matrix(n, sigma)
        a = np.kron(a1, a1)
        for lam in [float(v) for v in args.lams.split(",")]:
            solve = np.linalg.solve(a.T @ a + lam * reg.T @ reg, a.T)
            cells = []
            for c in cases:
                lin, bic = [], []
                for hr, lrs in faces.values():
                    lr = lrs[c]
                    y = np.stack([(low @ lr[:, :, ch].astype(np.float64) @ low.T).reshape(-1) for ch in range(3)], 1)
                    x = np.clip(np.round((solve @ y).reshape(n, n, 3)), 0, 255)
                    lin.append(psnr(x, hr))
                    bic.append(psnr(np.asarray(Image.fromarray(lr).resize((n, n), Image.BICUBIC)), hr))
                cells.append(f"{np.mean(lin):.2f} / {np.mean(bic):.2f}")
            print(f"| {sigma} | {lam} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
