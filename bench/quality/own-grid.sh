#!/usr/bin/env bash
# The committed picture of the quality bench (docs/img/quality-grid-own-case*.png): every method on
# four faces of our own (samples of the bundled prior; the dev faces are non-commercial and stay in
# bench/out) at cases 0 and 7, with restore()'s defaults at 50 steps like the tables.
set -euo pipefail
cd "$(dirname "$0")/../.."
node --import tsx bench/quality/own-faces.ts --count 6 --out bench/out/own-faces
pnpm -s bench quality --hr-dir bench/out/own-faces --list bench/quality/own4.txt --cases 0,7 \
  --methods bicubic,#1,#2,#3,#4,ddnm --steps 50 --tag own --out bench/out/quality-own
mkdir -p docs/img
for c in 0 7; do cp "bench/out/quality-own/grid-own-case$c.png" "docs/img/quality-grid-own-case$c.png"; done
