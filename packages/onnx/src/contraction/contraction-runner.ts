import * as tf from '@tensorflow/tfjs-core';
import { chainSeparable, DifbfsrError, resizeBicubic, type ContractionProblem, type Matrix1D } from '@difbfsr/core';
import type * as Ort from 'onnxruntime-node';
import { loadOnnxRuntime, type LoadedRuntime, type OnnxRuntimeKind } from '../runtime.js';
import { LOSS_INPUTS } from './loss-graph.js';
import { cfmSpecOf, paramSetOf, srmSpecOf, type ParamSet } from './module-specs.js';
import { nchwOf, nhwcTensor } from './nchw.js';
import { gradName, LOW_PASS_INPUTS, type ContractionGraphConfig, type ContractionProgram } from './programs.js';
import { acquireContractionSession, releaseContractionSession } from './sessions.js';

/** Options of `OnnxContractionOptimizer.create` and `registerOnnxRuntime`. */
export interface OnnxContractionOptions {
  /** CPU threads. Default: every core in Node (`os.availableParallelism()`), onnxruntime-web's default in browsers. */
  threads?: number;
  /** onnxruntime package: `'node'` (default in Node.js) or `'web'`. */
  runtime?: OnnxRuntimeKind;
}

/** A gradient program's loss (before any update) and gradients, in the parameter set's order. */
export interface Gradients {
  loss: number;
  grads: Float32Array[];
}

/** Images of at least this many HR pixels release the warm-up session after the warm-up (see `finishWarmup`). */
const LARGE_IMAGE_PIXELS = 256 * 256;

function transposed(m: Matrix1D): Matrix1D {
  const data = new Float32Array(m.data.length);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) data[j * m.rows + i] = m.data[i * m.cols + j];
  return { rows: m.cols, cols: m.rows, data };
}

function runtimeError(what: string, err: unknown): DifbfsrError {
  return new DifbfsrError('BACKEND', `${what}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

async function defaultThreads(kind: OnnxRuntimeKind): Promise<number | undefined> {
  if (kind !== 'node') return undefined;
  const os = await import('node:os');
  return os.availableParallelism();
}

/**
 * The contraction graphs of one image on ONNX Runtime and everything they are fed: the image's
 * constants (`y`, its bicubic upsampling, `L(y)`, the filters as matrices), the current `x0` and
 * `y_hat`, and a copy of the SRM and CFM weights in ONNX layout, which callers update in place.
 */
export class ContractionRunner {
  /** The SRM's weights (updated in place by the optimiser; fed to every run). */
  readonly srmParams: ParamSet;
  /** The CFM's weights. */
  readonly cfmParams: ParamSet;
  /** HR height and width. */
  readonly height: number;
  readonly width: number;
  private readonly values: Record<string, Ort.Tensor> = {};
  /** The sessions this runner holds (see `acquireContractionSession`). */
  private readonly sessions = new Map<ContractionProgram, Promise<Ort.InferenceSession>>();

  private constructor(
    readonly rt: LoadedRuntime,
    private readonly p: ContractionProblem,
    private readonly config: ContractionGraphConfig,
    private readonly threads: number | undefined,
  ) {
    this.height = config.lrHeight * config.scale;
    this.width = config.lrWidth * config.scale;
    this.srmParams = paramSetOf('srm', p.srm.variables, config.srm.layers);
    this.cfmParams = paramSetOf('cfm', p.cfm.variables, [config.cfm.hidden, config.cfm.logits]);
    for (const set of [this.srmParams, this.cfmParams]) set.names.forEach((n, i) => this.feed(n, set.data[i], set.shapes[i]));
    this.feedConstants();
  }

  /**
   * The runner of `problem` (whose filters must have `separable` operators), with the sessions of
   * every program a diffusion step runs opened.
   * @throws DifbfsrError `BACKEND` when onnxruntime cannot be loaded or a session fails;
   *   `INVALID_OPTION` for a filter without a fitting linear operator or bad options.
   */
  static async create(problem: ContractionProblem, options: OnnxContractionOptions = {}): Promise<ContractionRunner> {
    const rt = await loadOnnxRuntime(options.runtime);
    const threads = options.threads ?? (await defaultThreads(rt.kind));
    if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) {
      throw new DifbfsrError('INVALID_OPTION', `threads must be a positive integer, got ${threads}`);
    }
    for (const [what, f] of [['lrLowPass', problem.lrLowPass], ['lowPass', problem.lowPass]] as const) {
      if (typeof f.separable !== 'function') {
        throw new DifbfsrError('INVALID_OPTION', `${what} ${JSON.stringify(f.name)} has no linear operator (LowPass.separable): ONNX Runtime cannot run it`);
      }
    }
    const [, h, w] = problem.y.shape;
    const config: ContractionGraphConfig = {
      lrHeight: h,
      lrWidth: w,
      scale: problem.scale,
      srm: srmSpecOf(problem.srm),
      cfm: cfmSpecOf(problem.cfm),
      fusion: problem.learnCfm ? 'cfm' : 'fixed',
    };
    const runner = new ContractionRunner(rt, problem, config, threads);
    // Failures surface before the chain starts.
    const programs: ContractionProgram[] = ['fuse', ...(problem.learnSrm ? (['yHat', 'srmStep'] as const) : []), ...(problem.learnCfm ? (['cfmStep'] as const) : [])];
    await Promise.all(programs.map((program) => runner.session(program)));
    return runner;
  }

  /** Set the prior's estimate `x0` (NHWC) for the following runs. */
  setX0(x0: tf.Tensor4D): void {
    this.feed('x0', nchwOf(x0), [1, 3, this.height, this.width]);
  }

  /** Set `y_hat` (an output of a `yHat` run) for the following `cfmStep` and `fuse` runs. */
  setYHat(yHat: Ort.Tensor): void {
    this.values.yHat = yHat;
  }

  /** Run a gradient program (`warmupStep`, `srmStep` or `cfmStep`) on the current values. */
  async gradients(program: 'warmupStep' | 'srmStep' | 'cfmStep'): Promise<Gradients> {
    const params = program === 'cfmStep' ? this.cfmParams : this.srmParams;
    const r = await this.run(program);
    return { loss: (r.loss.data as Float32Array)[0], grads: params.names.map((n) => r[gradName(n)].data as Float32Array) };
  }

  /** Run a program on the current values. */
  async run(program: ContractionProgram): Promise<Ort.InferenceSession.ReturnType> {
    const session = await this.session(program);
    const feeds: Record<string, Ort.Tensor> = {};
    for (const name of session.inputNames) feeds[name] = this.values[name];
    try {
      return await session.run(feeds);
    } catch (err) {
      throw runtimeError(`onnxruntime-${this.rt.kind}: the ${program} graph failed`, err);
    }
  }

  /** An HR image output (NCHW) as an NHWC tfjs tensor. */
  imageTensor(value: Ort.Tensor): tf.Tensor4D {
    return nhwcTensor(value.data as Float32Array, 3, this.height, this.width);
  }

  /**
   * The warm-up is over: give up the warm-up graph's session, and at 256x256 pixels or more release
   * it when no other optimiser holds it. Its activation arena (about 160 MiB at 256 px, 690 MiB at
   * 512 px) would otherwise stay allocated through the chain; building it again for the next face
   * costs a few seconds against minutes per face.
   */
  finishWarmup(): void {
    this.close('warmupStep', this.height * this.width >= LARGE_IMAGE_PIXELS);
  }

  /** Give up every session (shared sessions stay cached for the next image). */
  dispose(): void {
    for (const program of [...this.sessions.keys()]) this.close(program, false);
  }

  private close(program: ContractionProgram, release: boolean): void {
    if (!this.sessions.delete(program)) return;
    releaseContractionSession(this.rt, program, this.config, this.threads, release);
  }

  private session(program: ContractionProgram): Promise<Ort.InferenceSession> {
    let session = this.sessions.get(program);
    if (!session) {
      session = acquireContractionSession(this.rt, program, this.config, this.threads).catch((err: unknown) => {
        this.sessions.delete(program);
        throw runtimeError(`onnxruntime-${this.rt.kind} could not build the ${program} graph`, err);
      });
      this.sessions.set(program, session);
    }
    return session;
  }
  private feed(name: string, data: Float32Array, dims: readonly number[]): void {
    this.values[name] = new this.rt.ort.Tensor('float32', data, dims);
  }

  /** @throws DifbfsrError `INVALID_OPTION` unless `m` is a `rows` x `cols` matrix. */
  private checkMatrix(name: string, m: Matrix1D, rows: number, cols: number): void {
    if (m.rows !== rows || m.cols !== cols || m.data.length !== rows * cols) {
      throw new DifbfsrError('INVALID_OPTION', `${name}: the operator is ${m.rows}x${m.cols}, expected ${rows}x${cols}`);
    }
  }

  private feedMatrix(name: string, m: Matrix1D, rows: number, cols: number): void {
    this.checkMatrix(name, m, rows, cols);
    this.feed(name, m.data, [rows, cols]);
  }

  /** The image's constant inputs: `y`, the bicubic base, `L(y)`, `y_hat` without SRM, and the filters. */
  private feedConstants(): void {
    const { p, height: H, width: W } = this;
    const { lrHeight: h, lrWidth: w } = this.config;
    this.feed('y', nchwOf(p.y), [1, 3, h, w]);
    const base = resizeBicubic(p.y, H, W);
    this.feed('base', nchwOf(base), [1, 3, H, W]);
    base.dispose();
    this.feed(LOSS_INPUTS.lowY, nchwOf(p.lowY), [1, 3, h, w]);
    this.feed('yHat', nchwOf(p.upsampled), [1, 3, H, W]);
    // The loss's operator: the LR low-pass after the HR -> LR projection D.
    const lr = p.lrLowPass.separable!(h, w);
    this.checkMatrix('lrProjection.rows', p.lrProjection.rows, h, H);
    this.checkMatrix('lrProjection.cols', p.lrProjection.cols, w, W);
    const { rows, cols } = chainSeparable(p.lrProjection, lr);
    this.feedMatrix(LOSS_INPUTS.rows, rows, h, H);
    this.feedMatrix(LOSS_INPUTS.colsT, transposed(cols), W, w);
    this.feedMatrix(LOSS_INPUTS.rowsT, transposed(rows), H, h);
    this.feedMatrix(LOSS_INPUTS.cols, cols, w, W);
    const P = p.lowPass.separable!(H, W);
    this.feedMatrix(LOW_PASS_INPUTS.rows, P.rows, H, H);
    this.feedMatrix(LOW_PASS_INPUTS.colsT, transposed(P.cols), W, W);
    this.feedMatrix(LOW_PASS_INPUTS.rowsT, transposed(P.rows), H, H);
    this.feedMatrix(LOW_PASS_INPUTS.cols, P.cols, W, W);
  }
}
