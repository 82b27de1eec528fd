import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, UNet, type StateDict, type UNetConfig } from '@difbfsr/models';
import { describeShared, sharedPath } from '../../../test-utils/shared.js';

/** Largest |a - ref| / max(1, |ref|) (the fixtures' tolerance is 1e-4). */
function maxRelDiff(actual: tf.Tensor, ref: tf.Tensor): number {
  expect(actual.shape).toEqual(ref.shape);
  const a = actual.dataSync();
  const r = ref.dataSync();
  let worst = 0;
  for (let i = 0; i < r.length; i++) worst = Math.max(worst, Math.abs(a[i] - r[i]) / Math.max(1, Math.abs(r[i])));
  return worst;
}

/** A reference tensor of the io file, NCHW moved to NHWC (rank-2 tensors as they are). */
function refTensor(io: StateDict, name: string): tf.Tensor {
  const e = io.get(name);
  const t = tf.tensor(e.toFloat32(), [...e.shape]);
  if (t.rank !== 4) return t;
  const nhwc = tf.transpose(t, [0, 2, 3, 1]);
  t.dispose();
  return nhwc;
}

for (const fixture of ['tiny-a', 'tiny-b']) {
  const files = [`fixtures/adm/${fixture}.safetensors`, `fixtures/adm/${fixture}.io.safetensors`];
  describeShared(`UNet matches guided-diffusion on ${fixture}`, files, () => {
    for (const backend of ['wasm', 'cpu']) {
      describe(`${backend} backend`, () => {
        let io: StateDict;
        let net: UNet;
        let x: tf.Tensor4D;
        let t: number[];
        beforeAll(async () => {
          await tf.setBackend(backend);
          const weights = await loadCheckpoint(sharedPath(files[0]));
          io = await loadCheckpoint(sharedPath(files[1]));
          const config = JSON.parse(weights.metadata.config) as UNetConfig;
          net = UNet.fromStateDict(config, weights, { name: fixture });
          x = refTensor(io, 'x') as tf.Tensor4D;
          t = Array.from(io.get('t').toFloat32());
        });
        afterAll(() => {
          net.dispose();
          x.dispose();
        });

        it('reproduces the output and every block activation within 1e-4 * max(1, |ref|)', () => {
          const before = tf.memory().numTensors;
          const { output, activations } = net.forwardWithActivations(x, t);
          const refNames = io.names().filter((n) => n.startsWith('act.'));
          expect([...activations.keys()].map((n) => `act.${n}`)).toEqual(refNames);
          const worst: Record<string, number> = {};
          for (const name of refNames) {
            const ref = refTensor(io, name);
            worst[name] = maxRelDiff(activations.get(name.slice(4))!, ref);
            ref.dispose();
          }
          const refOut = refTensor(io, 'out');
          worst.out = maxRelDiff(output, refOut);
          refOut.dispose();
          for (const [name, d] of Object.entries(worst)) expect(d, name).toBeLessThanOrEqual(1e-4);
          tf.dispose([output, ...activations.values()]);
          expect(tf.memory().numTensors).toBe(before);
        });

        // The cpu backend is slow (seconds per tiny forward): it runs the exactness test only.
        if (backend !== 'wasm') return;

        it('predict() splits eps and v like forward(), without leaking', () => {
          const before = tf.memory().numTensors;
          const full = net.forward(x, t);
          const { eps, v } = net.predict(x, t);
          expect(eps.shape).toEqual([2, 32, 32, 3]);
          expect(net.learnedVariance).toBe(full.shape[3] === 6);
          const rebuilt = v ? tf.concat([eps, v], 3) : eps;
          expect(maxRelDiff(rebuilt, full)).toBe(0);
          tf.dispose(v ? [full, eps, v, rebuilt] : [full, eps]);
          expect(tf.memory().numTensors).toBe(before);
        });

        it('gives each batch item the result it gets alone', () => {
          const before = tf.memory().numTensors;
          const both = net.forward(x, t);
          const second = tf.slice(x, [1, 0, 0, 0], [1, -1, -1, -1]);
          const alone = net.forward(second, [t[1]]);
          const fromBoth = tf.slice(both, [1, 0, 0, 0], [1, -1, -1, -1]);
          expect(maxRelDiff(alone, fromBoth)).toBeLessThan(1e-5);
          tf.dispose([both, second, alone, fromBoth]);
          expect(tf.memory().numTensors).toBe(before);
        });
      });
    }
  });
}

describeShared('UNet.fromStateDict validates the checkpoint against the config', ['fixtures/adm/tiny-a.safetensors'], () => {
  beforeAll(() => tf.setBackend('cpu'));
  it('throws CONFIG_MISMATCH naming the first offending tensor', async () => {
    const weights = await loadCheckpoint(sharedPath('fixtures/adm/tiny-a.safetensors'));
    const config = JSON.parse(weights.metadata.config) as UNetConfig;
    const before = tf.memory().numTensors;
    const mismatch = (c: UNetConfig) => expect(() => UNet.fromStateDict(c, weights));
    mismatch({ ...config, learn_sigma: false }).toThrow(
      expect.objectContaining({ code: 'CONFIG_MISMATCH', message: expect.stringMatching(/out\.2\.weight.*\[3, 32, 3, 3\].*\[6, 32, 3, 3\]/) }),
    );
    mismatch({ ...config, resblock_updown: false }).toThrow(
      expect.objectContaining({ code: 'CONFIG_MISMATCH', message: expect.stringMatching(/input_blocks\.2\.0\.op\.weight/) }),
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('throws CONFIG_MISMATCH when the stored config differs where shapes agree (heads, qkv order)', async () => {
    const weights = await loadCheckpoint(sharedPath('fixtures/adm/tiny-a.safetensors'));
    const config = JSON.parse(weights.metadata.config) as UNetConfig;
    expect(() => UNet.fromStateDict({ ...config, num_head_channels: 32 }, weights)).toThrow(
      expect.objectContaining({ code: 'CONFIG_MISMATCH', message: expect.stringMatching(/input_blocks\.3\.1 is built with 2 heads.*says 4 heads/) }),
    );
    expect(() => UNet.fromStateDict({ ...config, use_new_attention_order: true }, weights)).toThrow(
      expect.objectContaining({ code: 'CONFIG_MISMATCH', message: expect.stringMatching(/new qkv order.*legacy qkv order/) }),
    );
  });
});

const ptFiles = ['tiny-a.safetensors', 'tiny-a.pt', 'tiny-a.wrapped.pt'].map((f) => `fixtures/adm/${f}`);
describeShared('UNet from the PyTorch files of tiny-a (plain and DifFace-style wrapped)', ptFiles, () => {
  it('gives exactly the output of the safetensors copy', async () => {
    await tf.setBackend('wasm');
    const reference = await loadCheckpoint(sharedPath(ptFiles[0]));
    const config = JSON.parse(reference.metadata.config) as UNetConfig;
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
    const outputs = [];
    for (const file of ptFiles) {
      const net = UNet.fromStateDict(config, await loadCheckpoint(sharedPath(file)));
      outputs.push(net.forward(x, [250]));
      net.dispose();
    }
    for (const out of outputs.slice(1)) expect(maxRelDiff(out, outputs[0])).toBe(0);
    tf.dispose([x, ...outputs]);
  });
});
