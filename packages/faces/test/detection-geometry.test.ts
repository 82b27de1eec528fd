import { describe, expect, it } from 'vitest';
import { detectionTiles, fiveFrom68, iou, suppressOverlaps } from '@difbfsr/faces';

describe('five landmarks from the 68-point layout', () => {
  it('averages each eye contour and picks the nose tip and outer mouth corners', () => {
    const points = Array.from({ length: 68 }, (_, i) => ({ x: i, y: 2 * i }));
    const [le, re, nose, lm, rm] = fiveFrom68(points);
    expect(le).toEqual({ x: 38.5, y: 77 }); // mean of 36..41
    expect(re).toEqual({ x: 44.5, y: 89 }); // mean of 42..47
    expect(nose).toEqual({ x: 30, y: 60 });
    expect(lm).toEqual({ x: 48, y: 96 });
    expect(rm).toEqual({ x: 54, y: 108 });
    expect(() => fiveFrom68(points.slice(1))).toThrow(/68/);
  });
});

describe('detection tiles', () => {
  it('one pass when the image is small enough for the smallest face', () => {
    expect(detectionTiles(300, 200, 40, 512, 40)).toEqual([{ x: 0, y: 0, width: 300, height: 200 }]);
  });

  it('every face from minFaceSize up lies whole in a tile where it reaches the detectable size', () => {
    const [w, h, minFace, input, detectable] = [700, 500, 12, 512, 40];
    const tiles = detectionTiles(w, h, minFace, input, detectable);
    expect(tiles.at(-1)).toEqual({ x: 0, y: 0, width: w, height: h });
    for (const t of tiles) {
      expect(t.x + t.width).toBeLessThanOrEqual(w);
      expect(t.y + t.height).toBeLessThanOrEqual(h);
    }
    // faces of every size on a grid of positions
    for (let size = minFace; size < 400; size = Math.ceil(size * 1.3)) {
      for (let y = 0; y + size <= h; y += 37)
        for (let x = 0; x + size <= w; x += 41) {
          const ok = tiles.some(
            (t) => x >= t.x && y >= t.y && x + size <= t.x + t.width && y + size <= t.y + t.height && (size * input) / Math.max(t.width, t.height) >= detectable - 1e-9,
          );
          if (!ok) throw new Error(`face ${size}px at (${x}, ${y}) is in no tile where it is detectable`);
        }
    }
  });
});

describe('merging detections', () => {
  it('IoU of known boxes, and suppression keeps the best of overlapping boxes', () => {
    const a = { x: 0, y: 0, width: 10, height: 10 };
    expect(iou(a, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(50 / 150, 12);
    expect(iou(a, { x: 20, y: 0, width: 5, height: 5 })).toBe(0);
    const kept = suppressOverlaps(
      [
        { box: a, score: 0.7 },
        { box: { x: 1, y: 1, width: 10, height: 10 }, score: 0.9 },
        { box: { x: 30, y: 30, width: 10, height: 10 }, score: 0.6 },
      ],
      0.3,
    );
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.6]);
  });
});
