#!/bin/sh
# The GPU training run, executed inside the bundle made by prepare_gpu_bundle.py (see README.md).
#   sh run-gpu.sh OUT_DIR [MINUTES [extra train.py options...]]
# Trains the "gpu" preset for MINUTES (default 8.5) on cuda and writes the float16 weight sets
# (raw.safetensors, ema*.safetensors, each under 16 MiB) and log.jsonl to OUT_DIR.
# DEVICE=cpu (with small extra options) smoke-tests the same path without a GPU; PYTHON picks the
# interpreter (default python3).
set -eu
OUT=$(mkdir -p "${1:?usage: sh run-gpu.sh OUT_DIR [MINUTES [options]]}" && cd "$1" && pwd)
MINUTES=${2:-8.5}
shift; [ $# -gt 0 ] && shift
DEVICE=${DEVICE:-cuda}
PYTHON=${PYTHON:-python3}
cd "$(dirname "$0")"
"$PYTHON" -c "import torch, PIL; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'pillow', PIL.__version__)"
"$PYTHON" train.py --run gpu64 --runs-dir runs --data train.zip --dev dev --cache runs/cache/train64.npy \
  --device "$DEVICE" --amp --threads 8 --preset gpu --batch-size 128 --lr 2e-4 --warmup 500 --ema 0.999,0.9995 \
  --max-minutes "$MINUTES" --log-every 50 --eval-every 1000 --eval-faces 32 --save-minutes 3 \
  --weights-out "$OUT" "$@"
