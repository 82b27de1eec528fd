import { GraphBuilder, type ValueInfo } from '../graph/builder.js';
import { serializeModel, type ModelSpec } from '../graph/serialize.js';
import { cfmBackward, cfmFuse, fixedFuse, fixedFuseGrad, type LowPassInputs } from './cfm-graph.js';
import { clampUnit, clampUnitGrad } from './graph-ops.js';
import { fidelityLoss, fidelityLossGrad, LOSS_INPUTS } from './loss-graph.js';
import { convParams, type CfmSpec, type LayerSpec, type SrmSpec } from './module-specs.js';
import { srmBackward, srmForward, type SrmTape } from './srm-graph.js';

/** Opset of the contraction graphs. */
export const CONTRACTION_OPSET = 17;

/** Everything the graphs of one image depend on (filters and weights are inputs, not part of it). */
export interface ContractionGraphConfig {
  lrHeight: number;
  lrWidth: number;
  scale: number;
  srm: SrmSpec;
  cfm: CfmSpec;
  /** The fusion: the learned CFM on the fixed separable low-pass's band, or that low-pass alone. */
  fusion: 'cfm' | 'fixed';
}

/**
 * The graphs an optimiser runs. `yHat`: `S(y)`. `srmStep`: loss and SRM gradients of the fused
 * estimate; `warmupStep`: of `x_hat = S(y)`. `cfmStep`: loss and CFM gradients, `y_hat` given.
 * `fuse`: the clamped fusion and its loss.
 */
export type ContractionProgram = 'yHat' | 'srmStep' | 'warmupStep' | 'cfmStep' | 'fuse';

/** Graph inputs of the fusion's fixed low-pass `P` and its transpose (both fusions filter through it). */
export const LOW_PASS_INPUTS: LowPassInputs = { rows: 'lowPass.rows', colsT: 'lowPass.colsT', rowsT: 'lowPass.rowsT', cols: 'lowPass.cols' };

/** Names of the gradient outputs of a module's parameters. */
export function gradName(param: string): string {
  return `grad:${param}`;
}

function paramInfos(prefix: string, layers: readonly LayerSpec[]): ValueInfo[] {
  return layers.flatMap((l, i) => {
    const p = convParams(prefix, i, l);
    return [
      { name: p.weight, shape: [l.outChannels, l.inChannels, l.kernel, l.kernel] },
      { name: p.bias, shape: [l.outChannels] },
    ];
  });
}

/** Build the model of one program. */
export function contractionModel(program: ContractionProgram, c: ContractionGraphConfig): ModelSpec {
  const g = new GraphBuilder();
  const h = c.lrHeight;
  const w = c.lrWidth;
  const H = h * c.scale;
  const W = w * c.scale;
  const image = (name: string): ValueInfo => ({ name, shape: [1, 3, H, W] });
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  const output = (value: string, info: ValueInfo): void => {
    g.node('Identity', [value], {}, [info.name]);
    outputs.push(info);
  };
  const cfmLayers = [c.cfm.hidden, c.cfm.logits];
  const lossInputs = (): void => {
    inputs.push(
      { name: LOSS_INPUTS.lowY, shape: [1, 3, h, w] },
      { name: LOSS_INPUTS.rows, shape: [h, H] },
      { name: LOSS_INPUTS.colsT, shape: [W, w] },
      { name: LOSS_INPUTS.rowsT, shape: [H, h] },
      { name: LOSS_INPUTS.cols, shape: [w, W] },
    );
  };
  const srmInputs = (): SrmTape => {
    inputs.push({ name: 'y', shape: [1, 3, h, w] }, image('base'), ...paramInfos('srm', c.srm.layers));
    return srmForward(g, c.srm, { name: 'y', channels: 3, height: h, width: w }, 'base');
  };
  /** The fusion of `yHat` and the input `x0`, before the clamp; `backward` gives the gradients. */
  const fusion = (yHat: string, wantYHat: boolean) => {
    const P = LOW_PASS_INPUTS;
    inputs.push(image('x0'), { name: P.rows, shape: [H, H] }, { name: P.colsT, shape: [W, W] }, { name: P.rowsT, shape: [H, H] }, { name: P.cols, shape: [W, W] });
    if (c.fusion === 'cfm') {
      inputs.push(...paramInfos('cfm', cfmLayers));
      const { fused, tape } = cfmFuse(g, c.cfm, yHat, 'x0', P, H, W);
      return { fused, backward: (dFused: string) => cfmBackward(g, c.cfm, tape, P, dFused, wantYHat) };
    }
    const fused = fixedFuse(g, yHat, 'x0', P);
    return { fused, backward: (dFused: string) => ({ grads: [] as string[], dYHat: fixedFuseGrad(g, dFused, P) }) };
  };
  const gradOutputs = (prefix: string, layers: readonly LayerSpec[], grads: readonly string[]): void => {
    paramInfos(prefix, layers).forEach((info, i) => output(grads[i], { name: gradName(info.name), shape: info.shape }));
  };
  const lrValues = 3 * h * w;

  switch (program) {
    case 'yHat':
      output(srmInputs().yHat, image('yHat'));
      break;
    case 'warmupStep':
    case 'srmStep': {
      const tape = srmInputs();
      const yHat = tape.yHat;
      lossInputs();
      let xHat = yHat;
      let toYHat = (dXHat: string): string => dXHat;
      if (program === 'srmStep') {
        const f = fusion(yHat, true);
        xHat = clampUnit(g, f.fused);
        toYHat = (dXHat) => f.backward(clampUnitGrad(g, dXHat, f.fused)).dYHat!;
      }
      const { loss, residual } = fidelityLoss(g, xHat);
      output(loss, { name: 'loss', shape: [] });
      const dYHat = toYHat(fidelityLossGrad(g, residual, lrValues));
      gradOutputs('srm', c.srm.layers, srmBackward(g, c.srm, tape, dYHat));
      break;
    }
    case 'cfmStep': {
      inputs.push(image('yHat'));
      lossInputs();
      const f = fusion('yHat', false);
      const { loss, residual } = fidelityLoss(g, clampUnit(g, f.fused));
      output(loss, { name: 'loss', shape: [] });
      gradOutputs('cfm', cfmLayers, f.backward(clampUnitGrad(g, fidelityLossGrad(g, residual, lrValues), f.fused)).grads);
      break;
    }
    case 'fuse': {
      inputs.push(image('yHat'));
      lossInputs();
      const xHat = clampUnit(g, fusion('yHat', false).fused);
      output(xHat, image('xHat'));
      output(fidelityLoss(g, xHat).loss, { name: 'loss', shape: [] });
      break;
    }
  }
  return { graph: g, name: `difbfsr-contraction-${program}`, inputs, outputs, opset: CONTRACTION_OPSET };
}

/** The serialized model of one program (weights are inputs: the model holds only small constants). */
export function contractionModelBytes(program: ContractionProgram, c: ContractionGraphConfig): Uint8Array {
  return serializeModel(contractionModel(program, c), 'inline').model;
}
