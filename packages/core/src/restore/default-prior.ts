import type { Denoiser } from '../denoiser.js';
import { DifbfsrError } from '../errors.js';

type PriorFactory = () => Denoiser | Promise<Denoiser>;

let factory: PriorFactory | undefined;
let cached: Promise<Denoiser> | undefined;

/**
 * Register the prior `restore()` uses when no `prior` option is given. `@difbfsr/models` registers
 * its bundled face prior this way; the factory runs once, on first use.
 */
export function setDefaultPrior(create: PriorFactory | undefined): void {
  factory = create;
  cached = undefined;
}

/** The default prior, created on first use. */
export function getDefaultPrior(): Promise<Denoiser> {
  if (!factory) {
    return Promise.reject(
      new DifbfsrError(
        'INVALID_OPTION',
        'No prior: pass options.prior, or import "@difbfsr/models" to register the bundled face prior as the default',
      ),
    );
  }
  cached ??= Promise.resolve(factory()).catch((e: unknown) => {
    cached = undefined;
    throw e;
  });
  return cached;
}
