import exampleFaceUrl from '../../assets/face-lr.png?url';
import { canvasToPng, clearCanvas, drawImage } from './canvas.js';
import { bindCompareSlider } from './compare-slider.js';
import { loadAlignedFace } from './load-face.js';
import type { RestoreSettings, WorkerReady } from './protocol.js';
import { RestoreCancelled, RestoreClient } from './restore-client.js';

/** What the page is doing; mirrored on `<body data-state>` for styling and for the end-to-end test. */
type PageState = 'loading' | 'ready' | 'running' | 'done' | 'cancelled' | 'error';

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

const ui = {
  backend: byId('backend'),
  drop: byId('drop'),
  file: byId<HTMLInputElement>('file'),
  sizeHint: byId('size-hint'),
  example: byId<HTMLButtonElement>('example'),
  lr: byId<HTMLCanvasElement>('lr'),
  note: byId('note'),
  settings: byId<HTMLFormElement>('settings'),
  steps: byId<HTMLInputElement>('steps'),
  strength: byId<HTMLInputElement>('strength'),
  seed: byId<HTMLInputElement>('seed'),
  restore: byId<HTMLButtonElement>('restore'),
  cancel: byId<HTMLButtonElement>('cancel'),
  progress: byId<HTMLProgressElement>('progress'),
  progressText: byId('progress-text'),
  preview: byId<HTMLCanvasElement>('preview'),
  before: byId<HTMLCanvasElement>('before'),
  after: byId<HTMLCanvasElement>('after'),
  download: byId<HTMLAnchorElement>('download'),
  message: byId('message'),
};

const client = new RestoreClient();
let ready: WorkerReady | undefined;
let face: ImageData | undefined;
let running: AbortController | undefined;

function setState(state: PageState, message = ''): void {
  document.body.dataset.state = state;
  ui.message.textContent = message;
  const busy = state === 'loading' || state === 'running';
  ui.restore.disabled = busy || !face;
  ui.cancel.disabled = state !== 'running';
  ui.example.disabled = ui.file.disabled = ready === undefined || state === 'running';
}

async function useFile(file: Blob): Promise<void> {
  // Until the prior is loaded, and while a restore runs, the file input and the example button are
  // disabled and a dropped file is ignored.
  if (!ready || running) return;
  try {
    const loaded = await loadAlignedFace(file, ready.lrSize);
    face = loaded.image;
    drawImage(ui.lr, face);
    ui.note.textContent = loaded.note ?? '';
    setState('ready', 'Ready: press Restore.');
  } catch (error) {
    setState('error', error instanceof Error ? error.message : String(error));
  }
}

function readSettings(): RestoreSettings {
  return { steps: ui.steps.valueAsNumber, strength: ui.strength.valueAsNumber, seed: ui.seed.valueAsNumber };
}

async function restoreFace(image: ImageData): Promise<void> {
  running = new AbortController();
  ui.download.hidden = true;
  URL.revokeObjectURL(ui.download.href);
  ui.progress.value = 0;
  ui.progressText.textContent = '';
  clearCanvas(ui.after);
  clearCanvas(ui.preview);
  setState('running', 'Restoring…');
  try {
    const { image: result, info } = await client.restore(
      image,
      readSettings(),
      {
        onBicubic: (bicubic) => drawImage(ui.before, bicubic),
        onProgress: ({ phase, step, total, x0 }) => {
          ui.progress.value = step / total;
          ui.progressText.textContent = `${phase === 'warmup' ? 'warm-up' : 'step'} ${step}/${total}`;
          if (x0) drawImage(ui.preview, x0);
        },
      },
      running.signal,
    );
    drawImage(ui.after, result);
    ui.download.href = URL.createObjectURL(await canvasToPng(ui.after));
    ui.download.hidden = false;
    const collapsed = info.collapsed ? ' The diffusion result drifted from the input, so the SRM output is shown.' : '';
    setState('done', `Restored ${image.width}×${image.height} → ${result.width}×${result.height}: ${info.steps} steps in ${(info.timeMs / 1000).toFixed(1)} s.${collapsed}`);
  } catch (error) {
    if (error instanceof RestoreCancelled) setState('cancelled', 'Cancelled.');
    else setState('error', `The restore failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    running = undefined;
  }
}

ui.file.addEventListener('change', () => {
  const file = ui.file.files?.[0];
  if (file) void useFile(file);
});
ui.drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  ui.drop.classList.add('over');
});
ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
ui.drop.addEventListener('drop', (event) => {
  event.preventDefault();
  ui.drop.classList.remove('over');
  const file = event.dataTransfer?.files[0];
  if (file) void useFile(file);
});
ui.example.addEventListener('click', () => {
  fetch(exampleFaceUrl)
    .then((response) => response.blob())
    .then(useFile, (error: unknown) => setState('error', `The example face could not be loaded: ${String(error)}`));
});
ui.settings.addEventListener('submit', (event) => {
  event.preventDefault();
  if (face && !running) void restoreFace(face);
});
ui.cancel.addEventListener('click', () => running?.abort());
bindCompareSlider(byId('compare'), byId<HTMLInputElement>('slider'));

client.ready.then(
  (info) => {
    ready = info;
    const { backend } = info;
    const simd = backend.simd ? ', SIMD' : '';
    ui.backend.textContent = `Backend: ${backend.tfBackend} (${backend.threads} thread${backend.threads === 1 ? '' : 's'}${simd}); face prior ${info.resolution}×${info.resolution} loaded.`;
    ui.sizeHint.textContent = `${info.lrSize}×${info.lrSize} pixels; larger faces are resized down`;
    setState('ready', 'Choose a face to restore.');
  },
  (error: unknown) => {
    ui.backend.textContent = 'The backend or the face prior could not be loaded.';
    setState('error', error instanceof Error ? error.message : String(error));
  },
);
