import type { Denoiser } from '../denoiser.js';
import { DifbfsrError } from '../errors.js';
import { checkRuntimeChoice, isUnavailable, runtimePart, runtimesWith, type NetworkSpec, type RuntimeChoice, type RuntimeDevice } from './runtime-registry.js';

const DEVICES: readonly RuntimeDevice[] = ['auto', 'cpu', 'cuda'];

/** Where and on what {@link createDenoiser} builds a network. */
export interface DenoiserRequest {
  /** A runtime by name, or `'auto'` (default): the registered ones by priority, the first that starts. */
  backend?: RuntimeChoice;
  /** Default `'auto'`. */
  device?: RuntimeDevice;
}

function checkDevice(device: unknown): RuntimeDevice {
  if ((DEVICES as readonly unknown[]).includes(device)) return device as RuntimeDevice;
  throw new DifbfsrError('INVALID_OPTION', `device must be one of ${DEVICES.join(', ')}, got ${JSON.stringify(device)}`);
}

/** The runtime asked for by name, refusing a device it does not run. */
function namedFactory(backend: string, device: RuntimeDevice) {
  const factory = runtimePart(backend, 'denoiser', 'backend');
  if (!factory.devices.includes(device)) {
    const others = runtimesWith('denoiser').filter((n) => runtimePart(n, 'denoiser', 'backend').devices.includes(device));
    const use = others.length > 0 ? `: use backend ${others.map((n) => `'${n}'`).join(' or ')} or 'auto'` : '';
    throw new DifbfsrError('INVALID_OPTION', `device '${device}' does not run on '${backend}' (its devices: ${factory.devices.join(', ')})${use}`);
  }
  return factory;
}

/**
 * Build a network's denoiser on a runtime (onnxruntime-common's `resolveBackend`): the one named,
 * or with `'auto'` each registered runtime that runs `device`, highest priority first, until one
 * starts. A runtime that cannot start here (a `BACKEND` error) is stepped over and its reason
 * gathered; any other error is thrown as it is.
 * @throws DifbfsrError `INVALID_OPTION` for an unknown runtime or device, or a device the named
 *   runtime does not run; `BACKEND` when the named runtime is not registered, or when no runtime
 *   started, listing why each did not.
 */
export async function createDenoiser(spec: NetworkSpec, request: DenoiserRequest = {}): Promise<Denoiser> {
  const backend = checkRuntimeChoice('backend', request.backend ?? 'auto');
  const device = checkDevice(request.device ?? 'auto');
  if (backend !== 'auto') return namedFactory(backend, device).create(spec, { device });
  const failures: string[] = [];
  for (const name of runtimesWith('denoiser')) {
    const factory = runtimePart(name, 'denoiser', 'backend');
    if (!factory.devices.includes(device)) {
      failures.push(`${name}: runs no '${device}' device`);
      continue;
    }
    try {
      return await factory.create(spec, { device });
    } catch (err) {
      if (!isUnavailable(err)) throw err;
      failures.push(`${name}: ${err.message}`);
    }
  }
  const why = failures.length > 0 ? failures.join('; ') : 'no runtime that builds denoisers is registered (import @difbfsr/models for tfjs, @difbfsr/onnx for ONNX Runtime)';
  throw new DifbfsrError('BACKEND', `No runtime could build the denoiser: ${why}`, { cause: failures });
}
