import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXACT_ALLOCATION_TUNABLES, mallocSetting, relaunchEnvironment, runsOnGlibc } from '../src/cli/malloc-setting.js';
import type { RestoreReport } from '../src/cli/restore/restore-report.js';
import { pixels, writeImage, writeTinyPrior } from './cli-restore-fixtures.js';

describe("difbfsr restore's malloc setting", () => {
  const glibc = () => true;

  it('relaunches restore on glibc with the exact-allocation tunables added to any the user has', () => {
    expect(relaunchEnvironment(['restore', 'a.png', '--model', 'p2.pt'], { PATH: '/bin' }, glibc)).toEqual({ PATH: '/bin', GLIBC_TUNABLES: EXACT_ALLOCATION_TUNABLES });
    expect(relaunchEnvironment(['restore', '--model=ffhq256-p2'], { GLIBC_TUNABLES: 'glibc.pthread.rseq=0' }, glibc)?.GLIBC_TUNABLES).toBe(`glibc.pthread.rseq=0:${EXACT_ALLOCATION_TUNABLES}`);
  });

  it('runs in place for other commands, the bundled prior, off glibc, under a malloc setting the user chose, and with DIFBFSR_ALLOCATION=default', () => {
    const asked = vi.fn(() => true);
    for (const args of [['inspect', 'x.pt'], ['restore', 'a.png'], ['restore', 'a.png', '--model', 'bundled'], ['restore', '--model=bundled']]) {
      expect(relaunchEnvironment(args, {}, asked)).toBeUndefined();
    }
    expect(asked).not.toHaveBeenCalled();
    expect(relaunchEnvironment(['restore', '--model', 'p2.pt'], {}, () => false)).toBeUndefined();
    for (const env of [{ MALLOC_MMAP_THRESHOLD_: '4194304' }, { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' }, { DIFBFSR_ALLOCATION: 'default' }]) {
      expect(relaunchEnvironment(['restore', '--model', 'p2.pt'], env, glibc)).toBeUndefined();
    }
  });

  it('names the variables that set malloc, or default', () => {
    expect(mallocSetting({})).toBe('default');
    expect(mallocSetting({ GLIBC_TUNABLES: 'glibc.pthread.rseq=0' })).toBe('default');
    expect(mallocSetting({ MALLOC_MMAP_THRESHOLD_: '1048576', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' })).toBe('MALLOC_MMAP_THRESHOLD_=1048576 GLIBC_TUNABLES=glibc.malloc.hugetlb=1');
  });
});

/** The `difbfsr` command as a process: relaunched on glibc, the child's report shows the setting it ran with. */
describe.runIf(runsOnGlibc())('the difbfsr command relaunched with exact allocation (glibc)', () => {
  const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'difbfsr-relaunch-'));
  const at = (...p: string[]): string => join(dir, ...p);
  const FAST = ['--aligned', '--model', at('tiny.safetensors'), '--warmup-iters', '0', '--backend', 'tfjs', '--seed', '3'];
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    const { GLIBC_TUNABLES: _t, MALLOC_MMAP_THRESHOLD_: _m, DIFBFSR_ALLOCATION: _a, ...rest } = process.env;
    return { ...rest, ...extra };
  };
  const difbfsr = (args: string[], extra?: Record<string, string>) => spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', env: env(extra) });

  beforeAll(async () => {
    writeTinyPrior(at('tiny.safetensors'));
    mkdirSync(at('in'));
    for (const n of ['a', 'b', 'c']) await writeImage(at('in', `${n}.png`), pixels(8, 8, 3, n.charCodeAt(0)), 8, 8, 3);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restores in a child with the tunables (DIFBFSR_ALLOCATION=default: in place), with the exit status and messages of the child', () => {
    const relaunched = difbfsr(['restore', at('in', 'a.png'), '-o', at('out1'), '--json', at('r1.json'), '--steps', '2', ...FAST]);
    expect(relaunched.status).toBe(0);
    expect((JSON.parse(readFileSync(at('r1.json'), 'utf8')) as RestoreReport).settings.malloc).toBe(`GLIBC_TUNABLES=${EXACT_ALLOCATION_TUNABLES}`);
    const inPlace = difbfsr(['restore', at('in', 'a.png'), '-o', at('out2'), '--json', at('r2.json'), '--steps', '2', ...FAST], { DIFBFSR_ALLOCATION: 'default' });
    expect(inPlace.status).toBe(0);
    expect((JSON.parse(readFileSync(at('r2.json'), 'utf8')) as RestoreReport).settings.malloc).toBe('default');
    const missing = ['relaunched', 'default'].map((mode) => difbfsr(['restore', at('in', 'none.png'), '-o', at('out3'), ...FAST], mode === 'default' ? { DIFBFSR_ALLOCATION: 'default' } : {}));
    expect(missing.map((r) => r.status)).toEqual([1, 1]);
    expect(missing[0].stderr).toMatch(/none\.png: no such file or folder\ndifbfsr: INVALID_INPUT: no image to restore\n$/);
    expect(missing[0].stderr).toBe(missing[1].stderr);
  }, 120_000);

  it('forwards one Ctrl-C to the child, which stops after the current step and reports it (status 130)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'restore', at('in'), '-o', at('out4'), '--steps', '200', ...FAST], { env: env() });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      const first = !/diffusion \d+\/200/.test(stderr);
      stderr += chunk.toString();
      if (first && /diffusion \d+\/200/.test(stderr)) child.kill('SIGINT');
    });
    const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    expect(status).toBe(130);
    expect(stderr).toMatch(/interrupted: stopping after the current step/);
    expect(stderr).toMatch(/restored \d of 3 images .*interrupted/);
  }, 120_000);
});
