import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConditionalFusionModule, SeededRandom, SuperResolutionModule } from '@difbfsr/core';
import { cfmSpecOf, srmSpecOf } from '../src/contraction/module-specs.js';
import type { ContractionGraphConfig } from '../src/contraction/programs.js';
import { acquireContractionSession, releaseContractionSession } from '../src/contraction/sessions.js';
import type { LoadedRuntime } from '../src/runtime.js';

/** A runtime whose sessions record their release. */
function fakeRuntime(): { rt: LoadedRuntime; created: Array<{ released: boolean }> } {
  const created: Array<{ released: boolean }> = [];
  const InferenceSession = {
    create: async () => {
      const s = { released: false, release: async () => void (s.released = true) };
      created.push(s);
      return s;
    },
  };
  return { rt: { kind: 'node', ort: { InferenceSession } } as unknown as LoadedRuntime, created };
}

let config: ContractionGraphConfig;
beforeAll(async () => {
  await tf.setBackend('cpu');
  const rng = new SeededRandom(1);
  const srm = new SuperResolutionModule(rng, { scale: 4 });
  const cfm = new ConditionalFusionModule(rng, { kernelSize: 3 });
  config = { lrHeight: 4, lrWidth: 4, scale: 4, srm: srmSpecOf(srm), cfm: cfmSpecOf(cfm), fusion: 'cfm' };
  srm.dispose();
  cfm.dispose();
});

describe('contraction sessions: shared, counted, released when asked and no one holds them', () => {
  it('two holders share one session; closing releases it only when the last one lets go; it is built again on next use', async () => {
    const { rt, created } = fakeRuntime();
    const a = await acquireContractionSession(rt, 'warmupStep', config, 2);
    const b = await acquireContractionSession(rt, 'warmupStep', config, 2);
    expect(a).toBe(b);
    expect(created).toHaveLength(1);
    releaseContractionSession(rt, 'warmupStep', config, 2, true);
    await Promise.resolve();
    expect(created[0].released).toBe(false); // the other holder still runs it
    releaseContractionSession(rt, 'warmupStep', config, 2, true);
    await new Promise((r) => setTimeout(r, 0));
    expect(created[0].released).toBe(true);
    const c = await acquireContractionSession(rt, 'warmupStep', config, 2);
    expect(created).toHaveLength(2);
    expect(c).toBe(created[1]);
    releaseContractionSession(rt, 'warmupStep', config, 2, true);
  });

  it('letting go without closing keeps the session cached for the next image', async () => {
    const { rt, created } = fakeRuntime();
    await acquireContractionSession(rt, 'fuse', config, 1);
    releaseContractionSession(rt, 'fuse', config, 1, false);
    await new Promise((r) => setTimeout(r, 0));
    expect(created[0].released).toBe(false);
    await acquireContractionSession(rt, 'fuse', config, 1);
    expect(created).toHaveLength(1);
    // Another thread count or program is another session.
    await acquireContractionSession(rt, 'fuse', config, 2);
    expect(created).toHaveLength(2);
  });
});
