import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError, pixelShuffle, resizeBicubic } from '@difbfsr/core';
import { loadCheckpoint, type CheckpointSource, type StateDict } from '@difbfsr/models';

interface Conv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

/** A PyTorch conv `[out, in, 3, 3]` as a tfjs filter; `shuffle` reorders the outputs from PyTorch's PixelShuffle order to `pixelShuffle`'s. */
function conv(sd: StateDict, name: string, shuffle = false): Conv {
  const w = sd.get(`${name}.weight`);
  const [out, inp, kh, kw] = w.shape;
  return tf.tidy(() => {
    let filter = tf.transpose(tf.tensor4d(w.toFloat32(), [out, inp, kh, kw]), [2, 3, 1, 0]) as tf.Tensor4D;
    let bias = tf.tensor1d(sd.get(`${name}.bias`).toFloat32());
    if (shuffle) {
      // PyTorch's channel c*4 + s feeds sub-pixel s of channel c; pixelShuffle reads channel s*C + c.
      const c = out / 4;
      const order = Array.from({ length: out }, (_, q) => (q % c) * 4 + Math.floor(q / c));
      filter = tf.gather(filter, order, 3) as tf.Tensor4D;
      bias = tf.gather(bias, order) as tf.Tensor1D;
    }
    return { filter: tf.keep(filter), bias: tf.keep(bias) };
  });
}

/**
 * The supervised anchor of `tools/sr-anchor/train.py` (a plain x4 SR regressor trained with MSE),
 * for the quality bench's `regressor` rows: its weights stay in the git-ignored
 * `tools/sr-anchor/runs/regressor.safetensors` (they derive from non-commercial faces).
 */
export class SrRegressor {
  private constructor(private readonly layers: Record<string, Conv>, private readonly blocks: number) {}

  /** @throws DifbfsrError `CHECKPOINT_FORMAT` for another file, `IO` when it is missing. */
  static async load(source: CheckpointSource): Promise<SrRegressor> {
    const where = typeof source === 'string' || source instanceof URL ? String(source) : 'the given bytes';
    const sd = await loadCheckpoint(source).catch((e: unknown) => {
      throw new DifbfsrError('IO', `no SR regressor at ${where}: train one with /usr/bin/python3 tools/sr-anchor/train.py`, { cause: e });
    });
    if (sd.metadata.format !== 'difbfsr-sr-anchor/1') throw new DifbfsrError('CHECKPOINT_FORMAT', `${where} is not an SR regressor of tools/sr-anchor`);
    const blocks = sd.names().filter((n) => /^blocks\.\d+\.conv1\.weight$/.test(n)).length;
    const layers: Record<string, Conv> = {};
    for (const name of ['head', 'body', 'tail']) layers[name] = conv(sd, name);
    for (const name of ['up1', 'up2']) layers[name] = conv(sd, name, true);
    for (let b = 0; b < blocks; b++) for (const c of ['conv1', 'conv2']) layers[`blocks.${b}.${c}`] = conv(sd, `blocks.${b}.${c}`);
    return new SrRegressor(layers, blocks);
  }

  private apply(name: string, x: tf.Tensor4D): tf.Tensor4D {
    const { filter, bias } = this.layers[name];
    return tf.add(tf.conv2d(x, filter, 1, 'same'), bias) as tf.Tensor4D;
  }

  /** `[1, h, w, 3]` in [-1, 1] -> `[1, 4h, 4w, 3]`. */
  predict(y: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const h = this.apply('head', y);
      let b = h;
      for (let i = 0; i < this.blocks; i++) b = tf.add(b, this.apply(`blocks.${i}.conv2`, tf.relu(this.apply(`blocks.${i}.conv1`, b)))) as tf.Tensor4D;
      let x = tf.add(h, this.apply('body', b)) as tf.Tensor4D;
      x = tf.relu(pixelShuffle(this.apply('up1', x), 2));
      x = tf.relu(pixelShuffle(this.apply('up2', x), 2));
      const [, hh, ww] = y.shape;
      return tf.add(resizeBicubic(y, hh * 4, ww * 4), this.apply('tail', x)) as tf.Tensor4D;
    });
  }

  dispose(): void {
    for (const { filter, bias } of Object.values(this.layers)) {
      filter.dispose();
      bias.dispose();
    }
  }
}
