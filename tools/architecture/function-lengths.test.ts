import { describe, expect, it } from 'vitest';
import { functionLengths, longFunctions, MAX_FUNCTION_LINES } from './function-lengths.js';

/** A function of exactly `n` lines (signature and closing brace included). */
const fn = (head: string, n: number): string => [`${head} {`, ...Array.from({ length: n - 2 }, (_, i) => `  const v${i} = ${i};`), '}'].join('\n');

describe('function lengths', () => {
  it('measures declarations, methods, constructors and arrows from first to last line, nested ones included', () => {
    const text = [
      '// header',
      fn('export function outer(): void', 5).replace('{', '{\n  const inner = (): number => {\n    return 1;\n  };'),
      'class Box {',
      fn('  constructor()', 4),
      fn('  get size(): number', 3),
      fn('  method(): void', 81),
      '}',
      fn('const arrow = (): void =>', 10),
      'const o = { f: function (): void {} };',
    ].join('\n');
    const got = functionLengths('x.ts', text).map(({ name, line, lines }) => `${name}@${line}:${lines}`);
    expect(got).toEqual(['outer@2:8', 'inner@3:3', 'Box.constructor@11:4', 'Box.size@15:3', 'Box.method@18:81', 'arrow@100:10', 'f@110:1']);
  });

  it(`no function in packages/*/src is over ${MAX_FUNCTION_LINES} lines`, () => {
    const long = longFunctions().map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`);
    expect(long).toEqual([]);
  });
});
