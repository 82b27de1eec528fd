import { DifbfsrError, type Ablation } from '@difbfsr/core';

/**
 * What the bench compares: the bicubic upsampling of the input (the paper's Input column),
 * restore() ablations, and restore()'s closed-form `method: 'gaussian'` with the estimated
 * degradation (`'gaussian'`) or given the true one (`'gaussian-oracle'`: the case's blur and the
 * face's effective noise, a reference row no blind method can see), and `'regressor'`: the
 * supervised anchor of `tools/sr-anchor` (what a plain MSE regressor reaches on the same inputs).
 */
export type Method = 'bicubic' | Ablation | 'gaussian' | 'gaussian-oracle' | 'posterior' | 'regressor';

/** Every method, in the report's column order (`'posterior'`: restore()'s posterior sampler with the overrides' `samples` and `fidelity`). */
export const METHODS: readonly Method[] = ['bicubic', 'regressor', 'gaussian', 'gaussian-oracle', '#1', '#2', '#3', '#4', 'ddnm', 'posterior'];

/** Methods whose result does not depend on the diffusion settings (seed, steps, ...). */
export function isClosedForm(method: Method): method is 'bicubic' | 'gaussian' | 'gaussian-oracle' | 'regressor' {
  return method === 'bicubic' || method === 'gaussian' || method === 'gaussian-oracle' || method === 'regressor';
}

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
