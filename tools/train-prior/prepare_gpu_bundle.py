"""Copy what the GPU run needs into tools/train-prior/gpu-bundle/ (git-ignored, under 64 MiB):
train.zip, the dev PNGs (evaluation during training), train.py, the prior package and run-gpu.sh.
The GPU machine needs PyTorch 2.x with CUDA, numpy and Pillow (with WebP), and no network.

    /usr/bin/python3 tools/train-prior/prepare_gpu_bundle.py
"""

import glob
import os
import shutil
import sys

from prior.paths import TOOL_DIR, shared_path

LIMIT = 64 * 2**20


def main() -> None:
    dest = os.path.join(TOOL_DIR, "gpu-bundle")
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(os.path.join(dest, "dev"))
    os.makedirs(os.path.join(dest, "prior"))
    shutil.copyfile(shared_path("data", "faces64", "train.zip"), os.path.join(dest, "train.zip"))
    for png in glob.glob(shared_path("data", "faces64", "dev", "*.png")):
        shutil.copyfile(png, os.path.join(dest, "dev", os.path.basename(png)))
    for f in ("train.py", "run-gpu.sh"):
        shutil.copyfile(os.path.join(TOOL_DIR, f), os.path.join(dest, f))
    for f in glob.glob(os.path.join(TOOL_DIR, "prior", "*.py")):
        shutil.copyfile(f, os.path.join(dest, "prior", os.path.basename(f)))
    total = sum(os.path.getsize(p) for p in glob.glob(os.path.join(dest, "**"), recursive=True) if os.path.isfile(p))
    print(f"{dest}: {total / 2**20:.1f} MiB")
    if total >= LIMIT:
        sys.exit(f"bundle is {total / 2**20:.1f} MiB, over the 64 MiB limit")


if __name__ == "__main__":
    main()
