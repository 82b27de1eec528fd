import { perceptualSummary, type PerceptualSummary } from './perceptual-summary.js';
import type { QualityRecord } from './quality-record.js';

/** Means of one method over a set of items. */
export interface MethodSummary extends PerceptualSummary {
  /** Column label: the method, with `@settingsHash` when a tag holds several settings of it. */
  readonly label: string;
  readonly method: string;
  readonly settingsHash: string;
  readonly n: number;
  readonly psnr: number;
  readonly ssim: number;
  readonly identity: number;
  readonly lrRmse: number;
  /** Images whose result is a fallback (every chain collapsed). */
  readonly collapses: number;
  /** Images where a collapsed chain was rerun (with another seed). */
  readonly reruns: number;
  readonly meanTimeMs: number;
}

/** A face and case where a method failed: a caught collapse, or PSNR more than 1 dB below bicubic. */
export interface Failure {
  readonly face: string;
  readonly case: number;
  readonly label: string;
  readonly kind: 'collapsed' | 'below-bicubic';
  readonly psnr: number;
  readonly bicubicPsnr?: number;
}

/** Everything measured under one tag. */
export interface TagSummary {
  readonly tag: string;
  readonly labels: string[];
  readonly faces: number;
  readonly cases: number[];
  /** (face, case) items every method finished: the means are over these. */
  readonly completeItems: number;
  /** (face, case) items some method has not finished yet (left out of the means). */
  readonly incompleteItems: number;
  readonly overall: MethodSummary[];
  readonly perCase: { readonly case: number; readonly methods: MethodSummary[] }[];
  readonly failures: Failure[];
}

/** The quality bench's report data. */
export interface QualityReport {
  readonly records: number;
  readonly peakRssMiB: number;
  readonly tags: TagSummary[];
}

/** How far below bicubic (dB) a method's PSNR on one image counts as a failure. */
export const BELOW_BICUBIC_DB = 1;

const METHOD_ORDER = ['bicubic', '#1', '#2', '#3', '#4', 'ddnm'];

function methodRank(method: string): number {
  const i = METHOD_ORDER.indexOf(method);
  return i < 0 ? METHOD_ORDER.length : i;
}

const psnrOf = (r: QualityRecord): number => r.psnr ?? Infinity;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function summariseMethod(label: string, rs: QualityRecord[], withFrechet = false): MethodSummary {
  return {
    label,
    method: rs[0].method,
    settingsHash: rs[0].settingsHash,
    n: rs.length,
    psnr: mean(rs.map(psnrOf)),
    ssim: mean(rs.map((r) => r.ssim)),
    identity: mean(rs.map((r) => r.identity)),
    lrRmse: mean(rs.map((r) => r.lrRmse)),
    collapses: rs.filter((r) => r.collapsed).length,
    reruns: rs.filter((r) => (r.retries ?? 0) > 0).length,
    meanTimeMs: mean(rs.map((r) => r.timeMs)),
    ...perceptualSummary(rs, withFrechet),
  };
}

/**
 * The label of one of several columns of a method: the method with the settings that tell its
 * columns apart (`posterior (fidelity=0)`), or with `@settingsHash` when none do.
 */
function settingsLabel(id: string, ids: readonly string[], columns: ReadonlyMap<string, QualityRecord[]>): string {
  const { method, settings } = columns.get(id)![0];
  const siblings = ids.map((i) => columns.get(i)![0]).filter((r) => r.method === method);
  const keys = [...new Set(siblings.flatMap((r) => Object.keys(r.settings)))].sort();
  const differing = keys.filter((k) => new Set(siblings.map((r) => JSON.stringify(r.settings[k]))).size > 1);
  const parts = differing.map((k) => `${k}=${JSON.stringify(settings[k] ?? null)}`);
  const label = `${method} (${parts.join(', ')})`;
  const unique = siblings.filter((r) => differing.every((k) => JSON.stringify(r.settings[k]) === JSON.stringify(settings[k]))).length === 1;
  return parts.length > 0 && unique ? label : id;
}

function summariseTag(tag: string, records: QualityRecord[]): TagSummary {
  // Columns: one per (method, settings); labelled by the method alone unless it is ambiguous.
  const columns = new Map<string, QualityRecord[]>();
  for (const r of records) {
    const id = `${r.method}@${r.settingsHash}`;
    columns.set(id, [...(columns.get(id) ?? []), r]);
  }
  const ids = [...columns.keys()].sort((a, b) => {
    const [ma, mb] = [columns.get(a)![0].method, columns.get(b)![0].method];
    return methodRank(ma) - methodRank(mb) || (a < b ? -1 : a > b ? 1 : 0);
  });
  const perMethod = new Map<string, number>();
  for (const id of ids) perMethod.set(columns.get(id)![0].method, (perMethod.get(columns.get(id)![0].method) ?? 0) + 1);
  const labelOf = new Map(ids.map((id) => [id, perMethod.get(columns.get(id)![0].method)! > 1 ? settingsLabel(id, ids, columns) : columns.get(id)![0].method]));

  const itemKey = (r: QualityRecord) => `${r.face}|${r.case}`;
  const items = new Map<string, Map<string, QualityRecord>>();
  for (const [id, rs] of columns) for (const r of rs) items.set(itemKey(r), (items.get(itemKey(r)) ?? new Map()).set(id, r));
  const complete = [...items.entries()].filter(([, m]) => m.size === ids.length);
  const completeKeys = new Set(complete.map(([k]) => k));
  const cases = [...new Set(records.map((r) => r.case))].sort((a, b) => a - b);
  const inComplete = (id: string, c?: number) => columns.get(id)!.filter((r) => completeKeys.has(itemKey(r)) && (c === undefined || r.case === c));
  const overall = complete.length > 0 ? ids.map((id) => summariseMethod(labelOf.get(id)!, inComplete(id), true)) : [];
  const perCase = cases
    .map((c) => ({ case: c, methods: ids.filter((id) => inComplete(id, c).length > 0).map((id) => summariseMethod(labelOf.get(id)!, inComplete(id, c))) }))
    .filter((p) => p.methods.length === ids.length);

  const failures: Failure[] = [];
  const bicubicId = ids.find((id) => columns.get(id)![0].method === 'bicubic');
  for (const [, byId] of [...items.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const bicubic = bicubicId ? byId.get(bicubicId) : undefined;
    for (const id of ids) {
      const r = byId.get(id);
      if (!r || r.method === 'bicubic') continue;
      const base = { face: r.face, case: r.case, label: labelOf.get(id)!, psnr: psnrOf(r) };
      if (r.collapsed) failures.push({ ...base, kind: 'collapsed', ...(bicubic ? { bicubicPsnr: psnrOf(bicubic) } : {}) });
      else if (bicubic && psnrOf(r) < psnrOf(bicubic) - BELOW_BICUBIC_DB) failures.push({ ...base, kind: 'below-bicubic', bicubicPsnr: psnrOf(bicubic) });
    }
  }
  return {
    tag,
    labels: ids.map((id) => labelOf.get(id)!),
    faces: new Set(records.map((r) => r.face)).size,
    cases,
    completeItems: complete.length,
    incompleteItems: items.size - complete.length,
    overall,
    perCase,
    failures,
  };
}

/** Per tag: means per method over the items every method finished, overall and per case, and the failures. */
export function summarise(records: readonly QualityRecord[]): QualityReport {
  const tags = [...new Set(records.map((r) => r.tag))].sort();
  return {
    records: records.length,
    peakRssMiB: records.reduce((m, r) => Math.max(m, r.peakRssMiB), 0),
    tags: tags.map((t) => summariseTag(t, records.filter((r) => r.tag === t))),
  };
}
