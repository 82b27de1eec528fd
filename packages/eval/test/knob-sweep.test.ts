import { describe, expect, it } from 'vitest';
import { knobSweep, knobSweepSvg, type QualityRecord } from '@difbfsr/eval';

/** A record with just what the sweep reads. */
function record(face: string, method: string, psnr: number, fidelity?: number, identityDistance = 0.5): QualityRecord {
  return {
    key: `${face}|0|${method}|t|${fidelity}`,
    face,
    case: 0,
    method,
    tag: 't',
    settingsHash: String(fidelity),
    settings: fidelity === undefined ? { method } : { method, fidelity },
    psnr,
    ssim: psnr / 100,
    identity: 1 - identityDistance / 2,
    identityDistance,
  } as unknown as QualityRecord;
}

describe('the fidelity knob sweep', () => {
  it('averages each fidelity value over the items every value has, with bicubic on the same items', () => {
    const rows = knobSweep([
      record('a', 'bicubic', 20),
      record('b', 'bicubic', 22),
      record('c', 'bicubic', 30),
      record('a', 'posterior', 19, 0, 0.7),
      record('b', 'posterior', 21, 0),
      record('c', 'posterior', 40, 0), // only fidelity 0 has face c: left out
      record('a', 'posterior', 21, 1),
      record('b', 'posterior', 23, 1),
    ]);
    expect(rows.map((r) => [r.fidelity, r.items, r.psnr, r.bicubicPsnr, r.notSamePerson, r.bicubicIdentity])).toEqual([
      [0, 2, 20, 21, 0.5, 0.75],
      [1, 2, 22, 21, 0, 0.75],
    ]);
    const svg = knobSweepSvg(rows, 'test');
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/>bicubic</g)).toHaveLength(2);
    expect(svg.match(/<circle/g)).toHaveLength(4);
  });

  it('is empty without posterior records', () => {
    expect(knobSweep([record('a', 'bicubic', 20)])).toEqual([]);
  });
});
