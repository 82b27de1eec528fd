/**
 * Swap data.pkl (the first entry of a stored archive written by saveTorchZip) for `pkl`, fixing the
 * local header's sizes, the central directory's sizes and every later entry's offset.
 */
export function swapPickle(zip: Uint8Array, pkl: Uint8Array): Uint8Array {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const nameLen = dv.getUint16(26, true);
  const extraLen = dv.getUint16(28, true);
  const oldLen = dv.getUint32(18, true);
  const start = 30 + nameLen + extraLen;
  const delta = pkl.length - oldLen;
  const out = new Uint8Array(zip.length + delta);
  out.set(zip.subarray(0, start));
  out.set(pkl, start);
  out.set(zip.subarray(start + oldLen), start + pkl.length);
  const ov = new DataView(out.buffer);
  ov.setUint32(14, 0, true);
  ov.setUint32(18, pkl.length, true);
  ov.setUint32(22, pkl.length, true);
  // Fix the central directory: sizes of entry 0, and every later local-header offset.
  const eocd = out.length - 22;
  const n = ov.getUint16(eocd + 10, true);
  const cd = ov.getUint32(eocd + 16, true) + delta;
  ov.setUint32(eocd + 16, cd, true);
  let p = cd;
  for (let i = 0; i < n; i++) {
    if (i === 0) {
      ov.setUint32(p + 20, pkl.length, true);
      ov.setUint32(p + 24, pkl.length, true);
    } else ov.setUint32(p + 42, ov.getUint32(p + 42, true) + delta, true);
    p += 46 + ov.getUint16(p + 28, true) + ov.getUint16(p + 30, true) + ov.getUint16(p + 32, true);
  }
  return out;
}
