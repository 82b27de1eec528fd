import { clean } from './values.js';

/** A Python integer as a number when it is safe, else a bigint. */
function narrow(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** A decimal integer literal (INT, LONG, PUT, GET); `fail` on anything else. */
export function parseInt10(s: string, fail: (msg: string) => never): number | bigint {
  const t = s.endsWith('L') ? s.slice(0, -1) : s;
  if (!/^[+-]?\d{1,400}$/.test(t)) fail(`invalid integer literal "${clean(s)}"`);
  return narrow(BigInt(t));
}

/** A little-endian two's-complement integer (LONG1, LONG4). */
export function decodeLong(b: Uint8Array): number | bigint {
  if (b.byteLength === 0) return 0;
  let v = 0n;
  for (let i = b.byteLength - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.byteLength - 1] & 0x80) v -= 1n << BigInt(8 * b.byteLength);
  return narrow(v);
}

/** A quoted Python 2 string repr (STRING), with its escapes. */
export function pyStringLiteral(s: string, fail: (msg: string) => never): string {
  const q = s[0];
  if (s.length < 2 || (q !== "'" && q !== '"') || s[s.length - 1] !== q) fail('STRING argument is not quoted');
  return s.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_m, e: string) => {
    if (e[0] === 'x' && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"' } as Record<string, string>)[e] ?? `\\${e}`;
  });
}

/** Raw-unicode-escape text (UNICODE): `\uXXXX` and `\UXXXXXXXX` escapes. */
export function rawUnicodeEscape(s: string, fail: (msg: string) => never): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, a?: string, c?: string) => {
    const cp = parseInt((a ?? c)!, 16);
    if (cp > 0x10ffff) fail('invalid code point');
    return String.fromCodePoint(cp);
  });
}

/** A FLOAT text argument. */
export function parseFloatText(text: string, fail: (msg: string) => never): number {
  const s = text.trim();
  const v = Number(s);
  if (Number.isNaN(v) && !/^[+-]?nan$/i.test(s)) fail(`invalid float literal "${clean(s)}"`);
  return v;
}
