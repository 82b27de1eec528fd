import type { Command } from 'commander';
import { DEFAULT_MAX_PIXELS, RESTORE_DEFAULTS as D } from '@difbfsr/core';
import type { CliCommand } from '../command.js';
import { CliExit, EXIT_STATUS } from '../exit-status.js';
import type { CliIO } from '../io.js';
import { FFHQ_TEMPLATE } from '../restore/face-template-option.js';
import { BUNDLED_MODEL, MODEL_DIR_ENV } from '../restore/prior-source.js';
import { parseRestoreOptions, type RawRestoreOptions } from '../restore/restore-options.js';
import { runRestore } from '../restore/run-restore.js';
import { UNCERTAINTY_SCALE } from '../restore/uncertainty-heat-map.js';

export const restoreCommand: CliCommand = {
  name: 'restore',
  register(program: Command, io: CliIO) {
    program
      .command('restore')
      .description('restore the faces of photos (x4), or aligned face crops: image files, folders and glob patterns')
      .argument('<inputs...>', 'image files, folders or quoted glob patterns ("photos/**/*.jpg")')
      .option('-o, --output <folder>', 'output folder', 'restored')
      .option('--ext <format>', 'output format: png, jpg or webp (default: the input\'s when it is one of these, else png)')
      .option('--suffix <text>', 'added to each output file\'s base name', '')
      .option('--json <file>', 'write a JSON report (settings with their defaults; per face: box, landmarks, method, samples, fidelity, the degradation used, estimated or given, times) to <file>; "-" prints it on stdout')
      .option('--save-faces', 'also write each face\'s aligned input crop and restored face (before pasting) to <output>/faces/')
      .option('--save-uncertainty', `also write each face's uncertainty map (the restore's per-pixel posterior standard deviation, averaged over RGB) as a heat map to <output>/faces/<name>_face<k>_uncertainty.png: black 0, through red and yellow, to white at ${UNCERTAINTY_SCALE} grey levels or more; needs --method gaussian, or posterior with --samples 2 or more`)
      .option('--method <name>', `how each face is restored: diffusion (the paper's contraction), posterior (a diffusion posterior sampler: --samples, --fidelity) or gaussian (the closed-form Gaussian face model, fast, no generated detail); auto: posterior when the model has a Gaussian face model (the bundled one has), else diffusion (default ${D.method})`)
      .option('--samples <k>', `--method posterior: posterior samples drawn together (default ${D.samples}); 2 or more give an uncertainty map`)
      .option('--fidelity <f>', `--method posterior: 1 returns the samples' mean (most faithful), 0 the first sample (most detail) (default ${D.fidelity})`)
      .option('--blur <sigma>', 'with --noise: the known degradation of the inputs instead of the estimate: Gaussian blur sigma, in pixels of the restored face (the prior\'s resolution)')
      .option('--noise <level>', 'with --blur: the inputs\' effective noise on the 0..255 scale (JPEG included)')
      .option('--chroma <level>', 'with --blur and --noise: extra noise of the colour channels')
      .option('--seed <n>', `seed of every random draw (default ${D.seed})`)
      .option('--steps <n>', `reverse diffusion steps, i.e. network calls per face (default ${D.steps}; ${D.posteriorSteps} for --method posterior)`)
      .option('--strength <x>', `where the chain starts, in (0, 1]: lower is more faithful (default ${D.strength})`)
      .option('--warmup-iters <n>', `SRM warm-up iterations before the diffusion chain (default ${D.warmupIters}; 0 is faster, slightly less faithful)`)
      .option('--scale <n>', `upscaling factor, a power of two (default ${D.scale})`)
      .option('--aligned', 'the inputs are aligned face crops: no detection, each image restored whole')
      .option('--only-center-face', 'restore only the face nearest the centre of each photo')
      .option('--max-faces <n>', 'restore at most this many faces per photo, the largest first')
      .option('--min-face-size <px>', 'skip faces smaller than this (longer box side, input pixels; default: three quarters of the prior\'s input side, 12 for the bundled prior at x4)')
      .option('--max-face-size <px>', 'skip faces larger than this: they have more detail than the prior gives (default: the prior\'s resolution)')
      .option('--max-pixels <n>', `refuse an image whose input or output has more pixels than this, before decoding it (default ${DEFAULT_MAX_PIXELS}: 8192x8192 output, a 2048x2048 photo at x4)`)
      .option('--model <file|preset>', `the prior: a checkpoint file, a preset name (its checkpoint file looked up in $${MODEL_DIR_ENV}, default the current folder) or "${BUNDLED_MODEL}"`, BUNDLED_MODEL)
      .option('--backend <name>', `the runtime that runs the prior and the SRM/CFM optimisation: auto (ONNX Runtime when @difbfsr/onnx is installed, else tfjs), tfjs or onnx (default ${D.backend})`)
      .option('--device <name>', "where ONNX Runtime runs the prior: cuda (onnxruntime-node's CUDA provider, or an error naming what is missing), cpu, or auto (CUDA when installed)", 'auto')
      .option('--face-template <ffhq|file.json>', `where the prior wants the eyes, nose tip and mouth corners: "${FFHQ_TEMPLATE}" (FFHQ alignment) or a JSON file {"size", "points": [{"x", "y"} x 5]} (default: the prior's own; the FFHQ presets have one)`)
      .addHelpText(
        'after',
        '\nPhotos: faces are found with @difbfsr/faces, aligned, restored and pasted back into the photo upscaled\n' +
          'with Lanczos3. --aligned inputs are square face crops, resized to (prior resolution / scale) pixels\n' +
          '(16x16 for the bundled prior, 64x64 for a 256 px checkpoint). Grey, alpha and 16-bit inputs keep their form (16 bits in PNG).\n' +
          'Checkpoints: --model ffhq_10m.pt (ILVR/DPS), ffhq_p2.pt (P2) or iddpm_ffhq512_ema500000.pth (DifFace) align faces\n' +
          'to the FFHQ template of their preset; another checkpoint needs --face-template for photos.\n' +
          'Exit status: 0 all restored, 1 something failed (each failure is reported), 2 bad usage, 130 stopped by Ctrl-C\n' +
          '(outputs already written are kept).\n',
      )
      .action(async (inputs: string[], raw: RawRestoreOptions) => {
        const status = await runRestore(inputs, parseRestoreOptions(raw), io);
        if (status !== EXIT_STATUS.ok) throw new CliExit(status);
      });
  },
};
