import type { MethodSummary, QualityReport, TagSummary } from './summary.js';
import { BELOW_BICUBIC_DB } from './summary.js';
import { SAME_PERSON_MAX_DISTANCE } from '../metrics/identity-verification.js';

const f = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

/** A perceptual mean, or '-' where some record lacks it. */
const p = (x: number | null, digits: number): string => (x === null ? '-' : f(x, digits));

function overallTable(s: TagSummary): string[] {
  const rows = s.overall.map(
    (m: MethodSummary) =>
      `| ${m.label} | ${m.n} | ${f(m.psnr, 2)} | ${f(m.ssim, 4)} | ${f(m.identity, 3)} | ${p(m.notSamePerson === null ? null : 100 * m.notSamePerson, 1)} | ${p(m.descriptorFrechet, 4)} | ${p(m.landmarkNme, 4)} | ${p(m.faceFeatureDistance, 4)} | ${p(m.niqe, 3)} | ${f(m.lrRmse, 4)} | ${m.reruns} / ${m.collapses} | ${f(m.meanTimeMs / 1000, 1)} |`,
  );
  return [
    '| method | images | PSNR (dB) | SSIM | identity | not same person (%) | descriptor FD | landmark NME | face feature dist. | NIQE | LR RMSE | collapses: rerun / fallback | s / image |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ];
}

function perCaseTable(s: TagSummary): string[] {
  const head = `| case | ${s.labels.join(' | ')} |`;
  const rows = s.perCase.map((p) => `| ${p.case} | ${p.methods.map((m) => `${f(m.psnr, 2)} / ${f(m.ssim, 3)} / ${f(m.identity, 2)}`).join(' | ')} |`);
  return [head, `|---|${s.labels.map(() => '---|').join('')}`, ...rows];
}

function failureLines(s: TagSummary): string[] {
  if (s.failures.length === 0) return ['No collapses, and no image more than 1 dB below bicubic.'];
  return [
    '| face | case | method | failure | PSNR | bicubic PSNR |',
    '|---|---|---|---|---|---|',
    ...s.failures.map(
      (x) => `| ${x.face} | ${x.case} | ${x.label} | ${x.kind === 'collapsed' ? 'collapse caught' : `> ${BELOW_BICUBIC_DB} dB below bicubic`} | ${f(x.psnr, 2)} | ${x.bicubicPsnr === undefined ? '-' : f(x.bicubicPsnr, 2)} |`,
    ),
  ];
}

/** The report as markdown: per tag, the means over all cases, the means per case, and the per-face failures. */
export function reportMarkdown(report: QualityReport, command: string): string {
  const out = [
    '# Quality bench',
    '',
    `\`${command}\``,
    '',
    `${report.records} results; peak RSS of the runs ${f(report.peakRssMiB, 0)} MiB. PSNR and SSIM on uint8 RGB against the clean face (basicsr's definitions, no crop); identity: cosine similarity of face-api's 128-D face descriptors of output and clean face; LR RMSE: restore's LR-consistency (after the LR low-pass, [-1, 1] units). Means over the (face, case) items every method finished.`,
    '',
    `Perceptual columns: not same person: share of outputs whose descriptor distance to the clean face is at least ${SAME_PERSON_MAX_DISTANCE} (dlib's verification threshold); descriptor FD: Fréchet distance between Gaussian fits of the outputs' and the distinct clean faces' 128-D descriptors (all cases pooled; fewer samples than dimensions, so compare methods within a table only); landmark NME: face-api's 68 landmarks of output vs clean face over the inter-ocular distance; face feature dist.: LPIPS-type distance on the face recogniser's features (not comparable with published LPIPS); NIQE: MATLAB-release NIQE, only for outputs of at least 96 px. '-': some records predate the metric or it does not apply.`,
  ];
  for (const s of report.tags) {
    out.push('', `## Tag \`${s.tag}\``, '');
    out.push(`${s.faces} faces, cases ${s.cases.join(', ')}: ${s.completeItems} complete (face, case) items${s.incompleteItems ? `, ${s.incompleteItems} not yet complete (left out)` : ''}.`, '');
    if (s.overall.length === 0) {
      out.push('No (face, case) item has every method finished yet.');
      continue;
    }
    out.push('### Mean over faces and cases', '', ...overallTable(s), '');
    out.push('### Per case (PSNR / SSIM / identity)', '', ...perCaseTable(s), '');
    out.push('### Per-face failures', '', ...failureLines(s));
  }
  return `${out.join('\n')}\n`;
}
