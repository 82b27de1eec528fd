#!/usr/bin/env bash
# The fidelity/quality knob (README and docs/benchmarks.md, "strength"): #4 at restore()'s defaults
# with strength 0.2 .. 0.8, on the first 8 faces of dev16 at cases 0, 3 and 7. Resumable.
set -euo pipefail
cd "$(dirname "$0")/../.."
for s in 0.2 0.4 0.6 0.8; do
  pnpm -s bench quality --list bench/quality/dev16.txt --limit 8 --cases 0,3,7 --methods bicubic,#4 \
    --strength "$s" --tag "strength$s" --out bench/out/quality-strength --no-report "$@"
done
pnpm -s bench quality --report --out bench/out/quality-strength
