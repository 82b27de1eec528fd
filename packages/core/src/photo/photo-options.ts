import type { RestoreInfo, RestoreOptions, RestoreProgress } from '../restore/options.js';
import type { FloatImage, RawImage } from '../types/image.js';
import type { DetectedFace, FaceDetector } from './face-detector.js';
import type { FaceTemplate } from '../types/face.js';
import type { PixelRect } from './pixel-window.js';
import type { Affine2D } from './similarity-transform.js';

/** A progress report of {@link restorePhoto}: one stage at a time, faces numbered from 1. */
export type PhotoProgress =
  | { stage: 'detect'; done: number; total: number }
  | { stage: 'background'; done: number; total: number }
  | { stage: 'face'; face: number; faces: number; step: 'align' | 'restore' | 'paste'; restore?: RestoreProgress };

/**
 * Options of {@link restorePhoto}: the photo-level knobs of GFPGAN / CodeFormer's command lines, plus
 * every option of `restore()` (`prior`, `steps`, `strength`, `seed`, ...), passed to each face's
 * restoration. One prior is loaded and reused for all faces.
 */
export interface PhotoOptions extends Omit<RestoreOptions, 'onProgress' | 'signal'> {
  /** Finds the faces (for example `await FaceApiDetector.load()` from `@difbfsr/faces`). Required unless `aligned`. */
  detector?: FaceDetector;
  /**
   * Where the prior wants the five landmarks. Default: the prior's own `faceTemplate` (the bundled
   * prior has one).
   */
  template?: FaceTemplate;
  /**
   * The input is already one face in the template's framing: it is restored as a whole, without
   * detection (resized to the prior's input size first when it has another size). Default false.
   */
  aligned?: boolean;
  /** Restore only the face nearest the photo's centre. Default false. */
  onlyCenterFace?: boolean;
  /**
   * Faces whose longer box side is smaller (photo pixels) are skipped as `'too-small'`; the detector
   * is asked to look for faces down to this size (small faces cost more detection passes). Default:
   * three quarters of the prior's input side (`0.75 * prior.resolution / scale`: 12 for the bundled
   * prior at x4), about the face box of a crop in the template's framing.
   */
  minFaceSize?: number;
  /**
   * Faces whose longer box side is larger (photo pixels) are skipped as `'too-large'`: the photo
   * already has more detail than the prior can give back. Default: the prior's resolution.
   */
  maxFaceSize?: number;
  /** Restore at most this many faces, the largest first; the rest are skipped as `'max-faces'`. Default: all. */
  maxFaces?: number;
  /**
   * The most pixels of the photo and of the result (`scale`² times the photo's): a larger photo
   * is refused with `IMAGE_TOO_LARGE` before any work. Default `DEFAULT_MAX_PIXELS`
   * (8192 x 8192 result pixels, a 2048 x 2048 photo at x4).
   */
  maxPixels?: number;
  /** Width of the blending ramp at the pasted face's edge, as a fraction of the face crop. Default 0.125. */
  feather?: number;
  /**
   * Also return what was restored of each face (`PhotoResult.crops`): the aligned low-resolution
   * crop, the restored face before it was pasted, and the restore's uncertainty map where its
   * method has one (`uncertainty`, default true, is otherwise not computed). Default false.
   */
  faceCrops?: boolean;
  /** Progress, per stage and per face step (restore steps included). */
  onProgress?: (progress: PhotoProgress) => void;
  /** Cancels the work; the promise rejects with `AbortError`. */
  signal?: AbortSignal;
}

/** Why a detected face was not restored. */
export type FaceSkipReason = 'too-small' | 'too-large' | 'outside-image' | 'not-center' | 'max-faces';

/**
 * What happened to one face: the detection (for `aligned` input, the whole image with score 1 and the
 * template's landmarks when the template is known) and its outcome.
 */
export interface FaceReport extends Omit<DetectedFace, 'landmarks'> {
  landmarks?: DetectedFace['landmarks'];
  /** Set when the face was not restored. */
  skipped?: FaceSkipReason;
  /** The similarity from photo pixels to the low-resolution aligned crop (restored faces). */
  toCrop?: Affine2D;
  /** True when the aligned crop reached outside the photo and mirrored edges filled it. */
  padded?: boolean;
  /** The output pixels the restored face was blended into. */
  region?: PixelRect;
  /** Mean RGB change (0..255) the pasted face brought to its region, mask-weighted: skin-tone drift. */
  colourShift?: [number, number, number];
  /** The face's restoration report. */
  restore?: RestoreInfo;
}

/** What {@link restorePhoto} restored of one face (with `faceCrops`). */
export interface FaceCrop {
  /** The low-resolution aligned crop that was restored: 8-bit RGB, `prior.resolution / scale` square (the face report's `toCrop` maps photo pixels onto it). */
  input: RawImage;
  /** The restored face before it was pasted: 8-bit RGB, `prior.resolution` square, `scale` times the crop. */
  restored: RawImage;
  /** The restore's per-pixel posterior standard deviation, where its method has one. */
  uncertainty?: FloatImage;
}

/** The result of {@link restorePhoto}. */
export interface PhotoResult {
  /** The restored photo, `scale` times larger, in the input's channels and bit depth. */
  image: RawImage;
  /** Every detected face, restored or skipped with its reason, in detection order. */
  faces: FaceReport[];
  /** With `faceCrops`: what was restored of each face, in the order of `faces` (undefined for a skipped face). */
  crops?: Array<FaceCrop | undefined>;
  /** Upscaling factor applied. */
  scale: number;
  /** The detector that ran (absent for `aligned` input). */
  detector?: string;
  /** What the caller should know about the result (an `aligned` face far below the prior's input size). */
  warnings: string[];
  /** Wall time in milliseconds. */
  timeMs: number;
}
