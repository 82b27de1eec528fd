import { readdir, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';

/** File extensions taken from folders (lower case, with the dot): what sharp decodes. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.avif', '.gif'];

/** An argument that gave no image file, and why. */
export interface UnmatchedInput {
  arg: string;
  reason: 'no such file or folder' | 'no image file in this folder' | 'the pattern matches no file';
}

/** The image files the command arguments name, and the arguments that name none. */
export interface ExpandedInputs {
  /** Paths as given or as found (relative to `cwd` when the argument was), in argument order, each once. */
  files: string[];
  unmatched: UnmatchedInput[];
}

/** True for a file name whose extension is one of {@link IMAGE_EXTENSIONS}. */
export function hasImageExtension(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}

async function kindOf(path: string): Promise<'file' | 'folder' | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'folder' : 'file';
  } catch {
    return undefined;
  }
}

/** The image files directly inside `folder` (not its subfolders), sorted by name. */
async function imagesIn(folder: string, cwd: string): Promise<string[]> {
  const entries = await readdir(resolve(cwd, folder), { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && hasImageExtension(e.name))
    .map((e) => join(folder, e.name))
    .sort();
}

/**
 * Expand command-line inputs: a file is taken as it is (whatever its extension: a file that is
 * not an image is reported when it is decoded); a folder gives the image files directly inside it;
 * a glob pattern (`photos/**\/*.jpg`, quoted so the shell leaves it alone) gives the files it
 * matches. An existing file or folder wins over a pattern of the same name.
 */
export async function expandInputs(args: readonly string[], cwd: string = process.cwd()): Promise<ExpandedInputs> {
  const files: string[] = [];
  const unmatched: UnmatchedInput[] = [];
  const seen = new Set<string>();
  const add = (path: string): void => {
    const key = resolve(cwd, path);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(path);
  };
  for (const arg of args) {
    const kind = await kindOf(resolve(cwd, arg));
    if (kind === 'file') {
      add(arg);
      continue;
    }
    const pattern = kind === undefined && isDynamicPattern(arg);
    const found =
      kind === 'folder' ? await imagesIn(arg, cwd) : pattern ? (await glob([arg], { cwd, absolute: isAbsolute(arg), onlyFiles: true, expandDirectories: false })).sort() : [];
    if (found.length === 0) {
      const reason = kind === 'folder' ? 'no image file in this folder' : pattern ? 'the pattern matches no file' : 'no such file or folder';
      unmatched.push({ arg, reason });
    }
    found.forEach(add);
  }
  return { files, unmatched };
}
