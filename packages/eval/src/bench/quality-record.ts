import type { MethodRun } from './run-method.js';

/** One finished item of the quality bench: a method run on one face degraded by one protocol case. */
export interface QualityRecord extends Omit<MethodRun, 'output'> {
  /** `face|case|method|tag|settings`: what makes an item unique (and resumable). */
  readonly key: string;
  readonly face: string;
  readonly case: number;
  readonly method: string;
  readonly tag: string;
  /** {@link settingsHash} of what the method ran with (see `settings`). */
  readonly settingsHash: string;
  /** The settings that were hashed: the protocol version, the method, its options. */
  readonly settings: Record<string, unknown>;
  /** dB against the clean HR face, uint8 RGB; `null` for an exact copy (infinite PSNR). */
  readonly psnr: number | null;
  readonly ssim: number;
  /** Cosine similarity of face-recognition descriptors of output and clean face. */
  readonly identity: number;
  /**
   * The perceptual metrics (`PerceptualScores`: descriptor distance, both descriptors, landmark NME,
   * face feature distance, NIQE); absent in records made before them.
   */
  readonly identityDistance?: number;
  readonly descriptor?: number[];
  readonly cleanDescriptor?: number[];
  readonly landmarkNme?: number;
  readonly faceFeatureDistance?: number;
  readonly niqe?: number | null;
  /** Peak RSS of the process so far, MiB. */
  readonly peakRssMiB: number;
  /** When the item finished (ISO time) and which shard ran it. */
  readonly finishedAt: string;
  readonly shard: string;
}

/** The key of an item. */
export function recordKey(face: string, caseIndex: number, method: string, tag: string, hash: string): string {
  return `${face}|${caseIndex}|${method}|${tag}|${hash}`;
}
