/**
 * Functions in packages/*\/src longer than the house limit (80 lines, first line to last, nested
 * functions included). Run: `node --import tsx tools/architecture/function-lengths.ts [limit]`;
 * prints one line per function and exits 1 when any is over. function-lengths.test.ts keeps the
 * list empty.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root (two folders above this file). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The house limit on a function's length in lines. */
export const MAX_FUNCTION_LINES = 80;

/** One function and its length. */
export interface FunctionLength {
  /** Path relative to the repository root. */
  file: string;
  /** 1-based first line. */
  line: number;
  /** A readable name: `name`, `Class.method`, or `(anonymous)`. */
  name: string;
  lines: number;
}

/** Every `.ts` file under `dir`, recursively. */
export function listTsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTsFiles(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

/** The `src` folder of every package. */
export function packageSourceDirs(root = REPO_ROOT): string[] {
  const packages = join(root, 'packages');
  return readdirSync(packages, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(packages, d.name, 'src'))
    .filter((d) => {
      try {
        return readdirSync(d).length > 0;
      } catch {
        return false;
      }
    });
}

function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node)
  );
}

/** The name a reader would search for: the declaration's, the variable's or property's it is assigned to. */
function functionName(node: ts.FunctionLikeDeclaration): string {
  const own = node.name && ts.isIdentifier(node.name) ? node.name.text : undefined;
  const parent = node.parent;
  const owner = parent && ts.isClassLike(parent) && parent.name ? `${parent.name.text}.` : '';
  if (ts.isConstructorDeclaration(node)) return `${owner}constructor`;
  if (own) return owner + own;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name)) {
    return parent.name.text;
  }
  return '(anonymous)';
}

/** Lengths of every function in one source text. */
export function functionLengths(file: string, text: string): FunctionLength[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: FunctionLength[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionLike(node) && node.body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ file, line: first + 1, name: functionName(node), lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Functions in packages/*\/src longer than `limit` lines, longest first. */
export function longFunctions(limit = MAX_FUNCTION_LINES, root = REPO_ROOT): FunctionLength[] {
  const found: FunctionLength[] = [];
  for (const dir of packageSourceDirs(root)) {
    for (const path of listTsFiles(dir)) {
      found.push(...functionLengths(relative(root, path), readFileSync(path, 'utf8')).filter((f) => f.lines > limit));
    }
  }
  return found.sort((a, b) => b.lines - a.lines);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const limit = process.argv[2] ? Number(process.argv[2]) : MAX_FUNCTION_LINES;
  const long = longFunctions(limit);
  for (const f of long) console.log(`${f.lines}\t${f.file}:${f.line}\t${f.name}`);
  console.log(`${long.length} function(s) over ${limit} lines in packages/*/src`);
  process.exitCode = long.length > 0 ? 1 : 0;
}
