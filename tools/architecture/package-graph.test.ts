import { describe, expect, it } from 'vitest';
import { findCycle, moduleSpecifiers, packageGraph, undeclaredImports, workspacePackages, type PackageGraph } from './package-graph.js';

const graph = (edges: Record<string, string[]>): PackageGraph => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

describe('package graph', () => {
  it('reads static, dynamic and type imports, not comments', () => {
    const text = [
      "import { a } from '@difbfsr/core';",
      "export { b } from './local.js';",
      "type T = typeof import('@difbfsr/onnx');",
      "const m = await import('@difbfsr/faces');",
      "// import { x } from '@difbfsr/eval';",
      '/**',
      " * import { y } from '@difbfsr/models';",
      ' */',
    ].join('\n');
    expect(moduleSpecifiers('x.ts', text)).toEqual(['@difbfsr/core', './local.js', '@difbfsr/onnx', '@difbfsr/faces']);
  });

  it('finds a cycle, and none in a DAG', () => {
    expect(findCycle(graph({ a: ['b'], b: ['c'], c: ['a'], d: [] }))).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(graph({ a: ['b', 'c'], b: ['c'], c: [] }))).toBeUndefined();
  });

  it('the workspace has no package cycle, declared or imported (static or dynamic)', () => {
    const packages = workspacePackages();
    expect(packages.map((p) => p.name)).toContain('@difbfsr/core');
    expect(packages.find((p) => p.name === '@difbfsr/core')!.declared.size).toBe(0);
    expect(findCycle(packageGraph(packages))).toBeUndefined();
  });

  it('every workspace package a src imports is in its package.json', () => {
    expect(undeclaredImports(workspacePackages())).toEqual([]);
  });
});
