import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listTsFiles, packageSourceDirs, REPO_ROOT } from './function-lengths.js';

/** A throw of a plain built-in error: every deliberate error is a `DifbfsrError` with a code. */
const PLAIN_THROW = /throw new (Error|RangeError|TypeError|SyntaxError)\(/g;

/** `file:line` of every plain throw in a source text. */
function plainThrows(file: string, text: string): string[] {
  return [...text.matchAll(PLAIN_THROW)].map((m) => `${file}:${text.slice(0, m.index).split('\n').length}`);
}

describe('errors', () => {
  it('finds plain throws by line', () => {
    expect(plainThrows('x.ts', "ok();\nthrow new DifbfsrError('IO', 'a');\n  throw new RangeError('b');\nthrow new Error('c')")).toEqual(['x.ts:3', 'x.ts:4']);
  });

  it('every deliberate throw in packages/*/src is a DifbfsrError', () => {
    const found = packageSourceDirs().flatMap((dir) => listTsFiles(dir).flatMap((p) => plainThrows(relative(REPO_ROOT, p), readFileSync(p, 'utf8'))));
    expect(found).toEqual([]);
  });
});
