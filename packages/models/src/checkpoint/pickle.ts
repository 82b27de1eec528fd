/**
 * A restricted pickle interpreter. It builds plain data (None, bools, ints, floats, str, bytes,
 * tuples, lists, dicts, sets) and calls *only* the JavaScript implementations of allow-listed
 * globals given to it. A `GLOBAL`/`STACK_GLOBAL`/`INST` naming anything else stops it with
 * `CHECKPOINT_DISALLOWED` naming the global. Nothing is ever imported or executed, the input is
 * consumed strictly left to right (so it always terminates), every length is checked against the
 * remaining input before allocating, and nesting is bounded.
 */
import { PickleMachine, type Opcode } from './pickle/machine.js';
import { OBJECT_OPCODES } from './pickle/object-opcodes.js';
import { PickleReader } from './pickle/reader.js';
import { STACK_OPCODES } from './pickle/stack-opcodes.js';
import { VALUE_OPCODES } from './pickle/value-opcodes.js';
import type { PyGlobal } from './pickle/values.js';

export { clean, PyDict, PyGlobal, PySet, PyTuple, typeName } from './pickle/values.js';

/** Options of {@link unpickle}. */
export interface UnpickleOptions {
  /** Allowed globals, keyed `module.name`. */
  globals: ReadonlyMap<string, PyGlobal>;
  /** Resolve a persistent id (BINPERSID/PERSID); throw to refuse. */
  persistentLoad?: (pid: unknown) => unknown;
  /** Label for messages. */
  label?: string;
  /** Maximum nesting of MARKs (default 1000). */
  maxMarkDepth?: number;
}

/** Every opcode but STOP, by its byte. */
const OPCODES: ReadonlyMap<number, Opcode> = new Map(
  [STACK_OPCODES, VALUE_OPCODES, OBJECT_OPCODES].flatMap((group) => Object.entries(group).map(([op, run]) => [Number(op), run] as const)),
);

/** STOP: the end of the pickle; its result is the top of the stack. */
const STOP = 0x2e;

/**
 * Run the restricted interpreter over `data` and return the unpickled object.
 * Errors: CHECKPOINT_TRUNCATED (input ends early), CHECKPOINT_DISALLOWED (global not allowed,
 * extension codes), CHECKPOINT_FORMAT (anything malformed).
 */
export function unpickle(data: Uint8Array, options: UnpickleOptions): unknown {
  const r = new PickleReader(data, options.label ?? 'pickle');
  const m = new PickleMachine(r, { globals: options.globals, persistentLoad: options.persistentLoad, maxMarkDepth: options.maxMarkDepth ?? 1000 });
  for (;;) {
    const op = r.u8();
    if (op === STOP) return m.pop();
    const run = OPCODES.get(op);
    if (!run) {
      r.pos--;
      return r.fail(`unknown pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
    run(m);
  }
}
