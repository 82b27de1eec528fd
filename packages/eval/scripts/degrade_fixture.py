"""Cross-check fixture for @difbfsr/eval's degradation: what tools/train-prior/prior/degrade.py
(the prior trainer's Python version of the protocol) computes on a synthetic 64x64 image.

    /usr/bin/python3 packages/eval/scripts/degrade_fixture.py   # writes packages/eval/test/fixtures/degrade-py.json

The image is a closed-form pattern (no dataset face), rebuilt by the test from the same formula.
Noise is left out (numpy's generator is not reproduced in TypeScript): per case, the fixture holds
the float result of blur + antialiased bicubic x1/4, and the PIL JPEG round trip (quality q, 4:2:0)
of that result rounded to uint8; plus degrade(..., case 7), whose noise is 0, end to end.
"""

import json
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tools" / "train-prior"))
from prior.degrade import degrade, gaussian_blur, imresize, protocol_case  # noqa: E402

from PIL import Image  # noqa: E402
import io  # noqa: E402

SIZE = 64
CASES = (0, 3, 7)


def synthetic_image() -> np.ndarray:
    """v(y, x, c) = (4x + 3(c+1)y + 60 [checker of 8 px] + 37c + 2 ((x y) mod 23)) mod 256."""
    y, x, c = np.meshgrid(np.arange(SIZE), np.arange(SIZE), np.arange(3), indexing="ij")
    checker = ((x >> 3) + (y >> 3)) & 1
    return ((4 * x + 3 * (c + 1) * y + 60 * checker + 37 * c + 2 * ((x * y) % 23)) % 256).astype(np.uint8)


def jpeg_round_trip(img: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=quality, subsampling=2)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def main() -> None:
    hr = synthetic_image()
    cases = []
    for i in CASES:
        sigma, noise, quality = protocol_case(i)
        low = imresize(gaussian_blur(hr.astype(np.float64), sigma), 0.25)
        rounded = np.clip(np.round(low), 0, 255).astype(np.uint8)
        cases.append({
            "case": i, "sigma": sigma, "noise": noise, "quality": quality,
            "low": [float(f"{v:.12g}") for v in low.ravel()],
            "jpeg": jpeg_round_trip(rounded, quality).ravel().tolist(),
        })
    out = {
        "source": "packages/eval/scripts/degrade_fixture.py (tools/train-prior/prior/degrade.py, PIL " + Image.__version__ + ")",
        "size": SIZE,
        "cases": cases,
        "degradeCase7": degrade(hr, 7, seed=0).ravel().tolist(),
    }
    path = ROOT / "packages" / "eval" / "test" / "fixtures" / "degrade-py.json"
    path.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
