import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { describe } from 'vitest';

/** Environment variable naming another shared folder (`.ci/run` points it at an empty one: the newcomer's checkout). */
export const SHARED_DIR_ENV = 'DIFBFSR_SHARED_DIR';

/**
 * `../shared` beside the checkout (read at run time, never copied into the repo), or the folder
 * `$DIFBFSR_SHARED_DIR` names.
 */
export const SHARED_DIR = process.env[SHARED_DIR_ENV] ? resolve(process.env[SHARED_DIR_ENV]) : fileURLToPath(new URL('../../shared/', import.meta.url));

/** Absolute path of a file under ../shared. */
export function sharedPath(...parts: string[]): string {
  return join(SHARED_DIR, ...parts);
}

/**
 * `describe` that needs files under ../shared. When they are missing the suite is skipped with a
 * message, except under CI=true, where missing shared data is a failure. The body still runs
 * while vitest collects the suite (that is how it lists the skipped tests), so it must only
 * declare tests and hooks: read shared files inside them, never in the body itself.
 */
export function describeShared(name: string, files: string[], fn: () => void): void {
  const missing = files.filter((f) => !existsSync(sharedPath(f)));
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  const msg = `${name}: missing shared data (${missing.join(', ')}) under ${SHARED_DIR}`;
  if (process.env.CI === 'true') throw new Error(`${msg}; CI requires ../shared`);
  console.warn(`SKIP ${msg}`);
  describe.skip(name, fn);
}
