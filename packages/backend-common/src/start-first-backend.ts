import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';

/** A preferred backend that could not be activated, and why. */
export interface BackendFailure<Name extends string = string> {
  name: Name;
  reason: string;
}

/** What a backend's activation reports: the threads it computes with and whether WASM SIMD runs. */
export interface ActivatedBackend {
  threads: number | null;
  simd: boolean | null;
}

/** The first of `prefer` that starts, with tfjs' name for it and the failures of those before it. */
export interface StartedBackend<Name extends string, A extends ActivatedBackend> {
  name: Name;
  tfBackend: string;
  activated: A;
  skipped: BackendFailure<Name>[];
}

/**
 * Activate the backends of `prefer` in order until one starts (`init()` of backend-node and
 * backend-web).
 *
 * @throws DifbfsrError `BACKEND` listing every backend's failure when none starts.
 */
export async function startFirstBackend<Name extends string, A extends ActivatedBackend>(
  prefer: readonly Name[],
  activate: (name: Name) => Promise<A>,
): Promise<StartedBackend<Name, A>> {
  const skipped: BackendFailure<Name>[] = [];
  for (const name of prefer) {
    try {
      const activated = await activate(name);
      return { name, tfBackend: tf.getBackend(), activated, skipped };
    } catch (error) {
      skipped.push({ name, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  throw new DifbfsrError('BACKEND', `No tfjs backend could be started: ${skipped.map((f) => `${f.name}: ${f.reason}`).join('; ')}`, { cause: skipped });
}
