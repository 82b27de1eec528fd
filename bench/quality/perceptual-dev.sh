#!/usr/bin/env bash
# The perceptual metrics' dev run (docs/benchmarks.md, "Perceptual metrics"): every method on dev16 at
# cases 0, 4 and 7 with 25 steps (tag steps25, restore()'s default strength 0.4), #4 at strength 0.2,
# 0.6 and 0.8 (the fidelity knob), then the report and the perception-distortion plot. Resumable.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bench/out/quality-perceptual
pnpm -s bench quality --list bench/quality/dev16.txt --cases 0,4,7 --methods bicubic,#1,#2,#3,#4,ddnm \
  --steps 25 --tag steps25 --out "$out" --no-report "$@"
for s in 0.2 0.6 0.8; do
  pnpm -s bench quality --list bench/quality/dev16.txt --cases 0,4,7 --methods '#4' \
    --steps 25 --strength "$s" --tag "steps25-strength$s" --out "$out" --no-report "$@"
done
pnpm -s bench quality --report --out "$out"
pnpm -s bench pd-plot --out docs/img/perception-distortion.svg --title 'Perception-distortion plane: dev16 x cases 0, 4, 7, 25 steps' "$out/report.json"
