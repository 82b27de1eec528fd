import { decodeLong, parseFloatText, parseInt10, pyStringLiteral, rawUnicodeEscape } from './literals.js';
import type { Opcode, PickleMachine } from './machine.js';

const fail = (m: PickleMachine) => (msg: string) => m.r.fail(msg);

/** INT: a decimal text argument, `01`/`00` being True/False. */
function textInt(m: PickleMachine): void {
  const s = m.r.line();
  m.push(s === '01' ? true : s === '00' ? false : parseInt10(s, fail(m)));
}

/** LONG4: a 4-byte length, then that many bytes of two's complement (at most 1 KiB: a state dict holds no larger integer). */
function long4(m: PickleMachine): void {
  const len = m.r.i32();
  if (len < 0 || len > 1024) m.r.fail(`LONG4 of ${len} bytes is not a plausible state-dict integer`);
  m.push(decodeLong(m.r.take(len)));
}

/** BINSTRING: python 2 `str` with a signed 4-byte length, decoded as latin-1. */
function binString(m: PickleMachine): void {
  const len = m.r.i32();
  if (len < 0) m.r.fail('negative BINSTRING length');
  m.push(m.r.latin1(len));
}

/** None, booleans, integers, floats, strings and bytes. */
export const VALUE_OPCODES: Record<number, Opcode> = {
  0x4e: (m) => m.push(null), // NONE
  0x88: (m) => m.push(true), // NEWTRUE
  0x89: (m) => m.push(false), // NEWFALSE
  0x4a: (m) => m.push(m.r.i32()), // BININT
  0x4b: (m) => m.push(m.r.u8()), // BININT1
  0x4d: (m) => m.push(m.r.u16()), // BININT2
  0x49: textInt, // INT
  0x4c: (m) => m.push(parseInt10(m.r.line(), fail(m))), // LONG (text)
  0x8a: (m) => m.push(decodeLong(m.r.take(m.r.u8()))), // LONG1
  0x8b: long4, // LONG4
  0x47: (m) => m.push(m.r.f64()), // BINFLOAT
  0x46: (m) => m.push(parseFloatText(m.r.line(), fail(m))), // FLOAT (text)
  0x58: (m) => m.push(m.r.utf8(m.r.u32())), // BINUNICODE
  0x8c: (m) => m.push(m.r.utf8(m.r.u8())), // SHORT_BINUNICODE
  0x8d: (m) => m.push(m.r.utf8(m.r.u64())), // BINUNICODE8
  0x56: (m) => m.push(rawUnicodeEscape(m.r.line(), fail(m))), // UNICODE
  0x53: (m) => m.push(pyStringLiteral(m.r.line(), fail(m))), // STRING
  0x54: binString, // BINSTRING
  0x55: (m) => m.push(m.r.latin1(m.r.u8())), // SHORT_BINSTRING
  0x42: (m) => m.push(m.r.take(m.r.u32()).slice()), // BINBYTES
  0x43: (m) => m.push(m.r.take(m.r.u8()).slice()), // SHORT_BINBYTES
  0x8e: (m) => m.push(m.r.take(m.r.u64()).slice()), // BINBYTES8
  0x96: (m) => m.push(m.r.take(m.r.u64()).slice()), // BYTEARRAY8
  0x97: (m) => m.r.fail('out-of-band pickle buffers are not supported'), // NEXT_BUFFER
  0x98: (m) => m.r.fail('out-of-band pickle buffers are not supported'), // READONLY_BUFFER
};
