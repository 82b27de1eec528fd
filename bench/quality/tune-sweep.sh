#!/usr/bin/env bash
# The tuning sweep behind restore()'s defaults (docs/benchmarks.md, "Tuning"): #4 against bicubic on
# the first 4 faces of dev16 at cases 0, 3 and 7, one option changed at a time from the defaults.
# Resumable: rerun to continue. Usage: bash bench/quality/tune-sweep.sh [--steps 50] [extra args]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=bench/out/quality-tune
COMMON=(--list bench/quality/dev16.txt --limit 4 --cases 0,3,7 --methods bicubic,#4 --out "$OUT" --no-report "$@")
run() { local tag=$1; shift; pnpm -s bench quality "${COMMON[@]}" --tag "$tag" "$@"; }
run base
run strength0.2 --strength 0.2
run strength0.6 --strength 0.6
run kernel3 --cfm-kernel 3
run kernel11 --cfm-kernel 11
run lrsigma0 --lr-sigma 0
run lrsigma2 --lr-sigma 2
run warmup50 --warmup-iters 50
run adam2 --adam-steps 2
run srmdip --srm-start dip
run warmup50-kernel3 --warmup-iters 50 --cfm-kernel 3
run warmup50-lrsigma0 --warmup-iters 50 --lr-sigma 0
run steps100 --steps 100
run warmup50-steps100 --warmup-iters 50 --steps 100
pnpm -s bench quality --report --out "$OUT"
