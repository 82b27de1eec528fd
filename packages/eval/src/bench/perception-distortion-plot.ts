import { DifbfsrError } from '@difbfsr/core';

/** One method row of a bench report, placed on the perception-distortion plane. */
export interface PlanePoint {
  /** Which report and tag the row came from (one colour each). */
  readonly series: string;
  /** The method's column label. */
  readonly label: string;
  readonly psnr: number;
  readonly frechet: number;
}

/** The part of a report.json the plot reads. */
interface ReportRows {
  readonly tags?: { readonly tag: string; readonly overall: { readonly label: string; readonly psnr: number; readonly descriptorFrechet?: number | null }[] }[];
}

/**
 * Every (tag, method) row of the reports that has both a PSNR and a descriptor Fréchet distance,
 * in report, tag and column order. `name` tells reports apart in the series names when there are several.
 */
export function planePoints(reports: readonly { name: string; report: unknown }[]): PlanePoint[] {
  return reports.flatMap(({ name, report }) =>
    ((report as ReportRows).tags ?? []).flatMap((t) =>
      t.overall
        .filter((m) => typeof m.descriptorFrechet === 'number' && Number.isFinite(m.psnr))
        .map((m) => ({ series: reports.length > 1 ? `${name}: ${t.tag}` : t.tag, label: m.label, psnr: m.psnr, frechet: m.descriptorFrechet as number })),
    ),
  );
}

/** Round numbers (1, 2 or 5 times a power of ten) spanning [lo, hi] with about `count` steps. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1] < hi) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const W = 720;
const H = 480;
const M = { left: 70, right: 190, top: 40, bottom: 60 };
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Round ticks over the values' range widened by a tenth on each side (so no point sits on the frame). */
function paddedTicks(values: number[]): number[] {
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  const pad = (hi - lo || Math.abs(hi) || 1) / 10;
  return niceTicks(lo - pad, hi + pad);
}

/** The linear maps of the plot area: PSNR to x, Fréchet distance to y (up is larger). */
export function planeAxes(points: readonly PlanePoint[]): { xTicks: number[]; yTicks: number[]; x: (psnr: number) => number; y: (fd: number) => number } {
  const xTicks = paddedTicks(points.map((p) => p.psnr));
  const yTicks = paddedTicks(points.map((p) => p.frechet));
  const [x0, x1, y0, y1] = [xTicks[0], xTicks[xTicks.length - 1], yTicks[0], yTicks[yTicks.length - 1]];
  return {
    xTicks,
    yTicks,
    x: (v) => M.left + ((v - x0) / (x1 - x0 || 1)) * (W - M.left - M.right),
    y: (v) => H - M.bottom - ((v - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom),
  };
}

/** Approximate text box of a 12 px sans-serif label whose baseline starts at (x, y). */
const box = (x: number, y: number, text: string) => ({ x0: x, x1: x + 7 * text.length, y0: y - 11, y1: y + 2 });

/**
 * Where each dot's label goes: the first of a few spots around the dot (right above, right below,
 * left above, left below, then further out) whose box overlaps no dot and no label placed before.
 */
export function placeLabels(dots: readonly { x: number; y: number; text: string }[]): { x: number; y: number }[] {
  const taken = dots.map((d) => ({ x0: d.x - 5, x1: d.x + 5, y0: d.y - 5, y1: d.y + 5 }));
  const overlaps = (b: ReturnType<typeof box>) => taken.some((t) => b.x0 < t.x1 && t.x0 < b.x1 && b.y0 < t.y1 && t.y0 < b.y1);
  return dots.map((d) => {
    const w = 7 * d.text.length;
    const spots = [1, 2, 3].flatMap((k) => [
      [d.x + 7, d.y - 6 - 14 * (k - 1)],
      [d.x + 7, d.y + 15 + 14 * (k - 1)],
      [d.x - 7 - w, d.y - 6 - 14 * (k - 1)],
      [d.x - 7 - w, d.y + 15 + 14 * (k - 1)],
    ]);
    const [lx, ly] = spots.find(([sx, sy]) => !overlaps(box(sx, sy, d.text))) ?? spots[0];
    taken.push(box(lx, ly, d.text));
    return { x: lx, y: ly };
  });
}

/**
 * The perception-distortion plane as an SVG document: x = PSNR (dB, right is less distortion),
 * y = Fréchet distance of face descriptors to the clean faces (down is more realistic), one dot
 * per row labelled with its method (labels moved apart where they would overlap), one colour per
 * series, a legend of the series.
 * @throws DifbfsrError `INVALID_INPUT` when there is no point to plot.
 */
export function perceptionDistortionSvg(points: readonly PlanePoint[], title: string): string {
  if (points.length === 0) throw new DifbfsrError('INVALID_INPUT', 'no report row has both PSNR and a descriptor Fréchet distance');
  const { xTicks, yTicks, x, y } = planeAxes(points);
  const series = [...new Set(points.map((p) => p.series))];
  const colour = (s: string) => COLOURS[series.indexOf(s) % COLOURS.length];
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="22" font-size="14" font-weight="bold">${escape(title)}</text>`,
  ];
  for (const t of xTicks) out.push(`<line x1="${x(t)}" y1="${M.top}" x2="${x(t)}" y2="${H - M.bottom}" stroke="#ddd"/>`, `<text x="${x(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${t}</text>`);
  for (const t of yTicks) out.push(`<line x1="${M.left}" y1="${y(t)}" x2="${W - M.right}" y2="${y(t)}" stroke="#ddd"/>`, `<text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text>`);
  out.push(
    `<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#333"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 18}" text-anchor="middle">PSNR (dB) → less distortion</text>`,
    `<text transform="translate(18 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">descriptor Fréchet distance (lower: more like clean faces)</text>`,
  );
  const labels = placeLabels(points.map((p) => ({ x: x(p.psnr), y: y(p.frechet), text: p.label })));
  for (const [i, p] of points.entries()) {
    out.push(
      `<circle class="point" cx="${x(p.psnr).toFixed(2)}" cy="${y(p.frechet).toFixed(2)}" r="5" fill="${colour(p.series)}"><title>${escape(`${p.series} ${p.label}: ${p.psnr.toFixed(2)} dB, FD ${p.frechet.toFixed(4)}`)}</title></circle>`,
      `<text x="${labels[i].x.toFixed(2)}" y="${labels[i].y.toFixed(2)}" fill="${colour(p.series)}">${escape(p.label)}</text>`,
    );
  }
  series.forEach((s, i) => {
    const ly = M.top + 10 + i * 18;
    out.push(`<circle cx="${W - M.right + 16}" cy="${ly}" r="5" fill="${colour(s)}"/>`, `<text x="${W - M.right + 26}" y="${ly + 4}">${escape(s)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
