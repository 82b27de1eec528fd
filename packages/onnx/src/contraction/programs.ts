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

/** The fusion of `yHat` and the input `x0` before the clamp; `backward` gives its gradients. */
interface FusionTape {
  fused: string;
  backward: (dFused: string) => { grads: string[]; dYHat?: string };
}

/** One program's graph, its inputs and outputs, with the pieces the programs share. */
class ProgramGraph {
  readonly g = new GraphBuilder();
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  readonly h: number;
  readonly w: number;
  readonly H: number;
  readonly W: number;
  readonly cfmLayers: readonly LayerSpec[];

  constructor(readonly c: ContractionGraphConfig) {
    this.h = c.lrHeight;
    this.w = c.lrWidth;
    this.H = this.h * c.scale;
    this.W = this.w * c.scale;
    this.cfmLayers = [c.cfm.hidden, c.cfm.logits];
  }

  /** A full-resolution image value. */
  image(name: string): ValueInfo {
    return { name, shape: [1, 3, this.H, this.W] };
  }

  /** Number of values of the low-resolution observation (the loss's mean divides by it). */
  get lrValues(): number {
    return 3 * this.h * this.w;
  }

  output(value: string, info: ValueInfo): void {
    this.g.node('Identity', [value], {}, [info.name]);
    this.outputs.push(info);
  }

  /** The observation and the degradation operator's matrices as inputs. */
  lossInputs(): void {
    const { h, w, H, W } = this;
    this.inputs.push(
      { name: LOSS_INPUTS.lowY, shape: [1, 3, h, w] },
      { name: LOSS_INPUTS.rows, shape: [h, H] },
      { name: LOSS_INPUTS.colsT, shape: [W, w] },
      { name: LOSS_INPUTS.rowsT, shape: [H, h] },
      { name: LOSS_INPUTS.cols, shape: [w, W] },
    );
  }

  /** The SRM's inputs and its forward pass `S(y)`. */
  srm(): SrmTape {
    const { c, h, w } = this;
    this.inputs.push({ name: 'y', shape: [1, 3, h, w] }, this.image('base'), ...paramInfos('srm', c.srm.layers));
    return srmForward(this.g, c.srm, { name: 'y', channels: 3, height: h, width: w }, 'base');
  }

  /** The fusion of `yHat` and the input `x0` (learned CFM or the fixed low-pass). */
  fusion(yHat: string, wantYHat: boolean): FusionTape {
    const { g, c, H, W } = this;
    const P = LOW_PASS_INPUTS;
    this.inputs.push(this.image('x0'), { name: P.rows, shape: [H, H] }, { name: P.colsT, shape: [W, W] }, { name: P.rowsT, shape: [H, H] }, { name: P.cols, shape: [W, W] });
    if (c.fusion === 'cfm') {
      this.inputs.push(...paramInfos('cfm', this.cfmLayers));
      const { fused, tape } = cfmFuse(g, c.cfm, yHat, 'x0', P, H, W);
      return { fused, backward: (dFused) => cfmBackward(g, c.cfm, tape, P, dFused, wantYHat) };
    }
    const fused = fixedFuse(g, yHat, 'x0', P);
    return { fused, backward: (dFused) => ({ grads: [], dYHat: fixedFuseGrad(g, dFused, P) }) };
  }

  /** One gradient output per parameter of a module. */
  gradOutputs(prefix: string, layers: readonly LayerSpec[], grads: readonly string[]): void {
    paramInfos(prefix, layers).forEach((info, i) => this.output(grads[i], { name: gradName(info.name), shape: info.shape }));
  }
}

/** `warmupStep` (loss of `x_hat = S(y)`) or `srmStep` (loss of the clamped fusion): loss and SRM gradients. */
function srmStepProgram(p: ProgramGraph, throughFusion: boolean): void {
  const { g } = p;
  const tape = p.srm();
  p.lossInputs();
  let xHat = tape.yHat;
  let toYHat = (dXHat: string): string => dXHat;
  if (throughFusion) {
    const f = p.fusion(tape.yHat, true);
    xHat = clampUnit(g, f.fused);
    toYHat = (dXHat) => f.backward(clampUnitGrad(g, dXHat, f.fused)).dYHat!;
  }
  const { loss, residual } = fidelityLoss(g, xHat);
  p.output(loss, { name: 'loss', shape: [] });
  const dYHat = toYHat(fidelityLossGrad(g, residual, p.lrValues));
  p.gradOutputs('srm', p.c.srm.layers, srmBackward(g, p.c.srm, tape, dYHat));
}

/** `cfmStep`: loss and CFM gradients, `yHat` given. */
function cfmStepProgram(p: ProgramGraph): void {
  const { g } = p;
  p.inputs.push(p.image('yHat'));
  p.lossInputs();
  const f = p.fusion('yHat', false);
  const { loss, residual } = fidelityLoss(g, clampUnit(g, f.fused));
  p.output(loss, { name: 'loss', shape: [] });
  p.gradOutputs('cfm', p.cfmLayers, f.backward(clampUnitGrad(g, fidelityLossGrad(g, residual, p.lrValues), f.fused)).grads);
}

/** `fuse`: the clamped fusion and its loss. */
function fuseProgram(p: ProgramGraph): void {
  p.inputs.push(p.image('yHat'));
  p.lossInputs();
  const xHat = clampUnit(p.g, p.fusion('yHat', false).fused);
  p.output(xHat, p.image('xHat'));
  p.output(fidelityLoss(p.g, xHat).loss, { name: 'loss', shape: [] });
}

/** Build the model of one program. */
export function contractionModel(program: ContractionProgram, c: ContractionGraphConfig): ModelSpec {
  const p = new ProgramGraph(c);
  switch (program) {
    case 'yHat':
      p.output(p.srm().yHat, p.image('yHat'));
      break;
    case 'warmupStep':
    case 'srmStep':
      srmStepProgram(p, program === 'srmStep');
      break;
    case 'cfmStep':
      cfmStepProgram(p);
      break;
    case 'fuse':
      fuseProgram(p);
      break;
  }
  return { graph: p.g, name: `difbfsr-contraction-${program}`, inputs: p.inputs, outputs: p.outputs, opset: CONTRACTION_OPSET };
}

/** The serialized model of one program (weights are inputs: the model holds only small constants). */
export function contractionModelBytes(program: ContractionProgram, c: ContractionGraphConfig): Uint8Array {
  return serializeModel(contractionModel(program, c), 'inline').model;
}
