/**
 * `fdi run` from the esbuild bundle of the sources (bin/bundle.mjs): which invocations take it, that it is complete
 * and keyed by the sources, and that it runs the same CLI (version, a whole run with its monitor log).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of bin/, without types
import { bundledEntry } from '../../bin/bundle.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'fdi-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const entry = (argv: string[], env: Record<string, string> = {}): Promise<string | null> => bundledEntry(['node', 'fdi', ...argv], env) as Promise<string | null>;

describe('bundledEntry', () => {
  it('gives fdi run a complete bundle under node_modules/.cache, the same one while the sources stay as they are', async () => {
    const first = await entry(['run', 'task.json']);
    expect(first).not.toBeNull();
    const dir = dirname(first as string);
    expect(dir.startsWith(join(ROOT, 'node_modules', '.cache', 'fdi-worker'))).toBe(true);
    for (const f of ['main.js', 'part-thread.js', 'part-thread.mjs', 'complete']) expect(existsSync(join(dir, f))).toBe(true);
    expect(await entry(['run', 'other.json', '--json'])).toBe(first);
  });

  it.each([
    ['another command', ['serve'], {}],
    ['a --plugin', ['run', 't.json', '--plugin', './p.mjs'], {}],
    ['a --plugin=…', ['run', 't.json', '--plugin=./p.mjs'], {}],
    ['FDI_PLUGINS', ['run', 't.json'], { FDI_PLUGINS: './p.mjs' }],
    ['FDI_BUNDLE=0', ['run', 't.json'], { FDI_BUNDLE: '0' }],
  ])('leaves %s on tsx (plugins must share the engine’s SDK classes)', async (_label, argv, env) => {
    expect(await entry(argv, env)).toBeNull();
  });

  it('runs the CLI itself: its version, and a whole run with the same monitor log as through tsx', async () => {
    const main = (await entry(['run', 'x.json'])) as string;
    const version = spawnSync(process.execPath, [main, '--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);

    const task = join(ROOT, 'examples', 'csv-to-jsonl.json');
    const run = (env: Record<string, string>) => {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'fdi.mjs'), 'run', task, '--json', '--state', join(work, `${Object.keys(env).length}.state.json`)], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, FDI_PLUGINS: '', ...env },
      });
      expect(r.status, r.stderr).toBe(0);
      const log = JSON.parse(r.stdout) as { execute_status: string; data_count: number; detail_logs: { status: number }[] };
      return { status: log.execute_status, count: log.data_count, steps: log.detail_logs.map((d) => d.status) };
    };
    expect(run({})).toEqual(run({ FDI_BUNDLE: '0' }));
    expect(run({}).status).toBe('SUCCESS');
  });
});
