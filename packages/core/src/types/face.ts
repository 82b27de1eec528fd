/** A point in image pixels. Pixel-edge coordinates: the top-left pixel spans `[0, 1) x [0, 1)`. */
export interface Point {
  x: number;
  y: number;
}

/** An axis-aligned box in image pixels (pixel-edge coordinates). */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The five landmarks the alignment uses, in this order: eye on the image's left, eye on the image's
 * right, nose tip, mouth corner on the image's left, mouth corner on the image's right (the order of
 * RetinaFace, GFPGAN and CodeFormer).
 */
export type FiveLandmarks = readonly [Point, Point, Point, Point, Point];

/**
 * Where a prior expects the five landmarks ({@link FiveLandmarks} order) in its own square output:
 * the framing of its training faces. Faces are aligned to it before restoration.
 */
export interface FaceTemplate {
  /** Side in pixels of the square the points are given in (the prior's resolution). */
  size: number;
  /** The five points, pixel-edge coordinates in a `size x size` image. */
  points: FiveLandmarks;
}
