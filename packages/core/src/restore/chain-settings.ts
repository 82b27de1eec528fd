import type { Denoiser } from '../denoiser.js';
import { DifbfsrError } from '../errors.js';
import { diffusionTables, linearSchedule, type DiffusionTables } from '../schedule/diffusion-schedule.js';
import type { ResolvedChain } from './resolve-options.js';

/** The chain a restore runs: its scale, schedule tables and first reverse step. */
export interface ChainSettings {
  scale: number;
  tables: DiffusionTables;
  startIndex: number;
}

/**
 * What to do about an input that is not `res / scale` pixels square: resize it to that size, or
 * use the scale that fits it when there is one (a power of two of at least 2).
 */
function sizeHint(res: number, scale: number, lrHeight: number, lrWidth: number): string {
  const need = res / scale;
  if (!Number.isInteger(need)) return `use a scale that divides ${res}`;
  const fitting = res / lrWidth;
  const other = lrWidth === lrHeight && fitting >= 2 && Number.isInteger(Math.log2(fitting)) ? `, or use scale ${fitting}` : '';
  return `resize the face to ${need}x${need} first${other}`;
}

/**
 * The chain of checked chain options on `prior` for an `lrHeight x lrWidth` input.
 * @throws DifbfsrError `INVALID_SIZE` when the input at `scale` is not the prior's size,
 *   `INVALID_OPTION` when `strength` leaves no step of an explicit schedule.
 */
export function resolveChain(c: ResolvedChain, prior: Denoiser, lrHeight: number, lrWidth: number): ChainSettings {
  const { scale, strength, steps } = c;
  const res = prior.resolution;
  if (lrHeight * scale !== res || lrWidth * scale !== res) {
    const hint = sizeHint(res, scale, lrHeight, lrWidth);
    throw new DifbfsrError(
      'INVALID_SIZE',
      `Input is ${lrWidth}x${lrHeight}; at scale ${scale} that gives ${lrWidth * scale}x${lrHeight * scale}, but the prior works at ${res}x${res}: ${hint}`,
    );
  }
  const schedule = c.schedule ?? linearSchedule(c.respacing ?? String(Math.round(steps / strength)));
  const tables = diffusionTables(schedule);
  // With an explicit respacing or schedule, `strength` picks the start among its steps.
  const startIndex =
    c.schedule || c.respacing ? Math.min(tables.betas.length, Math.round(strength * tables.betas.length)) - 1 : Math.min(steps, tables.betas.length) - 1;
  if (startIndex < 0) throw new DifbfsrError('INVALID_OPTION', `strength ${strength} leaves no step of the ${tables.betas.length}-step chain`);
  return { scale, tables, startIndex };
}
