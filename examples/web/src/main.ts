import exampleFaceUrl from '../../assets/face-lr.png?url';
import type { RawImage } from '@difbfsr/core';
import { canvasToPng, clearCanvas, drawImage } from './canvas.js';
import { bindCompareSlider } from './compare-slider.js';
import { describeProgress } from './describe-progress.js';
import { describeReport } from './describe-report.js';
import { loadAlignedFace, type LoadedImage } from './load-face.js';
import { loadPhoto } from './load-photo.js';
import type { RestoreJob, RestoreSettings, WorkerReady } from './protocol.js';
import { RestoreCancelled, RestoreClient } from './restore-client.js';
import { FACE_API_MODEL_DIR } from './static-paths.js';

/** What the page is doing; mirrored on `<body data-state>` for styling and for the end-to-end test. */
type PageState = 'loading' | 'ready' | 'running' | 'done' | 'cancelled' | 'error';
/** What the chosen image is: one aligned face, or a photo whose faces are found. */
type Mode = RestoreJob['mode'];

/** Longest side of a photo in the whole-photo mode (the result is 4 times larger). */
const MAX_PHOTO_SIDE = 512;

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

const ui = {
  backend: byId('backend'),
  modes: Array.from(document.querySelectorAll<HTMLInputElement>('input[name="mode"]')),
  drop: byId('drop'),
  dropText: byId('drop-text'),
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
  compare: byId('compare'),
  before: byId<HTMLCanvasElement>('before'),
  beforeName: byId('before-name'),
  after: byId<HTMLCanvasElement>('after'),
  download: byId<HTMLAnchorElement>('download'),
  message: byId('message'),
};

const client = new RestoreClient();
let ready: WorkerReady | undefined;
let mode: Mode = 'aligned';
/** The last file chosen, reloaded when the mode changes. */
let file: Blob | undefined;
let input: ImageData | undefined;
let running: AbortController | undefined;

function setState(state: PageState, message = ''): void {
  document.body.dataset.state = state;
  ui.message.textContent = message;
  const busy = state === 'loading' || state === 'running';
  ui.restore.disabled = busy || !input;
  ui.cancel.disabled = state !== 'running';
  for (const control of [ui.example, ui.file, ...ui.modes]) control.disabled = ready === undefined || state === 'running';
}

function showMode(lrSize: number): void {
  const photo = mode === 'photo';
  ui.dropText.textContent = photo ? 'Choose or drop a photo' : 'Choose or drop an aligned face';
  ui.sizeHint.textContent = photo
    ? `faces of about ${lrSize} pixels or more; at most ${MAX_PHOTO_SIDE} pixels a side`
    : `${lrSize}×${lrSize} pixels; larger faces are resized down`;
  ui.beforeName.textContent = photo ? 'before (Lanczos3)' : 'before (bicubic)';
  // The example face is an aligned 16x16 face: far too small a photo to find a face in.
  ui.example.hidden = photo;
}

async function useFile(chosen: Blob): Promise<void> {
  // Until the prior is loaded, and while a restore runs, the file input and the example button are
  // disabled and a dropped file is ignored.
  if (!ready || running) return;
  file = chosen;
  try {
    const loaded: LoadedImage = mode === 'photo' ? await loadPhoto(chosen, MAX_PHOTO_SIDE) : await loadAlignedFace(chosen, ready.lrSize);
    input = loaded.image;
    drawImage(ui.lr, input);
    ui.note.textContent = loaded.note ?? '';
    setState('ready', 'Ready: press Restore.');
  } catch (error) {
    setState('error', error instanceof Error ? error.message : String(error));
  }
}

function readSettings(): RestoreSettings {
  return { steps: ui.steps.valueAsNumber, strength: ui.strength.valueAsNumber, seed: ui.seed.valueAsNumber };
}

function showResultShape(image: RawImage): void {
  ui.compare.classList.toggle('photo', mode === 'photo');
  ui.compare.style.aspectRatio = `${image.width} / ${image.height}`;
}

async function restoreInput(image: ImageData): Promise<void> {
  running = new AbortController();
  ui.download.hidden = true;
  URL.revokeObjectURL(ui.download.href);
  ui.progress.value = 0;
  ui.progressText.textContent = '';
  clearCanvas(ui.after);
  clearCanvas(ui.preview);
  setState('running', mode === 'photo' ? 'Finding and restoring the faces…' : 'Restoring…');
  const settings = readSettings();
  const job: RestoreJob =
    mode === 'photo' ? { mode, image, settings, detectorUrl: new URL(`${FACE_API_MODEL_DIR}/`, document.baseURI).href } : { mode, image, settings };
  try {
    const { image: result, report } = await client.restore(
      job,
      {
        onBefore: (before) => {
          showResultShape(before);
          drawImage(ui.before, before);
          clearCanvas(ui.after);
        },
        onProgress: (progress) => {
          const view = describeProgress(progress);
          ui.progress.value = view.fraction;
          ui.progressText.textContent = view.text;
          if (view.x0) drawImage(ui.preview, view.x0);
        },
      },
      running.signal,
    );
    drawImage(ui.after, result);
    ui.download.href = URL.createObjectURL(await canvasToPng(ui.after));
    ui.download.hidden = false;
    setState('done', describeReport(report, image, result));
  } catch (error) {
    if (error instanceof RestoreCancelled) setState('cancelled', 'Cancelled.');
    else setState('error', `The restore failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    running = undefined;
  }
}

for (const radio of ui.modes) {
  radio.addEventListener('change', () => {
    mode = radio.value as Mode;
    input = undefined;
    if (ready) showMode(ready.lrSize);
    if (file) void useFile(file);
    else setState('ready', 'Choose an image to restore.');
  });
}
ui.file.addEventListener('change', () => {
  const chosen = ui.file.files?.[0];
  if (chosen) void useFile(chosen);
});
ui.drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  ui.drop.classList.add('over');
});
ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
ui.drop.addEventListener('drop', (event) => {
  event.preventDefault();
  ui.drop.classList.remove('over');
  const chosen = event.dataTransfer?.files[0];
  if (chosen) void useFile(chosen);
});
ui.example.addEventListener('click', () => {
  fetch(exampleFaceUrl)
    .then((response) => response.blob())
    .then(useFile, (error: unknown) => setState('error', `The example face could not be loaded: ${String(error)}`));
});
ui.settings.addEventListener('submit', (event) => {
  event.preventDefault();
  if (input && !running) void restoreInput(input);
});
ui.cancel.addEventListener('click', () => running?.abort());
bindCompareSlider(ui.compare, byId<HTMLInputElement>('slider'));

client.ready.then(
  (info) => {
    ready = info;
    const { backend } = info;
    const simd = backend.simd ? ', SIMD' : '';
    ui.backend.textContent = `Backend: ${backend.tfBackend} (${backend.threads} thread${backend.threads === 1 ? '' : 's'}${simd}); face prior ${info.resolution}×${info.resolution} loaded.`;
    showMode(info.lrSize);
    setState('ready', 'Choose an image to restore.');
  },
  (error: unknown) => {
    ui.backend.textContent = 'The backend or the face prior could not be loaded.';
    setState('error', error instanceof Error ? error.message : String(error));
  },
);
