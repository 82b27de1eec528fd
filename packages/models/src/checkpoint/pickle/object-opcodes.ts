import { DifbfsrError } from '@difbfsr/core';
import type { Opcode, PickleMachine } from './machine.js';
import { PyDict, PySet, PyTuple, typeName } from './values.js';

/** The last `k` items of the stack as a tuple. */
function tupleOf(m: PickleMachine, k: number): PyTuple {
  const items = Array.from({ length: k }, () => m.pop()).reverse();
  return new PyTuple(items);
}

function dict(m: PickleMachine): void {
  const d = new PyDict();
  m.setItems(d, m.popMark());
  m.push(d);
}

function addItems(m: PickleMachine): void {
  const items = m.popMark();
  const s = m.top();
  if (!(s instanceof PySet)) m.r.fail(`ADDITEMS on a ${typeName(s)}`);
  m.appendItems(s, items);
}

function setItem(m: PickleMachine): void {
  const v = m.pop();
  const k = m.pop();
  m.setItems(m.top(), [k, v]);
}

/** STACK_GLOBAL: module and name from the stack. */
function stackGlobal(m: PickleMachine): void {
  const name = m.pop();
  const module = m.pop();
  if (typeof module !== 'string' || typeof name !== 'string') m.r.fail('STACK_GLOBAL needs two strings');
  m.push(m.findClass(module as string, name as string));
}

/** INST: "module\nname\n", then the MARKed arguments. */
function inst(m: PickleMachine): void {
  const cls = m.findClass(m.r.line(), m.r.line());
  m.push(m.callGlobal(cls, m.popMark()));
}

/** OBJ: MARK class args... */
function obj(m: PickleMachine): void {
  const items = m.popMark();
  if (items.length === 0) m.r.fail('OBJ without a class');
  m.push(m.callGlobal(items[0], items.slice(1)));
}

/** REDUCE and NEWOBJ: a callable and its argument tuple. */
function callWithTuple(what: string): Opcode {
  return (m) => {
    const args = m.pop();
    const fn = m.pop();
    if (!(args instanceof PyTuple)) m.r.fail(`${what} arguments are not a tuple`);
    m.push(m.callGlobal(fn, (args as PyTuple).items));
  };
}

function newObjEx(m: PickleMachine): void {
  const kwargs = m.pop();
  const args = m.pop();
  const cls = m.pop();
  if (!(args instanceof PyTuple) || !(kwargs instanceof PyDict)) m.r.fail('NEWOBJ_EX needs a tuple and a dict');
  m.push(m.callGlobal(cls, (args as PyTuple).items, kwargs as PyDict));
}

/** BUILD: a dict keeps the state as `attrs`; objects made by allow-listed globals may accept it. */
function build(m: PickleMachine): void {
  const state = m.pop();
  const o = m.top();
  if (o instanceof PyDict) o.attrs = state;
  else if (!(o && typeof o === 'object' && (o as { acceptsBuild?: boolean }).acceptsBuild)) m.r.fail(`BUILD on a ${typeName(o)}`);
}

/** EXT1/2/4: the copyreg extension registry is never consulted. */
function extension(read: (m: PickleMachine) => number): Opcode {
  return (m) => {
    throw new DifbfsrError('CHECKPOINT_DISALLOWED', `${m.r.label}: refusing pickle extension code ${read(m)} (copyreg extension registry)`);
  };
}

/** Tuples, lists, dicts and sets; globals, calls and BUILD (allow-list only); persistent ids. */
export const OBJECT_OPCODES: Record<number, Opcode> = {
  0x29: (m) => m.push(new PyTuple([])), // EMPTY_TUPLE
  0x85: (m) => m.push(tupleOf(m, 1)), // TUPLE1
  0x86: (m) => m.push(tupleOf(m, 2)), // TUPLE2
  0x87: (m) => m.push(tupleOf(m, 3)), // TUPLE3
  0x74: (m) => m.push(new PyTuple(m.popMark())), // TUPLE
  0x5d: (m) => m.push([]), // EMPTY_LIST
  0x6c: (m) => m.push(m.popMark()), // LIST
  0x7d: (m) => m.push(new PyDict()), // EMPTY_DICT
  0x64: dict, // DICT
  0x8f: (m) => m.push(new PySet()), // EMPTY_SET
  0x91: (m) => m.push(new PySet(m.popMark())), // FROZENSET
  0x61: (m) => {
    // APPEND
    const v = m.pop();
    m.appendItems(m.top(), [v]);
  },
  0x65: (m) => {
    // APPENDS
    const items = m.popMark();
    m.appendItems(m.top(), items);
  },
  0x90: addItems, // ADDITEMS
  0x73: setItem, // SETITEM
  0x75: (m) => {
    // SETITEMS
    const items = m.popMark();
    m.setItems(m.top(), items);
  },
  0x63: (m) => m.push(m.findClass(m.r.line(), m.r.line())), // GLOBAL
  0x93: stackGlobal, // STACK_GLOBAL
  0x69: inst, // INST
  0x6f: obj, // OBJ
  0x52: callWithTuple('REDUCE'), // REDUCE
  0x81: callWithTuple('NEWOBJ'), // NEWOBJ
  0x92: newObjEx, // NEWOBJ_EX
  0x62: build, // BUILD
  0x51: (m) => m.push(m.persistent(m.pop())), // BINPERSID
  0x50: (m) => m.push(m.persistent(m.r.line())), // PERSID
  0x82: extension((m) => m.r.u8()), // EXT1
  0x83: extension((m) => m.r.u16()), // EXT2
  0x84: extension((m) => m.r.u32()), // EXT4
};
