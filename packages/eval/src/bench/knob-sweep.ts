import type { QualityRecord } from './quality-record.js';
import { niceTicks } from './perception-distortion-plot.js';

/** One value of the posterior sampler's `fidelity` knob, averaged over the items every value has. */
export interface KnobRow {
  fidelity: number;
  items: number;
  psnr: number;
  ssim: number;
  identity: number;
  /** Share of outputs at descriptor distance >= 0.6 from the clean face (dlib's threshold). */
  notSamePerson: number;
  /** Bicubic's PSNR on the same items, when the records hold it. */
  bicubicPsnr?: number;
  /** Bicubic's identity on the same items, when the records hold it. */
  bicubicIdentity?: number;
}

/** Mean of the values that are there (records made before a metric existed lack it). */
function mean(xs: readonly (number | null | undefined)[]): number {
  const have = xs.filter((x): x is number => typeof x === 'number');
  return have.reduce((a, b) => a + b, 0) / have.length;
}
const item = (r: QualityRecord): string => `${r.face}|${r.case}`;

/**
 * The knob sweep of `method: 'posterior'` records: one row per `fidelity` value, over the
 * (face, case) items that every value (and bicubic, for its column) has.
 */
export function knobSweep(records: readonly QualityRecord[]): KnobRow[] {
  const byFidelity = new Map<number, Map<string, QualityRecord>>();
  const bicubic = new Map<string, QualityRecord>();
  for (const r of records) {
    if (r.method === 'bicubic') bicubic.set(item(r), r);
    const f = r.settings.fidelity;
    if (r.method !== 'posterior' || typeof f !== 'number') continue;
    if (!byFidelity.has(f)) byFidelity.set(f, new Map());
    byFidelity.get(f)!.set(item(r), r);
  }
  const groups = [...byFidelity.entries()].sort(([a], [b]) => a - b);
  if (groups.length === 0) return [];
  const common = [...groups[0][1].keys()].filter((k) => groups.every(([, g]) => g.has(k)));
  const withBicubic = common.every((k) => bicubic.has(k));
  return groups.map(([fidelity, g]) => {
    const rs = common.map((k) => g.get(k)!);
    return {
      fidelity,
      items: rs.length,
      psnr: mean(rs.map((r) => r.psnr)),
      ssim: mean(rs.map((r) => r.ssim)),
      identity: mean(rs.map((r) => r.identity)),
      notSamePerson: mean(rs.map((r) => ((r.identityDistance ?? 0) >= 0.6 ? 1 : 0))),
      ...(withBicubic && common.length > 0
        ? { bicubicPsnr: mean(common.map((k) => bicubic.get(k)!.psnr)), bicubicIdentity: mean(common.map((k) => bicubic.get(k)!.identity)) }
        : {}),
    };
  });
}

/** One panel: a metric against the knob, with its axis ticks. */
function panel(rows: readonly KnobRow[], pick: (r: KnobRow) => number, name: string, left: number, reference?: number): string {
  const [w, h, top] = [300, 220, 40];
  const values = rows.map(pick).concat(reference === undefined ? [] : [reference]);
  const ticks = niceTicks(Math.min(...values), Math.max(...values), 4);
  const [lo, hi] = [ticks[0], ticks[ticks.length - 1]];
  const x = (f: number): number => left + 50 + f * (w - 70);
  const y = (v: number): number => top + h - 30 - ((v - lo) / (hi - lo || 1)) * (h - 50);
  const axis = ticks.map((t) => `<line x1="${left + 50}" x2="${left + w - 20}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/><text x="${left + 45}" y="${y(t) + 4}" text-anchor="end">${t}</text>`).join('');
  const xTicks = rows.map((r) => `<text x="${x(r.fidelity)}" y="${top + h - 12}" text-anchor="middle">${r.fidelity}</text>`).join('');
  const line = `<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="${rows.map((r) => `${x(r.fidelity)},${y(pick(r))}`).join(' ')}"/>`;
  const dots = rows.map((r) => `<circle cx="${x(r.fidelity)}" cy="${y(pick(r))}" r="4" fill="#1f77b4"/>`).join('');
  const ref = reference === undefined ? '' : `<line x1="${left + 50}" x2="${left + w - 20}" y1="${y(reference)}" y2="${y(reference)}" stroke="#d62728" stroke-dasharray="5,4"/><text x="${left + w - 22}" y="${y(reference) - 5}" text-anchor="end" fill="#d62728">bicubic</text>`;
  return `${axis}${xTicks}${ref}${line}${dots}<text x="${left + w / 2 + 15}" y="${top - 10}" text-anchor="middle" font-weight="bold">${name}</text>`;
}

/** PSNR and identity against the knob, side by side, as an SVG document. */
export function knobSweepSvg(rows: readonly KnobRow[], title: string): string {
  const body = panel(rows, (r) => r.psnr, 'PSNR (dB)', 0, rows[0]?.bicubicPsnr) + panel(rows, (r) => r.identity, 'identity (cosine)', 310, rows[0]?.bicubicIdentity);
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" width="620" height="300" font-family="sans-serif" font-size="12">',
    '<rect width="620" height="300" fill="white"/>',
    `<text x="310" y="16" text-anchor="middle" font-size="13">${title}</text>`,
    body,
    '<text x="310" y="292" text-anchor="middle">fidelity (0: one posterior sample, 1: the posterior mean estimate)</text>',
    '</svg>',
    '',
  ].join('\n');
}
