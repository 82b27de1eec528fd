import type { FaceApiLandmarker } from '@difbfsr/faces';
import type { FaceRecognizer } from '../identity/face-recognizer.js';
import { cosineSimilarity } from '../identity/identity-similarity.js';
import type { RgbImage } from '../image.js';
import { faceFeatureDistances } from '../metrics/face-feature-distance.js';
import { descriptorDistance } from '../metrics/identity-verification.js';
import { landmarkNme, type LandmarkPoint } from '../metrics/landmark-nme.js';
import { NIQE_BLOCK_SIZE } from '../metrics/niqe/niqe-features.js';
import { niqe } from '../metrics/niqe/niqe.js';

/** The networks the bench scores faces with. */
export interface FaceScorers {
  readonly recognizer: FaceRecognizer;
  readonly landmarker: FaceApiLandmarker;
}

/** A clean face with what its outputs are compared against. */
export interface CleanFace {
  readonly name: string;
  readonly hr: RgbImage;
  readonly descriptor: Float32Array;
  readonly landmarks: LandmarkPoint[];
}

/** Every metric of one output beyond PSNR and SSIM. */
export interface PerceptualScores {
  /** Cosine similarity of the output's and the clean face's descriptors. */
  readonly identity: number;
  /** Euclidean distance of the two descriptors (what a verifier thresholds). */
  readonly identityDistance: number;
  /** The output's and the clean face's 128-D descriptors (7 significant digits), for the Fréchet distance of sets. */
  readonly descriptor: number[];
  readonly cleanDescriptor: number[];
  /** NME of the output's 68 landmarks against the clean face's (inter-ocular normalised). */
  readonly landmarkNme: number;
  /** LPIPS-type distance on the face recogniser's features (not comparable with published LPIPS). */
  readonly faceFeatureDistance: number;
  /** NIQE of the output; `null` below one 96x96 block (64 px faces). */
  readonly niqe: number | null;
}

const short = (v: Float32Array): number[] => Array.from(v, (x) => Number(x.toPrecision(7)));

/** Descriptor and landmarks of a clean face, computed once for all its outputs. */
export async function cleanFace(name: string, hr: RgbImage, scorers: FaceScorers): Promise<CleanFace> {
  return { name, hr, descriptor: scorers.recognizer.embed([hr])[0], landmarks: await scorers.landmarker.locate(hr) };
}

/** Score one output against its clean face. */
export async function perceptualScores(output: RgbImage, clean: CleanFace, scorers: FaceScorers): Promise<PerceptualScores> {
  const descriptor = scorers.recognizer.embed([output])[0];
  const big = output.width >= NIQE_BLOCK_SIZE && output.height >= NIQE_BLOCK_SIZE;
  return {
    identity: cosineSimilarity(clean.descriptor, descriptor),
    identityDistance: descriptorDistance(clean.descriptor, descriptor),
    descriptor: short(descriptor),
    cleanDescriptor: short(clean.descriptor),
    landmarkNme: landmarkNme(await scorers.landmarker.locate(output), clean.landmarks),
    faceFeatureDistance: faceFeatureDistances(scorers.recognizer, clean.hr, [output])[0],
    niqe: big ? niqe(output) : null,
  };
}
