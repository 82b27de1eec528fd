import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { loadCheckpoint, saveTorchZip } from '@difbfsr/models';
import { buildCli, runCli, type CliCommand } from '../src/cli/main.js';
import { describeShared, sharedPath } from '../../../test-utils/shared.js';

const dir = mkdtempSync(join(tmpdir(), 'difbfsr-cli-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

const tensors = {
  'module.w': { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
  'module.b': { shape: [2], data: Float32Array.from([0.5, -0.25]) },
  'module.n': { shape: [1], data: BigInt64Array.from([3n]) },
};
const pt = join(dir, 'model.pt');
writeFileSync(pt, saveTorchZip(tensors, { wrap: { key: 'state_dict', extras: { step: 10 } } }));

describe('difbfsr inspect / convert', () => {
  it('inspect prints format, dtypes, counts and preset', async () => {
    const r = await cli('inspect', pt);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/format:\s+pytorch \(zip\)/);
    expect(r.out).toMatch(/dtype:\s+float32 \(2 tensors\), int64 \(1 tensor\)/);
    expect(r.out).toMatch(/tensors:\s+3\n/);
    expect(r.out).toMatch(/parameters:\s+9\n/);
    expect(r.out).toMatch(/preset:\s+\S+/);
    expect(r.out).toMatch(/extras:\s+step=10/);
  });

  it('inspect --json --tensors', async () => {
    const r = await cli('inspect', '--json', '--tensors', pt);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ format: 'pytorch', tensors: 3, parameters: 9, dtypes: { float32: 2, int64: 1 }, extras: { step: 10 } });
    expect(typeof j.preset).toBe('string');
    expect(j.tensorList).toEqual([
      ['w', [2, 3], 'float32'],
      ['b', [2], 'float32'],
      ['n', [1], 'int64'],
    ]);
  });

  it('convert writes safetensors (and fp16), refuses to overwrite without --force', async () => {
    const out = join(dir, 'model.safetensors');
    let r = await cli('convert', pt, out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wrote .*model\.safetensors: 3 tensors, 9 parameters/);
    const sd = await loadCheckpoint(out);
    expect(sd.format).toBe('safetensors');
    expect(sd.names()).toEqual(['w', 'b', 'n']);
    expect([...sd.get('w').toFloat32()]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sd.metadata).toMatchObject({ format: 'pt', 'difbfsr.converted_from': 'model.pt', 'difbfsr.extra.step': '10' });

    r = await cli('convert', pt, out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/INVALID_OPTION.*--force/);
    r = await cli('convert', '--fp16', '--force', pt, out);
    expect(r.code).toBe(0);
    const h = await loadCheckpoint(out);
    expect(h.get('w').dtype).toBe('float16');
    expect(h.get('n').dtype).toBe('int64');
    expect([...h.get('b').toFloat32()]).toEqual([0.5, -0.25]);
    r = await cli('convert', out, out, '--force');
    expect(r.code).toBe(1);
  });

  it('errors: typed failures exit 1 with the code, usage errors exit 2', async () => {
    const bad = join(dir, 'bad.pt');
    writeFileSync(bad, 'not a model at all');
    let r = await cli('inspect', bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^difbfsr: CHECKPOINT_FORMAT: .*not a checkpoint/);
    r = await cli('inspect', join(dir, 'missing.pt'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/IO/);
    r = await cli('inspect');
    expect(r.code).toBe(2);
    r = await cli('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command/);
    r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/inspect/);
    expect(r.out).toMatch(/convert/);
  });

  it('subcommands are pluggable', async () => {
    const hello: CliCommand = {
      name: 'hello',
      register(program: Command, io) {
        program.command('hello').action(() => io.stdout('hi\n'));
      },
    };
    let out = '';
    const program = buildCli({ stdout: (s) => (out += s), stderr: () => {} }, [hello]);
    await program.parseAsync(['hello'], { from: 'user' });
    expect(out).toBe('hi\n');
  });
});

describeShared('difbfsr inspect on the reference fixtures', ['fixtures/adm/tiny-a.wrapped.pt'], () => {
  it('tiny-a.wrapped.pt', async () => {
    const r = await cli('inspect', '--json', sharedPath('fixtures/adm/tiny-a.wrapped.pt'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ format: 'pytorch', tensors: 144, parameters: 828358, dtypes: { float32: 144 }, extras: { step: 500000 } });
  });
});
