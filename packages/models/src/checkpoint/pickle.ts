/**
 * A restricted pickle interpreter. It builds plain data (None, bools, ints, floats, str, bytes,
 * tuples, lists, dicts, sets) and calls *only* the JavaScript implementations of allow-listed
 * globals given to it. A `GLOBAL`/`STACK_GLOBAL`/`INST` naming anything else stops it with
 * `CHECKPOINT_DISALLOWED` naming the global. Nothing is ever imported or executed, the input is
 * consumed strictly left to right (so it always terminates), every length is checked against the
 * remaining input before allocating, and nesting is bounded.
 */
import { DifbfsrError } from '@difbfsr/core';

/** A Python tuple. */
export class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/** A Python dict (insertion ordered). `attrs` holds BUILD state (e.g. a state dict's `_metadata`). */
export class PyDict {
  readonly map = new Map<unknown, unknown>();
  attrs: unknown = undefined;
}

/** A Python set or frozenset (items only). */
export class PySet {
  constructor(readonly items: unknown[] = []) {}
}

/** An allow-listed global: either a callable implemented in JS, or an inert marker (a class). */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    /** JS implementation when calling it (REDUCE/NEWOBJ/INST/OBJ) is allowed. */
    readonly call?: (args: unknown[], kwargs?: PyDict) => unknown,
  ) {}
  get qualname(): string {
    return `${this.module}.${this.name}`;
  }
}

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

const te = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** Printable, bounded form of untrusted text for messages. */
export function clean(s: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/**
 * Run the restricted interpreter over `data` and return the unpickled object.
 * Errors: CHECKPOINT_TRUNCATED (input ends early), CHECKPOINT_DISALLOWED (global not allowed,
 * extension codes), CHECKPOINT_FORMAT (anything malformed).
 */
export function unpickle(data: Uint8Array, options: UnpickleOptions): unknown {
  const label = options.label ?? 'pickle';
  const maxMark = options.maxMarkDepth ?? 1000;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = data.byteLength;
  let pos = 0;
  let proto = 0;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const fail = (msg: string): never => {
    throw new DifbfsrError('CHECKPOINT_FORMAT', `${label}: ${msg} (at byte ${pos})`);
  };
  const need = (k: number): void => {
    if (k < 0 || pos + k > n) {
      throw new DifbfsrError('CHECKPOINT_TRUNCATED', `${label}: pickle data ends early (need ${k} bytes at byte ${pos} of ${n})`);
    }
  };
  const take = (k: number): Uint8Array => {
    need(k);
    const b = data.subarray(pos, pos + k);
    pos += k;
    return b;
  };
  const u8 = (): number => {
    need(1);
    return data[pos++];
  };
  const u16 = (): number => {
    need(2);
    const v = dv.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = dv.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const lo = dv.getUint32(pos, true);
    const hi = dv.getUint32(pos + 4, true);
    pos += 8;
    return hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : hi * 2 ** 32 + lo;
  };
  const line = (): string => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) throw new DifbfsrError('CHECKPOINT_TRUNCATED', `${label}: pickle data ends inside a text argument (at byte ${pos})`);
    if (end - pos > 1 << 20) fail('text argument longer than 1 MiB');
    const s = latin1.decode(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const utf8 = (b: Uint8Array): string => {
    try {
      return te.decode(b);
    } catch {
      return fail('invalid UTF-8 in string');
    }
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    if (metastack.length === 0) fail('MARK expected');
    const items = stack;
    stack = metastack.pop()!;
    return items;
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) fail(`memo key ${i} not found`);
    return memo.get(i);
  };
  const findClass = (module: string, name: string): PyGlobal => {
    if (proto < 3) {
      if (module === '__builtin__') module = 'builtins';
      else if (module === 'copy_reg') module = 'copyreg';
    }
    const g = options.globals.get(`${module}.${name}`);
    if (!g || g.module !== module || g.name !== name) {
      throw new DifbfsrError(
        'CHECKPOINT_DISALLOWED',
        `${label}: refusing global "${clean(module)}.${clean(name)}": not on the allow-list of a plain state dict (nothing was executed)`,
      );
    }
    return g;
  };
  const callGlobal = (fn: unknown, args: unknown[], kwargs?: PyDict): unknown => {
    if (!(fn instanceof PyGlobal)) return fail(`cannot call a ${typeName(fn)}`);
    if (!fn.call) {
      throw new DifbfsrError('CHECKPOINT_DISALLOWED', `${label}: refusing to call "${fn.qualname}" (only referencing it is allowed)`);
    }
    return fn.call(args, kwargs);
  };
  const parseInt10 = (s: string): number | bigint | boolean => {
    const t = s.endsWith('L') ? s.slice(0, -1) : s;
    if (!/^[+-]?\d{1,400}$/.test(t)) fail(`invalid integer literal "${clean(s)}"`);
    const v = BigInt(t);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const decodeLong = (b: Uint8Array): number | bigint => {
    if (b.byteLength === 0) return 0;
    let v = 0n;
    for (let i = b.byteLength - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b[b.byteLength - 1] & 0x80) v -= 1n << BigInt(8 * b.byteLength);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const pyStringLiteral = (s: string): string => {
    const q = s[0];
    if (s.length < 2 || (q !== "'" && q !== '"') || s[s.length - 1] !== q) fail('STRING argument is not quoted');
    return s.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_m, e: string) => {
      if (e[0] === 'x' && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
      return ({ n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"' } as Record<string, string>)[e] ?? `\\${e}`;
    });
  };
  const rawUnicodeEscape = (s: string): string =>
    s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, a?: string, c?: string) => {
      const cp = parseInt((a ?? c)!, 16);
      if (cp > 0x10ffff) fail('invalid code point');
      return String.fromCodePoint(cp);
    });
  const setItems = (dict: unknown, items: unknown[]): void => {
    if (!(dict instanceof PyDict)) fail(`SETITEM(S) on a ${typeName(dict)}`);
    if (items.length % 2) fail('odd number of items for SETITEMS');
    for (let i = 0; i < items.length; i += 2) (dict as PyDict).map.set(items[i], items[i + 1]);
  };
  const appendItems = (list: unknown, items: unknown[]): void => {
    if (Array.isArray(list)) {
      for (const it of items) list.push(it);
    } else if (list instanceof PySet) {
      for (const it of items) list.items.push(it);
    } else fail(`APPEND(S) on a ${typeName(list)}`);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        proto = u8();
        if (proto > 5) fail(`unsupported pickle protocol ${proto}`);
        break;
      case 0x95: {
        // FRAME (advisory)
        const len = u64();
        if (len > n - pos) throw new DifbfsrError('CHECKPOINT_TRUNCATED', `${label}: pickle frame of ${len} bytes overflows the data`);
        break;
      }
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        if (metastack.length >= maxMark) fail(`pickle nests more than ${maxMark} levels deep`);
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length) stack.pop();
        else popMark();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      // ---- constants and scalars
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4a: {
        // BININT
        need(4);
        stack.push(dv.getInt32(pos, true));
        pos += 4;
        break;
      }
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x49: {
        // INT (text); I01/I00 are bools
        const s = line();
        if (s === '01') stack.push(true);
        else if (s === '00') stack.push(false);
        else stack.push(parseInt10(s));
        break;
      }
      case 0x4c: // LONG (text)
        stack.push(parseInt10(line()));
        break;
      case 0x8a: // LONG1
        stack.push(decodeLong(take(u8())));
        break;
      case 0x8b: {
        // LONG4
        need(4);
        const len = dv.getInt32(pos, true);
        pos += 4;
        if (len < 0 || len > 1024) fail(`LONG4 of ${len} bytes is not a plausible state-dict integer`);
        stack.push(decodeLong(take(len)));
        break;
      }
      case 0x47: {
        // BINFLOAT (big-endian double)
        need(8);
        stack.push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      }
      case 0x46: {
        // FLOAT (text)
        const s = line().trim();
        const v = Number(s);
        if (Number.isNaN(v) && !/^[+-]?nan$/i.test(s)) fail(`invalid float literal "${clean(s)}"`);
        stack.push(v);
        break;
      }
      // ---- strings and bytes
      case 0x58: // BINUNICODE
        stack.push(utf8(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(take(u64())));
        break;
      case 0x56: // UNICODE (raw-unicode-escape text)
        stack.push(rawUnicodeEscape(line()));
        break;
      case 0x53: // STRING (quoted repr)
        stack.push(pyStringLiteral(line()));
        break;
      case 0x54: {
        // BINSTRING (python 2 str; decoded as latin-1 like encoding='latin1')
        need(4);
        const len = dv.getInt32(pos, true);
        pos += 4;
        if (len < 0) fail('negative BINSTRING length');
        stack.push(latin1.decode(take(len)));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(take(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(take(u64()).slice());
        break;
      case 0x96: // BYTEARRAY8
        stack.push(take(u64()).slice());
        break;
      case 0x97: // NEXT_BUFFER
      case 0x98: // READONLY_BUFFER
        fail('out-of-band pickle buffers are not supported');
        break;
      // ---- containers
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x85:
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b]));
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b, c]));
        break;
      }
      case 0x74: // TUPLE
        {
          const items = popMark();
          stack.push(new PyTuple(items));
        }
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        {
          const items = popMark();
          stack.push(items);
        }
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        const d = new PyDict();
        setItems(d, items);
        stack.push(d);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new PySet());
        break;
      case 0x91: // FROZENSET
        {
          const items = popMark();
          stack.push(new PySet(items));
        }
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof PySet)) fail(`ADDITEMS on a ${typeName(s)}`);
        appendItems(s, items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      // ---- memo
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x70: // PUT
        memo.set(Number(parseInt10(line())), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32()));
        break;
      case 0x67: // GET
        stack.push(memoGet(Number(parseInt10(line()))));
        break;
      // ---- globals and calls (allow-list only)
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        const name = line();
        stack.push(findClass(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(findClass(module as string, name as string));
        break;
      }
      case 0x69: {
        // INST "module\nname\n" + MARK args
        const module = line();
        const name = line();
        const cls = findClass(module, name);
        const items = popMark();
        stack.push(callGlobal(cls, items));
        break;
      }
      case 0x6f: {
        // OBJ: MARK cls args...
        const items = popMark();
        if (items.length === 0) fail('OBJ without a class');
        stack.push(callGlobal(items[0], items.slice(1)));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (!(args instanceof PyTuple)) fail('REDUCE arguments are not a tuple');
        stack.push(callGlobal(fn, (args as PyTuple).items));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        if (!(args instanceof PyTuple)) fail('NEWOBJ arguments are not a tuple');
        stack.push(callGlobal(cls, (args as PyTuple).items));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (!(args instanceof PyTuple) || !(kwargs instanceof PyDict)) fail('NEWOBJ_EX needs a tuple and a dict');
        stack.push(callGlobal(cls, (args as PyTuple).items, kwargs as PyDict));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (obj instanceof PyDict) obj.attrs = state;
        else if (!(obj && typeof obj === 'object' && (obj as { acceptsBuild?: boolean }).acceptsBuild)) {
          fail(`BUILD on a ${typeName(obj)}`);
        }
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail('persistent id without a persistent_load');
        stack.push(options.persistentLoad!(pid));
        break;
      }
      case 0x50: {
        // PERSID (text)
        const pid = line();
        if (!options.persistentLoad) fail('persistent id without a persistent_load');
        stack.push(options.persistentLoad!(pid));
        break;
      }
      case 0x82:
      case 0x83:
      case 0x84: {
        const code = op === 0x82 ? u8() : op === 0x83 ? u16() : u32();
        throw new DifbfsrError('CHECKPOINT_DISALLOWED', `${label}: refusing pickle extension code ${code} (copyreg extension registry)`);
      }
      default:
        pos--;
        fail(`unknown pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}

/** Python-ish type name of an unpickled value, for messages. */
export function typeName(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyDict) return 'dict';
  if (v instanceof PySet) return 'set';
  if (v instanceof PyGlobal) return `global ${v.qualname}`;
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}
