import type * as Ort from 'onnxruntime-node';
import { exactAllocation } from '../cpu-arena.js';
import type { LoadedRuntime } from '../runtime.js';
import { contractionModelBytes, type ContractionGraphConfig, type ContractionProgram } from './programs.js';

/**
 * Sessions kept for reuse (a few image sizes and configurations); beyond this the oldest is dropped
 * from the cache (not released: a running optimiser may still hold it; it goes with the garbage).
 */
const MAX_SESSIONS = 24;

/** A cached session and how many runners hold it. */
interface CachedSession {
  session: Promise<Ort.InferenceSession>;
  users: number;
}

const sessions = new Map<string, CachedSession>();

const keyOf = (rt: LoadedRuntime, program: ContractionProgram, config: ContractionGraphConfig, threads: number | undefined): string =>
  JSON.stringify([rt.kind, threads, program, config]);

/**
 * Activations come from onnxruntime's arena, without the memory pattern: with it, each session's
 * first two runs were 3-8x slower and its memory twice as large (a restore at 256 px: srmStep's
 * first runs 3.4-3.7 s against 0.5 s, RSS of the five sessions 2.1 GB against 1.2 GB; the
 * steady-state runs no slower; measured with onnxruntime-node 1.30, 2 threads). Under
 * {@link exactAllocation} there is no arena and each run allocates one planned block (the memory
 * pattern), which it returns when done.
 */
function sessionOptions(rt: LoadedRuntime, threads: number | undefined): Ort.InferenceSession.SessionOptions {
  const exact = rt.kind === 'node' && exactAllocation();
  const options: Ort.InferenceSession.SessionOptions = {
    executionProviders: [rt.kind === 'node' ? 'cpu' : 'wasm'],
    graphOptimizationLevel: 'all',
    enableCpuMemArena: !exact,
    enableMemPattern: exact,
  };
  if (rt.kind === 'node') {
    options.intraOpNumThreads = threads;
    // Between runs the JS Adam update and tfjs's posterior step use the same cores: do not spin.
    options.extra = { session: { intra_op: { allow_spinning: '0' } } };
  } else if (threads !== undefined) {
    rt.ort.env.wasm.numThreads = threads;
  }
  return options;
}

/**
 * The session of one contraction program, built on first use and shared by every optimiser with
 * the same configuration and thread count (graphs take weights and filters as inputs). The caller
 * holds it until {@link releaseContractionSession}.
 */
export function acquireContractionSession(rt: LoadedRuntime, program: ContractionProgram, config: ContractionGraphConfig, threads: number | undefined): Promise<Ort.InferenceSession> {
  const key = keyOf(rt, program, config, threads);
  let entry = sessions.get(key);
  if (!entry) {
    const session = rt.ort.InferenceSession.create(contractionModelBytes(program, config), sessionOptions(rt, threads));
    session.catch(() => sessions.delete(key));
    entry = { session, users: 0 };
    sessions.set(key, entry);
    if (sessions.size > MAX_SESSIONS) {
      sessions.delete(sessions.keys().next().value!);
    }
  }
  entry.users++;
  return entry.session;
}

/**
 * A holder of {@link acquireContractionSession}'s session is done with it. With `close`, a session
 * no one else holds is released (its activation arena returned) and built again on next use.
 */
export function releaseContractionSession(rt: LoadedRuntime, program: ContractionProgram, config: ContractionGraphConfig, threads: number | undefined, close: boolean): void {
  const key = keyOf(rt, program, config, threads);
  const entry = sessions.get(key);
  if (!entry) return;
  entry.users = Math.max(0, entry.users - 1);
  if (close && entry.users === 0) {
    sessions.delete(key);
    entry.session.then(
      (session) => session.release(),
      () => {},
    );
  }
}
