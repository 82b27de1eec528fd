#!/usr/bin/env bash
# Posterior mean vs posterior sample (docs/benchmarks.md, "Quality"): reruns #1 and #4 of the table
# runs with seeds 1..7 (seed 0 is the tables' run, reused), on dev16 at cases 0, 3 and 7 and on the
# four faces of our own (samples of the bundled prior) at cases 0 and 7, then averages the 8 outputs
# of each item (bench/quality/posterior-mean.ts). Resumable; extra args (`--shard i/n`) go to the bench.
set -euo pipefail
cd "$(dirname "$0")/../.."
for seed in 1 2 3 4 5 6 7; do
  pnpm -s bench quality --list bench/quality/dev16.txt --cases 0,3,7 --methods '#1,#4' --steps 50 \
    --seed "$seed" --tag table --out bench/out/quality-dev16 --no-report "$@"
  pnpm -s bench quality --hr-dir bench/out/own-faces --list bench/quality/own4.txt --cases 0,7 \
    --methods '#1,#4' --steps 50 --seed "$seed" --tag own --out bench/out/quality-own --no-report "$@"
done
node --import tsx bench/quality/posterior-mean.ts --out bench/out/quality-dev16 --tag table
node --import tsx bench/quality/posterior-mean.ts --out bench/out/quality-own --tag own --hr-dir bench/out/own-faces
