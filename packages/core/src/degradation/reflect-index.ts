/**
 * Index `i` of a length-`n` signal extended by mirroring about its end samples without repeating
 * them (`gfedcb|abcdefgh|gfedcba`): OpenCV's `BORDER_REFLECT_101` (cv2.filter2D's default, so
 * basicsr's blur) and numpy's `pad(mode='reflect')`, including repeated reflections for wide pads.
 */
export function reflect101(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/**
 * Index `i` of a length-`n` signal extended by mirroring with the end samples repeated
 * (`hgfedcba|abcdefgh|hgfedcba`): MATLAB `imresize`'s symmetric padding.
 */
export function reflectSymmetric(i: number, n: number): number {
  const period = 2 * n;
  const m = ((i % period) + period) % period;
  return m < n ? m : period - 1 - m;
}
