import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { requireFromHere } from './require-from-here.js';
import { DifbfsrError } from '@difbfsr/core';

/**
 * Resolve/load hooks for the ESM build of tfjs-core, which is published
 * without `"type": "module"` and with extensionless relative imports
 * (`./gradients`, `../ops/ops`): Node resolves neither on its own. Scoped to
 * files under `@tensorflow/tfjs-core/dist/`.
 */
const TFJS_CORE_ESM_HOOKS = `
const DIST = '/@tensorflow/tfjs-core/dist/';
export async function resolve(specifier, context, nextResolve) {
  if ((context.parentURL ?? '').includes(DIST) && specifier.startsWith('.') && !specifier.endsWith('.js')) {
    const base = new URL(specifier, context.parentURL).href;
    for (const candidate of [base + '.js', base + '/index.js']) {
      try { return await nextResolve(candidate, context); } catch {}
    }
  }
  return nextResolve(specifier, context);
}
export async function load(url, context, nextLoad) {
  if (url.includes(DIST) && url.endsWith('.js') && !/\\/tf-core[^/]*\\.js$/.test(url)) {
    return nextLoad(url, { ...context, format: 'module' });
  }
  return nextLoad(url, context);
}
`;

let hooksRegistered = false;

/**
 * Registers tfjs-core's gradients (`@tensorflow/tfjs-core/dist/register_all_gradients`),
 * which tfjs-core's Node bundle leaves out, unless they already are.
 *
 * That module exists only in tfjs-core's ESM build, which plain Node (and tsx)
 * cannot import as published; it is loaded through the resolve/load hooks
 * above. Its ops share the engine and the kernel and gradient registries with
 * the Node bundle (tfjs keeps them on `globalThis`).
 */
export async function registerTfjsGradients(): Promise<void> {
  if (tf.getGradient(tf.Conv2D) != null) return;
  if (!hooksRegistered) {
    if (typeof register !== 'function') throw new DifbfsrError('BACKEND', 'loading tfjs-core gradients needs Node.js >= 20.6 (module.register)');
    register(`data:text/javascript,${encodeURIComponent(TFJS_CORE_ESM_HOOKS)}`);
    hooksRegistered = true;
  }
  const file = requireFromHere.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  await import(pathToFileURL(file).href);
}
