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

/** Printable, bounded form of untrusted text for messages. */
export function clean(s: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return t.length > max ? `${t.slice(0, max)}…` : t;
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
