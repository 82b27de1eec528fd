import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { describe } from 'vitest';

/** Debian's Chromium (`apt-get install chromium`); the tests never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Headless, and nothing that phones home: on a closed network Chromium's background connections
 * are refused and would show up as errors.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * `describe` that needs Chromium at {@link CHROMIUM_PATH}. Without it the suite is skipped with a
 * message, except under CI=true, where a missing browser is a failure.
 */
export function describeWithChromium(name: string, fn: () => void): void {
  if (existsSync(CHROMIUM_PATH)) {
    describe(name, fn);
    return;
  }
  const msg = `${name}: no Chromium at ${CHROMIUM_PATH} (Debian: apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`${msg}; CI requires it`);
  console.warn(`SKIP ${msg}`);
  describe.skip(name, fn);
}

/** A headless Chromium with a fresh profile; `close()` ends it and deletes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'difbfsr-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 820, height: 740 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
