import type { Denoiser } from '../denoiser.js';
import { DifbfsrError } from '../errors.js';

/**
 * Which implementation runs the default prior: the TensorFlow.js U-Net (`'tfjs'`), ONNX Runtime
 * (`'onnx'`, from `@difbfsr/onnx`), or ONNX Runtime when it is installed, else tfjs (`'auto'`).
 */
export type PriorBackend = 'auto' | 'tfjs' | 'onnx';

/** What {@link getDefaultPrior} asks a default-prior factory for. */
export interface PriorRequest {
  backend: PriorBackend;
}

type PriorFactory = (request: PriorRequest) => Denoiser | Promise<Denoiser>;

const BACKENDS: readonly PriorBackend[] = ['auto', 'tfjs', 'onnx'];

let factory: PriorFactory | undefined;
let cached = new Map<PriorBackend, Promise<Denoiser>>();

/**
 * Register the prior `restore()` uses when no `prior` option is given. `@difbfsr/models` registers
 * its bundled face prior this way; the factory runs once per requested backend, on first use, and
 * receives the `backend` `restore()` was asked for.
 */
export function setDefaultPrior(create: PriorFactory | undefined): void {
  factory = create;
  cached = new Map();
}

/**
 * The default prior for a backend (default `'auto'`), created on first use.
 * @throws DifbfsrError `INVALID_OPTION` for an unknown backend or when no default is registered.
 */
export function getDefaultPrior(request: Partial<PriorRequest> = {}): Promise<Denoiser> {
  const backend = request.backend ?? 'auto';
  if (!BACKENDS.includes(backend)) {
    return Promise.reject(new DifbfsrError('INVALID_OPTION', `backend must be one of ${BACKENDS.join(', ')}, got ${JSON.stringify(backend)}`));
  }
  if (!factory) {
    return Promise.reject(
      new DifbfsrError(
        'INVALID_OPTION',
        'No prior: pass options.prior, or import "@difbfsr/models" to register the bundled face prior as the default',
      ),
    );
  }
  const create = factory;
  let prior = cached.get(backend);
  if (!prior) {
    prior = Promise.resolve(create({ backend })).catch((e: unknown) => {
      cached.delete(backend);
      throw e;
    });
    cached.set(backend, prior);
  }
  return prior;
}
