#!/usr/bin/env bash
# The paper's table 1 and table 4 at 64 px (docs/benchmarks.md, "Quality"): every method on dev16 at
# all eight cases, then bicubic vs #4 on dev128 at cases 0, 3 and 7. Resumable: rerun to continue;
# `--shard i/n` extra args split the work between processes. Steps 50 (the default is 100: the
# tuning sweep measured 100 steps 0.07 dB above 50 on #4) to fit the runs into these machines' time.
set -euo pipefail
cd "$(dirname "$0")/../.."
pnpm -s bench quality --list bench/quality/dev16.txt --cases 0,1,2,3,4,5,6,7 \
  --methods bicubic,#1,#2,#3,#4,ddnm --steps 50 --tag table --out bench/out/quality-dev16 --no-report "$@"
pnpm -s bench quality --list bench/quality/dev128.txt --cases 0,3,7 \
  --methods bicubic,#4 --steps 50 --tag table --out bench/out/quality-dev128 --no-report "$@"
