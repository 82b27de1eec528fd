import { mkdtempSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DifbfsrError } from '@difbfsr/core';
import { openFileSource } from '../src/checkpoint/source.node.js';

/** A rejection (or a throw) of a `DifbfsrError` with `code` and a message matching `re`. */
async function expectCode(p: Promise<unknown> | (() => unknown), code: string, re: RegExp): Promise<void> {
  const run = async (): Promise<unknown> => (typeof p === 'function' ? p() : p);
  await expect(run()).rejects.toSatisfy((e: unknown) => e instanceof DifbfsrError && e.code === code && re.test(e.message));
}

describe('openFileSource: a checkpoint file read at offsets', () => {
  let dir: string;
  let path: string;
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37 + 11) & 255);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'difbfsr-source-'));
    path = join(dir, 'w.bin');
    writeFileSync(path, bytes);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the same bytes through the open handle, synchronously, into a target and after close', async () => {
    const src = await openFileSource(pathToFileURL(path));
    expect(src.size).toBe(1000);
    expect(src.label).toBe(path);
    expect(src.file?.path).toBe(path);
    expect(src.file?.size).toBe(1000);
    expect(await src.read(100, 50)).toEqual(bytes.subarray(100, 150));
    expect(src.readSync(990, 10)).toEqual(bytes.subarray(990, 1000));
    const target = new Uint8Array(7);
    src.readSyncInto(3, target);
    expect(target).toEqual(bytes.subarray(3, 10));
    await src.close();
    await src.close();
    expect(await src.read(0, 1000)).toEqual(bytes);
  });

  it('names missing files, folders and reads past the end', async () => {
    await expectCode(openFileSource(join(dir, 'missing.pt')), 'IO', /Cannot open checkpoint .*missing\.pt/);
    await expectCode(openFileSource(dir), 'IO', /is not a regular file/);
    const src = await openFileSource(path);
    await expectCode(src.read(990, 11), 'CHECKPOINT_TRUNCATED', /past the end of the file \(1000 bytes\)/);
    await expectCode(() => src.readSync(-1, 2), 'CHECKPOINT_FORMAT', /invalid data range/);
    await src.close();
  });

  it('refuses a file that shrank under the open handle or changed before a lazy read', async () => {
    const src = await openFileSource(path);
    truncateSync(path, 500);
    await expectCode(src.read(400, 200), 'CHECKPOINT_TRUNCATED', /unexpected end of file at 500/);
    await expectCode(() => src.readSync(0, 10), 'IO', /changed on disk/);
    await src.close();

    writeFileSync(path, bytes);
    const again = await openFileSource(path);
    utimesSync(path, new Date(), new Date(Date.now() + 60_000));
    await expectCode(() => again.readSync(0, 10), 'IO', /changed on disk/);
    await again.close();
  });
});
