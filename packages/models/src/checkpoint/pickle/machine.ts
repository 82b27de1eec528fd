import { DifbfsrError } from '@difbfsr/core';
import type { PickleReader } from './reader.js';
import { clean, PyDict, PyGlobal, PySet, typeName } from './values.js';

/** What the interpreter may call and resolve. */
export interface MachineOptions {
  /** Allowed globals, keyed `module.name`. */
  globals: ReadonlyMap<string, PyGlobal>;
  /** Resolve a persistent id (BINPERSID/PERSID); throw to refuse. */
  persistentLoad?: (pid: unknown) => unknown;
  /** Maximum nesting of MARKs. */
  maxMarkDepth: number;
}

/**
 * The pickle virtual machine's state: the stack, the MARK stack, the memo and the protocol, with
 * the checked operations the opcodes are made of. It calls only allow-listed globals.
 */
export class PickleMachine {
  stack: unknown[] = [];
  proto = 0;
  readonly memo = new Map<number, unknown>();
  private readonly metastack: unknown[][] = [];

  constructor(
    readonly r: PickleReader,
    private readonly options: MachineOptions,
  ) {}

  push(v: unknown): void {
    this.stack.push(v);
  }

  pop(): unknown {
    if (this.stack.length === 0) this.r.fail('stack underflow');
    return this.stack.pop();
  }

  top(): unknown {
    if (this.stack.length === 0) this.r.fail('stack underflow');
    return this.stack[this.stack.length - 1];
  }

  mark(): void {
    if (this.metastack.length >= this.options.maxMarkDepth) this.r.fail(`pickle nests more than ${this.options.maxMarkDepth} levels deep`);
    this.metastack.push(this.stack);
    this.stack = [];
  }

  /** The items pushed since the last MARK, which is dropped. */
  popMark(): unknown[] {
    if (this.metastack.length === 0) this.r.fail('MARK expected');
    const items = this.stack;
    this.stack = this.metastack.pop()!;
    return items;
  }

  memoGet(i: number): unknown {
    if (!this.memo.has(i)) this.r.fail(`memo key ${i} not found`);
    return this.memo.get(i);
  }

  /** The allow-listed global `module.name` (protocol 2 names mapped to Python 3's). */
  findClass(module: string, name: string): PyGlobal {
    if (this.proto < 3) {
      if (module === '__builtin__') module = 'builtins';
      else if (module === 'copy_reg') module = 'copyreg';
    }
    const g = this.options.globals.get(`${module}.${name}`);
    if (!g || g.module !== module || g.name !== name) {
      throw new DifbfsrError(
        'CHECKPOINT_DISALLOWED',
        `${this.r.label}: refusing global "${clean(module)}.${clean(name)}": not on the allow-list of a plain state dict (nothing was executed)`,
      );
    }
    return g;
  }

  /** Call an allow-listed global with a JS implementation. */
  callGlobal(fn: unknown, args: unknown[], kwargs?: PyDict): unknown {
    if (!(fn instanceof PyGlobal)) return this.r.fail(`cannot call a ${typeName(fn)}`);
    if (!fn.call) throw new DifbfsrError('CHECKPOINT_DISALLOWED', `${this.r.label}: refusing to call "${fn.qualname}" (only referencing it is allowed)`);
    return fn.call(args, kwargs);
  }

  /** The object a persistent id stands for (PyTorch's storages). */
  persistent(pid: unknown): unknown {
    if (!this.options.persistentLoad) this.r.fail('persistent id without a persistent_load');
    return this.options.persistentLoad!(pid);
  }

  setItems(dict: unknown, items: unknown[]): void {
    if (!(dict instanceof PyDict)) this.r.fail(`SETITEM(S) on a ${typeName(dict)}`);
    if (items.length % 2) this.r.fail('odd number of items for SETITEMS');
    for (let i = 0; i < items.length; i += 2) (dict as PyDict).map.set(items[i], items[i + 1]);
  }

  appendItems(list: unknown, items: unknown[]): void {
    const target = Array.isArray(list) ? list : list instanceof PySet ? list.items : this.r.fail(`APPEND(S) on a ${typeName(list)}`);
    for (const it of items) target.push(it);
  }
}

/** One opcode's action on the machine (its arguments read from `m.r`). */
export type Opcode = (m: PickleMachine) => void;
