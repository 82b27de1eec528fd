import { describe, expect, it } from 'vitest';
import { niceTicks, perceptionDistortionSvg, placeLabels, planePoints } from '@difbfsr/eval';
import { errorOf } from '../../../test-utils/plain-backend.js';

const report = {
  tags: [
    { tag: 'steps25', overall: [{ label: 'bicubic', psnr: 20, descriptorFrechet: 0.3 }, { label: '#4', psnr: 22, descriptorFrechet: 0.1 }] },
    { tag: 'old', overall: [{ label: 'bicubic', psnr: 21, descriptorFrechet: null }] },
    { tag: 'knob', overall: [{ label: '#4@0.2', psnr: 24, descriptorFrechet: 0.2 }] },
  ],
};

/** The circles of the plotted points: centre and tooltip. */
function circles(svg: string): { cx: number; cy: number; title: string }[] {
  return [...svg.matchAll(/<circle class="point" cx="([\d.]+)" cy="([\d.]+)"[^>]*><title>([^<]*)<\/title>/g)].map((m) => ({ cx: Number(m[1]), cy: Number(m[2]), title: m[3] }));
}

/** x of a vertical gridline labelled `t`. */
function gridX(svg: string, t: number): number {
  const m = new RegExp(`<line x1="([\\d.]+)"[^>]*/>\\s*<text[^>]*text-anchor="middle">${t}</text>`).exec(svg);
  return Number(m![1]);
}

describe('perception-distortion plot', () => {
  it('takes every tag and method row with a Fréchet distance, from any number of reports', () => {
    expect(planePoints([{ name: 'a', report }]).map((p) => `${p.series} ${p.label}`)).toEqual(['steps25 bicubic', 'steps25 #4', 'knob #4@0.2']);
    expect(planePoints([{ name: 'a', report }, { name: 'b', report }]).map((p) => p.series)).toContain('b: knob');
  });

  it('picks round ticks that span the data', () => {
    expect(niceTicks(0.13, 0.87)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(16.2, 27.9)).toEqual([15, 20, 25, 30]);
    expect(niceTicks(16.2, 27.9, 10)).toEqual([16, 18, 20, 22, 24, 26, 28]);
  });

  it('places each point by PSNR left to right and by distance bottom to top, on the gridlines of equal values', () => {
    const points = planePoints([{ name: 'a', report }]);
    const svg = perceptionDistortionSvg(points, 'test');
    const dots = circles(svg);
    expect(dots.map((d) => d.title)).toEqual(['steps25 bicubic: 20.00 dB, FD 0.3000', 'steps25 #4: 22.00 dB, FD 0.1000', 'knob #4@0.2: 24.00 dB, FD 0.2000']);
    // PSNR 20, 22 and 24 dB sit on the 20, 22 and 24 gridlines.
    dots.forEach((d, i) => expect(d.cx).toBeCloseTo(gridX(svg, [20, 22, 24][i]), 1));
    // Larger distance is higher up (smaller y), and y is linear in the distance.
    expect(dots[0].cy).toBeLessThan(dots[2].cy);
    expect(dots[2].cy).toBeLessThan(dots[1].cy);
    expect((dots[0].cy - dots[2].cy) / (dots[2].cy - dots[1].cy)).toBeCloseTo(1, 2);
    expect(svg).toContain('>knob</text>');
  });

  it('moves labels of clustered dots apart so that no two boxes overlap', () => {
    const dots = [0, 1, 2, 3, 4].map((i) => ({ x: 300 + 2 * i, y: 200 + i, text: `#${i}` }));
    const boxes = placeLabels(dots).map((p, i) => ({ x0: p.x, x1: p.x + 7 * dots[i].text.length, y0: p.y - 11, y1: p.y + 2 }));
    for (const [i, a] of boxes.entries())
      for (const b of boxes.slice(i + 1)) expect(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1).toBe(false);
    // A lone dot keeps the first spot: right of it, above.
    expect(placeLabels([{ x: 10, y: 50, text: 'a' }])).toEqual([{ x: 17, y: 44 }]);
  });

  it('refuses to draw an empty plane', () => {
    expect(errorOf(() => perceptionDistortionSvg([], 'empty')).code).toBe('INVALID_INPUT');
  });
});
