"""Small PNG line plots and image grids with PIL (no matplotlib on the training machines)."""

from __future__ import annotations

import math
from typing import Dict, List, Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw

COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75)]


def line_plot(path: str, curves: Dict[str, List[Tuple[float, float]]], x_label: str, y_label: str,
              log_y: bool = False, size: Tuple[int, int] = (720, 420)) -> None:
    """Curves as (x, y) points on shared axes, with a legend and min/max tick labels."""
    w, h = size
    left, right, top, bottom = 70, 20, 20, 50
    pts = [(x, y) for c in curves.values() for x, y in c if y > 0 or not log_y]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    fy = (lambda v: math.log10(v)) if log_y else (lambda v: v)
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y0, y1 = fy(min(ys)), fy(max(ys))
    if y1 - y0 < 1e-9:
        y1 = y0 + 1
    y0, y1 = y0 - 0.04 * (y1 - y0), y1 + 0.04 * (y1 - y0)  # margins so the extremes are not on the frame
    img = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(img)
    d.rectangle([left, top, w - right, h - bottom], outline="black")

    def px(x, y):
        return (left + (x - x0) / (x1 - x0) * (w - left - right), h - bottom - (fy(y) - y0) / (y1 - y0) * (h - top - bottom))

    ticks = [10 ** e * m for e in range(math.floor(y0) - 1, math.ceil(y1) + 1) for m in (1, 2, 5)] if log_y else list(np.linspace(min(ys), max(ys), 5))
    for v in ticks:
        if v <= 0 and log_y:
            continue
        if y0 - 1e-9 <= fy(v) <= y1 + 1e-9:
            _, yy = px(x0, v)
            d.line([left - 4, yy, left, yy], fill="black")
            d.text((4, yy - 6), f"{v:.3g}", fill="black")
    for v in np.linspace(x0, x1, 6):
        xx, _ = px(v, 10 ** y0 if log_y else y0)
        d.line([xx, h - bottom, xx, h - bottom + 4], fill="black")
        d.text((xx - 12, h - bottom + 6), f"{v:.0f}", fill="black")
    d.text((w // 2 - 20, h - 18), x_label, fill="black")
    d.text((4, 4), y_label, fill="black")
    for i, (name, c) in enumerate(curves.items()):
        color = COLORS[i % len(COLORS)]
        line = [px(x, y) for x, y in c if y > 0 or not log_y]
        if len(line) > 1:
            d.line(line, fill=color, width=2)
        elif line:
            d.ellipse([line[0][0] - 2, line[0][1] - 2, line[0][0] + 2, line[0][1] + 2], fill=color)
        d.line([w - right - 200, top + 12 + 14 * i, w - right - 180, top + 12 + 14 * i], fill=color, width=2)
        d.text((w - right - 175, top + 6 + 14 * i), name, fill="black")
    img.save(path)


def image_grid(images: Sequence[np.ndarray], cols: int, scale: int = 1, pad: int = 2) -> Image.Image:
    """uint8 HWC images in rows of ``cols``, ``pad`` white pixels apart, optionally enlarged (nearest)."""
    h, w = images[0].shape[:2]
    rows = math.ceil(len(images) / cols)
    grid = Image.new("RGB", (cols * (w * scale + pad) + pad, rows * (h * scale + pad) + pad), "white")
    for i, im in enumerate(images):
        tile = Image.fromarray(im)
        if scale != 1:
            tile = tile.resize((w * scale, h * scale), Image.NEAREST)
        grid.paste(tile, (pad + (i % cols) * (w * scale + pad), pad + (i // cols) * (h * scale + pad)))
    return grid
