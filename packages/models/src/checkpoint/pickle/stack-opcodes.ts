import { DifbfsrError } from '@difbfsr/core';
import { parseInt10 } from './literals.js';
import type { Opcode } from './machine.js';

/** Framing, MARK and stack opcodes, and the memo. */
export const STACK_OPCODES: Record<number, Opcode> = {
  0x80: (m) => {
    // PROTO
    m.proto = m.r.u8();
    if (m.proto > 5) m.r.fail(`unsupported pickle protocol ${m.proto}`);
  },
  0x95: (m) => {
    // FRAME (advisory)
    const len = m.r.u64();
    if (len > m.r.remaining) throw new DifbfsrError('CHECKPOINT_TRUNCATED', `${m.r.label}: pickle frame of ${len} bytes overflows the data`);
  },
  0x28: (m) => m.mark(), // MARK
  0x30: (m) => (m.stack.length ? m.stack.pop() : m.popMark()), // POP
  0x31: (m) => m.popMark(), // POP_MARK
  0x32: (m) => m.push(m.top()), // DUP
  0x71: (m) => m.memo.set(m.r.u8(), m.top()), // BINPUT
  0x72: (m) => m.memo.set(m.r.u32(), m.top()), // LONG_BINPUT
  0x70: (m) => m.memo.set(Number(parseInt10(m.r.line(), (msg) => m.r.fail(msg))), m.top()), // PUT
  0x94: (m) => m.memo.set(m.memo.size, m.top()), // MEMOIZE
  0x68: (m) => m.push(m.memoGet(m.r.u8())), // BINGET
  0x6a: (m) => m.push(m.memoGet(m.r.u32())), // LONG_BINGET
  0x67: (m) => m.push(m.memoGet(Number(parseInt10(m.r.line(), (msg) => m.r.fail(msg))))), // GET
};
