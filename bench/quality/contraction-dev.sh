#!/usr/bin/env bash
# The contraction's data term and fusion on the quality bench (docs/benchmarks.md, "Contraction: the
# CFM on the fixed low-pass's band, the data term through D"): #4 against bicubic on dev16 x cases 0,
# 3 and 7 at 25 steps; restore()'s defaults (the estimated degradation), area downsampling (no
# estimator), and the true degradation with the LR low-pass fixed or proportional to the noise.
# Resumable: rerun to continue. The tag `before` of that section is the first command at the
# branch's base (commit 0ccf20e: the CFM on the full band, area downsampling).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=bench/out/contraction
COMMON=(--list bench/quality/dev16.txt --cases 0,3,7 --methods bicubic,#4 --steps 25 --out "$OUT" --no-report "$@")
run() { local tag=$1; shift; pnpm -s bench quality "${COMMON[@]}" --tag "$tag" "$@"; }
run default
run area --degradation area
for sigma in 0.5 1 1.6; do run "oracle-L$sigma" --degradation oracle --lr-sigma "$sigma"; done
for k in 0.08 0.1; do run "oracle-k$k" --degradation oracle --lr-sigma-per-noise "$k"; done
pnpm -s bench quality --report --out "$OUT" --list bench/quality/dev16.txt
