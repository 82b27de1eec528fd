"""Copy what the GPU run needs into tools/train-prior/gpu-bundle/ (git-ignored): train.zip, 32 dev
PNGs (train.py's evaluation during training reads 32), train.py, the prior package and run-gpu.sh.
The device machine receives the repository's tracked files AND this bundle, 64 MiB in all: the check
below counts both.
The GPU machine needs PyTorch 2.x with CUDA, numpy and Pillow (with WebP), and no network.

    /usr/bin/python3 tools/train-prior/prepare_gpu_bundle.py
"""

import glob
import os
import shutil
import subprocess
import sys

from prior.paths import REPO_DIR, TOOL_DIR, shared_path

LIMIT = 64 * 2**20


def main() -> None:
    dest = os.path.join(TOOL_DIR, "gpu-bundle")
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(os.path.join(dest, "dev"))
    os.makedirs(os.path.join(dest, "prior"))
    shutil.copyfile(shared_path("data", "faces64", "train.zip"), os.path.join(dest, "train.zip"))
    for png in sorted(glob.glob(shared_path("data", "faces64", "dev", "*.png")))[::8][:32]:
        shutil.copyfile(png, os.path.join(dest, "dev", os.path.basename(png)))
    for f in ("train.py", "run-gpu.sh"):
        shutil.copyfile(os.path.join(TOOL_DIR, f), os.path.join(dest, f))
    for f in glob.glob(os.path.join(TOOL_DIR, "prior", "*.py")):
        shutil.copyfile(f, os.path.join(dest, "prior", os.path.basename(f)))
    bundle = sum(os.path.getsize(p) for p in glob.glob(os.path.join(dest, "**"), recursive=True) if os.path.isfile(p))
    tracked = tracked_bytes()
    print(f"{dest}: {bundle / 2**20:.1f} MiB; with the repository's tracked files {(bundle + tracked) / 2**20:.1f} MiB")
    if bundle + tracked >= LIMIT:
        sys.exit(f"bundle + tracked files are {(bundle + tracked) / 2**20:.1f} MiB, over the device's 64 MiB limit")


def tracked_bytes() -> int:
    """Size of the repository's tracked files (what the device machine receives besides the bundle)."""
    names = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_DIR, capture_output=True, check=True).stdout.split(b"\0")
    return sum(os.path.getsize(os.path.join(REPO_DIR, n.decode())) for n in names if n and os.path.isfile(os.path.join(REPO_DIR, n.decode())))


if __name__ == "__main__":
    main()
