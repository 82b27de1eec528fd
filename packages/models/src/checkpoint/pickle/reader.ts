import { DifbfsrError } from '@difbfsr/core';

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const latin1Decoder = new TextDecoder('latin1');

/**
 * Reads a pickle's bytes strictly left to right, checking every length against what remains
 * before taking it: `CHECKPOINT_TRUNCATED` when the input ends early, `CHECKPOINT_FORMAT` (with the
 * position) for anything malformed.
 */
export class PickleReader {
  pos = 0;
  private readonly dv: DataView;

  constructor(
    private readonly data: Uint8Array,
    readonly label: string,
  ) {
    this.dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.data.byteLength - this.pos;
  }

  /** @throws DifbfsrError `CHECKPOINT_FORMAT` with `msg` and the position. */
  fail(msg: string): never {
    throw new DifbfsrError('CHECKPOINT_FORMAT', `${this.label}: ${msg} (at byte ${this.pos})`);
  }

  /** @throws DifbfsrError `CHECKPOINT_TRUNCATED` unless `k` more bytes are there. */
  need(k: number): void {
    if (k < 0 || this.pos + k > this.data.byteLength) {
      throw new DifbfsrError('CHECKPOINT_TRUNCATED', `${this.label}: pickle data ends early (need ${k} bytes at byte ${this.pos} of ${this.data.byteLength})`);
    }
  }

  take(k: number): Uint8Array {
    this.need(k);
    const b = this.data.subarray(this.pos, this.pos + k);
    this.pos += k;
    return b;
  }

  u8(): number {
    this.need(1);
    return this.data[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = this.dv.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.dv.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A length of 8 bytes; beyond 2^53 it saturates (and fails the length check that follows). */
  u64(): number {
    this.need(8);
    const lo = this.dv.getUint32(this.pos, true);
    const hi = this.dv.getUint32(this.pos + 4, true);
    this.pos += 8;
    return hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : hi * 2 ** 32 + lo;
  }

  /** A big-endian double (BINFLOAT). */
  f64(): number {
    this.need(8);
    const v = this.dv.getFloat64(this.pos, false);
    this.pos += 8;
    return v;
  }

  /** A newline-terminated text argument (latin-1), at most 1 MiB. */
  line(): string {
    const end = this.data.indexOf(0x0a, this.pos);
    if (end < 0) throw new DifbfsrError('CHECKPOINT_TRUNCATED', `${this.label}: pickle data ends inside a text argument (at byte ${this.pos})`);
    if (end - this.pos > 1 << 20) this.fail('text argument longer than 1 MiB');
    const s = latin1Decoder.decode(this.data.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  /** `k` bytes as UTF-8 text. */
  utf8(k: number): string {
    const b = this.take(k);
    try {
      return utf8Decoder.decode(b);
    } catch {
      return this.fail('invalid UTF-8 in string');
    }
  }

  /** `k` bytes as latin-1 text (python 2 `str`, as `encoding='latin1'` reads it). */
  latin1(k: number): string {
    return latin1Decoder.decode(this.take(k));
  }
}
