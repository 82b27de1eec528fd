"""Fit the Gaussian face model of the bundled 64x64 prior's resolution (issue: the degradation model).

    /usr/bin/python3 tools/gaussian-prior/fit.py covariance     # mean + covariance of the training faces (flip-augmented)
    /usr/bin/python3 tools/gaussian-prior/fit.py eigen          # eigendecomposition of that covariance
    /usr/bin/python3 tools/gaussian-prior/fit.py ranks          # PSNR of the exact posterior mean against the rank
    /usr/bin/python3 tools/gaussian-prior/fit.py export --rank R  # packages/models/assets/face64/gaussian.safetensors

The model: x ~ N(mu, C) on [-1, 1] pixel values, HWC-flattened (12288 dims). Shipped as mu, the top-R
eigenvectors U and eigenvalues lam of C, and an isotropic remainder rho: C_R = U diag(lam - rho) U^T + rho I
(rho = mean of the discarded eigenvalues, so the trace is kept). Everything large goes to runs/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import math
import zlib
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "train-prior"))

from prior.data import load_dev, load_train  # noqa: E402
from prior.degrade import degrade, protocol_case  # noqa: E402
from prior.operator import degradation_matrix  # noqa: E402
from prior.paths import REPO_DIR, shared_path  # noqa: E402
from prior.safetensors_io import save_safetensors  # noqa: E402

RUNS = os.path.join(HERE, "runs")
SIZE, CH = 64, 3
DIM = SIZE * SIZE * CH
ASSET = os.path.join(REPO_DIR, "packages", "models", "assets", "face64", "gaussian.safetensors")


def flip_permutation() -> np.ndarray:
    """Index map of a horizontal flip on HWC-flattened 64x64x3 vectors."""
    idx = np.arange(DIM).reshape(SIZE, SIZE, CH)
    return idx[:, ::-1, :].reshape(-1)


def covariance(threads: int) -> None:
    torch.set_num_threads(threads)
    data = load_train(shared_path("data", "faces64", "train.zip"), os.path.join(HERE, "..", "train-prior", "runs", "cache", "train64.npy"))
    n = len(data)
    total = torch.zeros(DIM, dtype=torch.float64)
    gram = torch.zeros(DIM, DIM, dtype=torch.float64)
    for a in range(0, n, 1024):
        x = torch.from_numpy(np.asarray(data[a : a + 1024], dtype=np.float32).reshape(-1, DIM) / 127.5 - 1.0)
        total += x.sum(0).double()
        gram += (x.T @ x).double()
        print(f"{a + len(x)}/{n}", flush=True)
    mean = total / n
    cov = gram / n - torch.outer(mean, mean)
    p = torch.from_numpy(flip_permutation())
    mean = 0.5 * (mean + mean[p])  # the training set with every face also mirrored
    cov = 0.5 * (cov + cov[p][:, p])
    os.makedirs(RUNS, exist_ok=True)
    np.save(os.path.join(RUNS, "mean.npy"), mean.numpy())
    np.save(os.path.join(RUNS, "cov.npy"), cov.float().numpy())
    with open(os.path.join(RUNS, "fit.json"), "w") as f:
        json.dump({"train_images": n, "flip_augmented": True}, f)
    print("trace", float(cov.trace()))


def eigen(threads: int, top: int = 1024, block: int = 1536, iterations: int = 10) -> None:
    """The `top` leading eigenpairs by randomized subspace iteration (float64, `block` vectors, QR
    re-orthonormalisation every iteration, then Rayleigh-Ritz); LAPACK's full eigh of a 12288 x 12288
    matrix is both slow here and broken in Debian's torch 1.13 for float32 (a workspace size
    rounded to float). The trace gives the remainder of any rank."""
    torch.set_num_threads(threads)
    cov = torch.from_numpy(np.load(os.path.join(RUNS, "cov.npy")).astype(np.float64))
    g = torch.Generator().manual_seed(0)
    q, _ = torch.linalg.qr(torch.randn(DIM, block, generator=g, dtype=torch.float64))
    for it in range(iterations):
        q, _ = torch.linalg.qr(cov @ q)
        print(f"iteration {it + 1}/{iterations}", flush=True)
    lam, small = torch.linalg.eigh(q.T @ cov @ q)
    order = torch.argsort(lam, descending=True)[:top]
    lam, vec = lam[order], q @ small[:, order]
    residual = float(torch.linalg.norm(cov @ vec[:, :top] - vec[:, :top] * lam, dim=0).max() / lam[-1])
    np.save(os.path.join(RUNS, "eigvals.npy"), lam.numpy())
    np.save(os.path.join(RUNS, "eigvecs1024.npy"), vec.T.contiguous().float().numpy())  # [top, DIM]
    with open(os.path.join(RUNS, "eigen.json"), "w") as f:
        json.dump({"trace": float(cov.trace()), "top": top, "block": block, "iterations": iterations,
                   "max_residual_over_smallest_kept_eigenvalue": residual}, f)
    print("top eigenvalues", lam[:5].tolist(), "eigenvalue", top, float(lam[-1]), "residual", residual)


def remainder(rank: int) -> float:
    """Mean of the eigenvalues past `rank`: (trace - sum of the leading ones) / (DIM - rank)."""
    lam = np.load(os.path.join(RUNS, "eigvals.npy"))
    trace = json.load(open(os.path.join(RUNS, "eigen.json")))["trace"]
    return float((trace - lam[:rank].sum()) / (DIM - rank))


def left_half_index() -> np.ndarray:
    """HWC-flattened indices of the left half (w < 32) of a 64x64x3 image."""
    return np.arange(DIM).reshape(SIZE, SIZE, CH)[:, : SIZE // 2, :].reshape(-1)


def quantize(vecs: np.ndarray):
    """Eigenvectors of the flip-symmetric covariance are mirror-symmetric or -antisymmetric: keep the
    left half of each, as int8 with a per-vector scale, and the parity. Returns (int8 [r, DIM/2],
    float32 scales [r], int8 parities [r])."""
    parity = np.sign((vecs * vecs[:, flip_permutation()]).sum(1)).astype(np.int8)
    half = vecs[:, left_half_index()]
    scale = np.abs(half).max(1) / 127.0
    q = np.clip(np.round(half / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32), parity


def dequantize(q: np.ndarray, scale: np.ndarray, parity: np.ndarray) -> np.ndarray:
    """The full eigenvectors [r, DIM] of quantize()'s output (the right half mirrored with the parity)."""
    img = (q.astype(np.float64) * scale[:, None].astype(np.float64)).reshape(-1, SIZE, SIZE // 2, CH)
    right = img[:, :, ::-1, :] * parity[:, None, None, None]
    return np.concatenate([img, right], axis=2).reshape(len(q), DIM)


def operator(sigma: float) -> np.ndarray:
    """D [768, 12288] on HWC-flattened images: y[i, j, c] = sum A[i, h] A[j, w] x[h, w, c]."""
    a = degradation_matrix(SIZE, sigma)
    return np.kron(a, np.kron(a, np.eye(CH)))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR of uint8-rounded [-1, 1] images against uint8 references."""
    qa = np.clip(np.round((a + 1) * 127.5), 0, 255)
    return 10 * math.log10(255.0 ** 2 / np.mean((qa - b) ** 2))


def ranks(faces: int, threads: int, quantized: bool) -> None:
    torch.set_num_threads(threads)
    mean = np.load(os.path.join(RUNS, "mean.npy"))
    cov = np.load(os.path.join(RUNS, "cov.npy")).astype(np.float64)
    lam = np.load(os.path.join(RUNS, "eigvals.npy"))
    vecs = np.load(os.path.join(RUNS, "eigvecs1024.npy")).astype(np.float64)
    if quantized:
        vecs = dequantize(*quantize(vecs))
    dev, names = load_dev(shared_path("data", "faces64", "dev"))
    step = max(1, len(dev) // faces)
    dev, names = dev[::step][:faces], names[::step][:faces]
    rank_list = [32, 64, 128, 192, 256, 384, 512, 640, 768, 1024]
    rows = {r: [] for r in ["full", *rank_list]}
    bic = []
    from PIL import Image
    for case in (0, 3, 7):
        sigma, _, _ = protocol_case(case)
        d = operator(sigma)
        dcd_full = d @ cov @ d.T
        ddt = d @ d.T
        dv = d @ vecs.T  # [768, 1024]
        for i, (img, name) in enumerate(zip(dev, names)):
            lr = degrade(img, case, seed=zlib.crc32(f"{name}:{case}".encode()))
            x = img.reshape(-1) / 127.5 - 1.0
            y = lr.reshape(-1) / 127.5 - 1.0
            s2 = float(np.mean((y - d @ x) ** 2))  # oracle effective noise (noise + JPEG + rounding)
            r = y - d @ mean
            est = mean + cov @ (d.T @ np.linalg.solve(dcd_full + s2 * np.eye(len(y)), r))
            rows["full"].append(psnr(est.reshape(SIZE, SIZE, CH), img))
            for k in rank_list:
                rho = remainder(k)
                u, dk = vecs[:k], dv[:, :k]
                m = (dk * (lam[:k] - rho)) @ dk.T + rho * ddt + s2 * np.eye(len(y))
                w = np.linalg.solve(m, r)
                dtw = d.T @ w
                est = mean + u.T @ ((lam[:k] - rho) * (u @ dtw)) + rho * dtw
                rows[k].append(psnr(est.reshape(SIZE, SIZE, CH), img))
            up = np.asarray(Image.fromarray(lr).resize((SIZE, SIZE), Image.BICUBIC), dtype=np.float64) / 127.5 - 1
            bic.append(psnr(up, img))
        print(f"case {case} done", flush=True)
    table = {str(k): float(np.mean(v)) for k, v in rows.items()}
    table["bicubic (PIL)"] = float(np.mean(bic))
    with open(os.path.join(RUNS, "ranks-int8.json" if quantized else "ranks.json"), "w") as f:
        json.dump({"faces": len(dev), "cases": [0, 3, 7], "eigenvectors": "int8 halves" if quantized else "float64", "psnr": table}, f, indent=1)
    print(json.dumps(table, indent=1))


def export(rank: int) -> None:
    mean = np.load(os.path.join(RUNS, "mean.npy"))
    lam = np.load(os.path.join(RUNS, "eigvals.npy"))
    q, scale, parity = quantize(np.load(os.path.join(RUNS, "eigvecs1024.npy")).astype(np.float64)[:rank])
    rho = remainder(rank)
    fit = json.load(open(os.path.join(RUNS, "fit.json")))
    meta = {
        "format": "difbfsr-gaussian-face-model/1",
        "layout": "HWC-flattened 64x64x3, values in [-1, 1]",
        "resolution": str(SIZE),
        "rank": str(rank),
        "remainder_variance": repr(rho),
        "covariance": "U diag(eigenvalues - remainder) U^T + remainder I",
        "eigenvectors": "int8 left halves (columns w < 32, HWC order) times a per-vector scale; the right half is the "
                        "mirror image times the vector's parity (+1 symmetric, -1 antisymmetric)",
        "train_images": str(fit["train_images"]),
        "flip_augmented": "true",
        "license": "derived from CelebA and UTKFace: non-commercial research use only",
    }
    tensors = {
        "mean": torch.from_numpy(mean.astype(np.float16)),
        "eigenvalues": torch.from_numpy(lam[:rank].astype(np.float32)),
        "eigenvector_halves": torch.from_numpy(q),
        "eigenvector_scales": torch.from_numpy(scale),
        "eigenvector_parities": torch.from_numpy(parity),
    }
    size = save_safetensors(ASSET, tensors, meta)
    print(f"wrote {ASSET} ({size / 2**20:.2f} MiB), rank {rank}, remainder {rho:.3e}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("step", choices=["covariance", "eigen", "ranks", "export"])
    p.add_argument("--rank", type=int, default=384)
    p.add_argument("--faces", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--quantized", action="store_true", help="ranks: with the eigenvectors as shipped (int8 halves)")
    a = p.parse_args()
    if a.step == "covariance":
        covariance(a.threads)
    elif a.step == "eigen":
        eigen(a.threads)
    elif a.step == "ranks":
        ranks(a.faces, a.threads, a.quantized)
    else:
        export(a.rank)


if __name__ == "__main__":
    main()
