/**
 * The workspace's package graph: what each packages/*\/package.json declares on other
 * `@difbfsr/*` packages, and what each package's src imports of them (static, dynamic and type
 * imports, read with the TypeScript parser so that comments do not count).
 * Run: `node --import tsx tools/architecture/package-graph.ts` prints the edges and any cycle.
 * package-graph.test.ts fails on a cycle or an undeclared import.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { listTsFiles, REPO_ROOT } from './function-lengths.js';

/** The scope every workspace package is published under. */
const SCOPE = '@difbfsr/';

/** Dependency kinds of a package.json that name other workspace packages. */
const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'] as const;

/** A directed graph: package name to the names it depends on. */
export type PackageGraph = Map<string, Set<string>>;

/** One workspace package: its name, folder, declared workspace dependencies and the ones its src imports. */
export interface WorkspacePackage {
  name: string;
  dir: string;
  declared: Set<string>;
  imported: Set<string>;
}

/** The workspace package a module specifier names (`@difbfsr/core/x` is `@difbfsr/core`), if any. */
function workspacePackageOf(specifier: string): string | undefined {
  if (!specifier.startsWith(SCOPE)) return undefined;
  return specifier.split('/').slice(0, 2).join('/');
}

/** Module specifiers of a source text: import/export declarations, `import()` calls and `import('x')` types. */
export function moduleSpecifiers(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      out.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Every package under packages/ with a package.json, with what it declares and imports. */
export function workspacePackages(root = REPO_ROOT): WorkspacePackage[] {
  const packages = join(root, 'packages');
  return readdirSync(packages, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(packages, d.name, 'package.json')))
    .map((d) => {
      const dir = join(packages, d.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      const declared = new Set(DEPENDENCY_FIELDS.flatMap((field) => Object.keys((manifest[field] as Record<string, string> | undefined) ?? {})).filter((n) => n.startsWith(SCOPE)));
      const src = join(dir, 'src');
      const files = existsSync(src) ? listTsFiles(src) : [];
      const imported = new Set(files.flatMap((f) => moduleSpecifiers(f, readFileSync(f, 'utf8')).map(workspacePackageOf)).filter((n): n is string => n !== undefined));
      return { name: manifest.name as string, dir, declared, imported };
    });
}

/** The graph of declared and imported edges together (a package importing itself is no edge). */
export function packageGraph(packages: readonly WorkspacePackage[]): PackageGraph {
  return new Map(packages.map((p) => [p.name, new Set([...p.declared, ...p.imported].filter((n) => n !== p.name))]));
}

/** A cycle of `graph` as the path `[a, b, ..., a]`, or undefined when it has none. */
export function findCycle(graph: PackageGraph): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** `package -> import` for every workspace package a src imports without declaring it. */
export function undeclaredImports(packages: readonly WorkspacePackage[]): string[] {
  return packages.flatMap((p) => [...p.imported].filter((n) => n !== p.name && !p.declared.has(n)).map((n) => `${p.name} -> ${n}`));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const packages = workspacePackages();
  for (const p of packages) console.log(`${p.name} -> ${[...packageGraph([p]).get(p.name)!].sort().join(', ') || '(none)'}`);
  const cycle = findCycle(packageGraph(packages));
  console.log(cycle ? `cycle: ${cycle.join(' -> ')}` : 'no cycle');
  const undeclared = undeclaredImports(packages);
  if (undeclared.length > 0) console.log(`imported but not declared: ${undeclared.join('; ')}`);
  process.exitCode = cycle || undeclared.length > 0 ? 1 : 0;
}
