import { DifbfsrError, type Ablation } from '@difbfsr/core';

/** What the bench compares: the bicubic upsampling of the input (the paper's Input column) and restore() ablations. */
export type Method = 'bicubic' | Ablation;

/** Every method, in the report's column order. */
export const METHODS: readonly Method[] = ['bicubic', '#1', '#2', '#3', '#4', 'ddnm'];

/**
 * Parse a comma-separated method list.
 * @throws DifbfsrError `INVALID_OPTION` naming an unknown method.
 */
export function parseMethods(text: string): Method[] {
  const methods = text.split(',').map((m) => m.trim()).filter((m) => m !== '');
  const unknown = methods.find((m) => !(METHODS as readonly string[]).includes(m));
  if (unknown !== undefined || methods.length === 0) {
    throw new DifbfsrError('INVALID_OPTION', `methods must be a comma-separated list of ${METHODS.join(', ')}; got ${JSON.stringify(text)}`);
  }
  return [...new Set(methods)] as Method[];
}

/** A file-name-safe form of a method (`#4` -> `ablation4`). */
export function methodSlug(method: string): string {
  return method.replace(/^#/, 'ablation');
}
