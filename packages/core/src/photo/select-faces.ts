import type { FaceReport } from './photo-options.js';

/** Which faces to restore: the rules of {@link PhotoOptions}, applied in a fixed order. */
export interface FaceSelection {
  width: number;
  height: number;
  minFaceSize: number;
  maxFaceSize: number;
  onlyCenterFace: boolean;
  maxFaces: number;
}

/**
 * Mark the faces that will not be restored, in place, with the first rule they fail: landmarks outside
 * the photo, too small, too large, not the centre face (`onlyCenterFace`), beyond `maxFaces` (largest kept).
 */
export function selectFaces(faces: FaceReport[], rules: FaceSelection): void {
  for (const f of faces) {
    const size = Math.max(f.box.width, f.box.height);
    if (f.landmarks?.some((p) => p.x < 0 || p.y < 0 || p.x > rules.width || p.y > rules.height)) f.skipped = 'outside-image';
    else if (size < rules.minFaceSize) f.skipped = 'too-small';
    else if (size > rules.maxFaceSize) f.skipped = 'too-large';
  }
  const open = () => faces.filter((f) => !f.skipped);
  if (rules.onlyCenterFace) {
    const dist = (f: FaceReport) => Math.hypot(f.box.x + f.box.width / 2 - rules.width / 2, f.box.y + f.box.height / 2 - rules.height / 2);
    const [centre] = open().sort((a, b) => dist(a) - dist(b));
    for (const f of open()) if (f !== centre) f.skipped = 'not-center';
  }
  const bySize = open().sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  for (const f of bySize.slice(rules.maxFaces)) f.skipped = 'max-faces';
}
