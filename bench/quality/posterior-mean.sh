#!/usr/bin/env bash
# Posterior mean vs posterior sample (docs/benchmarks.md, "Quality"): #1 and #4 with seeds 0..7
# (seed 0 is the tables' run) on dev16 at cases 0, 3 and 7 and on the four faces of our own (samples
# of the bundled prior) at cases 0 and 7, then the PSNR of the mean of the 8 outputs of each item
# (bench/quality/posterior-mean.ts). Own output folders, so the tables' reports stay as they are.
# Resumable; extra args (`--shard i/n`) go to the bench.
set -euo pipefail
cd "$(dirname "$0")/../.."
for seed in 0 1 2 3 4 5 6 7; do
  pnpm -s bench quality --list bench/quality/dev16.txt --cases 0,3,7 --methods 'bicubic,#1,#4' --steps 50 \
    --seed "$seed" --tag table --out bench/out/quality-pmean --no-report "$@"
  pnpm -s bench quality --hr-dir bench/out/own-faces --list bench/quality/own4.txt --cases 0,7 \
    --methods 'bicubic,#1,#4' --steps 50 --seed "$seed" --tag own --out bench/out/quality-pmean-own --no-report "$@"
done
node --import tsx bench/quality/posterior-mean.ts --out bench/out/quality-pmean --tag table
node --import tsx bench/quality/posterior-mean.ts --out bench/out/quality-pmean-own --tag own --hr-dir bench/out/own-faces
