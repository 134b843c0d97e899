import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import type { DirtyRecord } from '../../core/store.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/fdi.mjs');
const work = mkdtempSync(join(tmpdir(), 'fdi-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function fdi(args: string[], opts: { env?: NodeJS.ProcessEnv; onSpawn?: (pid: number) => void } = {}): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: work, env: { ...process.env, FDI_PLUGINS: '', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
  });
}

/** A copy of the shipped examples in a fresh folder, so runs neither collide nor leave files in the repo. */
function examplesCopy(): string {
  const dir = mkdtempSync(join(work, 'examples-'));
  cpSync(join(ROOT, 'examples'), dir, { recursive: true, filter: (src) => !/[/\\](out|\.fdi)([/\\]|$)/.test(src) && !src.endsWith('.dirty.jsonl') });
  return dir;
}

const codes = (log: TaskMonitorLog): number[] => log.detail_logs.map((d) => d.status);

function expectTimingSuccessSteps(log: TaskMonitorLog): void {
  const all = codes(log);
  expect([...all].sort((a, b) => a - b)).toEqual([99, 100, 101, 102, 104, 500, 501, 502, 504, 900, 901]);
  expect(all.slice(0, 2)).toEqual([900, 99]);
  expect(all.at(-1)).toBe(901);
  expect(all.filter((c) => c >= 100 && c < 500)).toEqual([100, 102, 104, 101]);
  expect(all.filter((c) => c >= 500 && c < 900)).toEqual([500, 502, 504, 501]);
}

function fileTask(dir: string, name: string, source: object, target: object, extra: object = {}): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({
    datasources: [{ datasource_id: 'files', datasource_name: 'files', datasource_type: 'FILE', content: { base_path: '.' } }],
    task: { task_name: name, task_type: 'TIMING', source_datasource_id: 'files', target_datasource_id: 'files' },
    task_detail: { sourceSelectedDatasource: source, targetSelectedDatasource: target, mappingRequired: false, ...extra },
  }));
  return path;
}

describe('fdi run: the shipped examples', () => {
  it('csv-to-jsonl --json: prints only the monitor log, SUCCESS with every timing step, exit 0, and writes the JSONL', async () => {
    const dir = examplesCopy();
    const r = await fdi(['run', join(dir, 'csv-to-jsonl.json'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const log = JSON.parse(r.stdout) as TaskMonitorLog;
    expect(log.execute_status).toBe('SUCCESS');
    expect(log.task_id).toBe('customers-csv-to-jsonl');
    expectTimingSuccessSteps(log);
    expect(log.detail_logs.every((d) => typeof d.id === 'string' && d.stage.length > 0)).toBe(true);
    expect(log.data_count).toBe(6);
    expect(log.dirty_data_count).toBe(0);

    const lines = readFileSync(join(dir, 'out', 'customers.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(6);
    expect(lines[1]).toMatchObject({ id: 2, name: "O'Brien, Siobhán", age: 29, note: null });
    expect(lines[2]).toMatchObject({ id: 3, city: 'München', age: null, note: 'Said "call me after 5"' });
    expect(lines[3]?.note).toBe('Two-line note:\nrenewal in Q3');
    expect(lines[4]).toMatchObject({ name: '田中 さくら', city: '東京' });
    // The output folder holds the file only: no part file left behind.
    expect(readdirSync(join(dir, 'out'))).toEqual(['customers.jsonl']);
  });

  it('csv-to-jsonl without --json: the step table and the summary', async () => {
    const dir = examplesCopy();
    const r = await fdi(['run', join(dir, 'csv-to-jsonl.json')]);
    expect(r.code, r.stderr).toBe(0);
    const [table, summary] = r.stdout.split('\n\n');
    const rows = (table ?? '').split('\n');
    expect(rows[0]).toMatch(/^status\s+position\s+position_status\s+stage\s+data_count\s+dirty\s+size\s+spend_ms\s+remarks$/);
    expect(rows.slice(1).map((l) => Number(l.trim().split(/\s+/)[0]))).toHaveLength(11);
    expect(rows.find((l) => l.trim().startsWith('104'))).toMatch(/READER\s+NODE_END\s+filereader\s+6\s+0/);
    expect(summary).toMatch(/^run [0-9a-f]+ SUCCESS, read 6, written 6, dirty 0, size /);
  });

  it('csv-with-bad-row: exit 0, one dirty record kept in the dirty file with its reason, column and stage', async () => {
    const dir = examplesCopy();
    const r = await fdi(['run', join(dir, 'csv-with-bad-row.json'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const log = JSON.parse(r.stdout) as TaskMonitorLog;
    expect(log.execute_status).toBe('SUCCESS');
    expect(log.dirty_data_count).toBe(1);
    expect(log.data_count).toBe(3);
    const dirtyPath = join(dir, 'customers-bad-row.dirty.jsonl');
    expect(r.stderr).toContain(`1 dirty record(s) written to ${dirtyPath}`);
    const dirty = readFileSync(dirtyPath, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as DirtyRecord);
    expect(dirty).toHaveLength(1);
    expect(dirty[0]).toMatchObject({ run_id: log.id, task_id: 'customers-bad-row', column: 'age', record: { id: '2', age: 'forty' } });
    expect(dirty[0]?.reason).toMatch(/forty/);
    expect(dirty[0]?.reason).toMatch(/INT/);
    expect(dirty[0]?.stage).toBeTruthy();
    const written = readFileSync(join(dir, 'out', 'customers-checked.csv'), 'utf8');
    expect(written).toBe('id,name,city,age\n1,Zhang Wei,北京,34\n3,Jürgen Müller,München,\n4,Ana Souza,São Paulo,41\n');
  });

  it('--dirty puts the dirty records where it says', async () => {
    const dir = examplesCopy();
    const dirtyPath = join(dir, 'elsewhere', 'bad.jsonl');
    const r = await fdi(['run', join(dir, 'csv-with-bad-row.json'), '--dirty', dirtyPath]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`1 dirty record(s) written to ${dirtyPath}`);
    expect(readFileSync(dirtyPath, 'utf8').trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'customers-bad-row.dirty.jsonl'))).toBe(false);
  });
});

describe('fdi run: error_handler', () => {
  it('sends dirty records to the error_handler file of a FILE data source instead of the dirty file', async () => {
    const dir = mkdtempSync(join(work, 'handler-'));
    writeFileSync(join(dir, 'in.csv'), 'id,age\n1,3\n2,forty\n');
    const task = fileTask(dir, 'handled', { file_name: 'in.csv', skip_header: true }, { file_name: 'out.csv', add_header: true }, {
      mappingRequired: true,
      mappingTable: [
        { sourceColumn: 'id', targetColumn: 'id', targetColumnType: 'INT' },
        { sourceColumn: 'age', targetColumn: 'age', targetColumnType: 'INT' },
      ],
      error_handler: { datasource_id: 'files', path: 'dirty/bad.jsonl' },
    });
    const r = await fdi(['run', task]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 dirty record(s) written to the error_handler (data source files, dirty/bad.jsonl)');
    const kept = readFileSync(join(dir, 'dirty', 'bad.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ task_id: 'handled', column_name: 'age', record: '{"id":"2","age":"forty"}' });
    expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toBe('id,age\n1,3\n');
    expect(existsSync(join(dir, 'handled.dirty.jsonl'))).toBe(false);
  });
});

describe('fdi run: invalid input exits 2 with the FDI code on stderr', () => {
  it.each([
    ['a file that is not JSON', '{"datasources": [', /^FDI\.3002: .*not valid JSON/m],
    ['a task name the spec refuses', JSON.stringify({ datasources: [], task: { task_name: 'x', task_type: 'TIMING', source_datasource_id: 'a', target_datasource_id: 'b' }, task_detail: '{}' }), /^FDI\.3157: .*task_name/m],
    ['a data source missing from the file', JSON.stringify({
      datasources: [{ datasource_id: 'a', datasource_name: 'a', datasource_type: 'FILE', content: {} }],
      task: { task_name: 'missing-ds', task_type: 'TIMING', source_datasource_id: 'a', target_datasource_id: 'nope' },
      task_detail: { sourceSelectedDatasource: { file_name: 'a.csv' }, targetSelectedDatasource: { file_name: 'b.csv' }, mappingRequired: false },
    }), /^FDI\.3147: .*nope/m],
    ['a data source type no connector serves', JSON.stringify({
      datasources: [{ datasource_id: 'a', datasource_name: 'a', datasource_type: 'HANA', content: {} }],
      task: { task_name: 'no-connector', task_type: 'TIMING', source_datasource_id: 'a', target_datasource_id: 'a' },
      task_detail: { sourceSelectedDatasource: { file_name: 'a.csv' }, targetSelectedDatasource: { file_name: 'b.csv' }, mappingRequired: false },
    }), /^FDI\.3443: .*HANA/m],
    ['a realtime task on the file connector', JSON.stringify({
      datasources: [{ datasource_id: 'a', datasource_name: 'a', datasource_type: 'FILE', content: {} }],
      task: { task_name: 'realtime-file', task_type: 'REALTIME', source_datasource_id: 'a', target_datasource_id: 'a' },
      task_detail: { sourceSelectedDatasource: { file_name: 'a.csv' }, targetSelectedDatasource: { file_name: 'b.csv' }, mappingRequired: false },
    }), /^FDI\.3059: /m],
    ['a bad base_path', JSON.stringify({
      datasources: [{ datasource_id: 'a', datasource_name: 'a', datasource_type: 'FILE', content: { base_path: 7 } }],
      task: { task_name: 'bad-base', task_type: 'TIMING', source_datasource_id: 'a', target_datasource_id: 'a' },
      task_detail: { sourceSelectedDatasource: { file_name: 'a.csv' }, targetSelectedDatasource: { file_name: 'b.csv' }, mappingRequired: false },
    }), /^FDI\.3033: .*base_path/m],
  ])('%s', async (_name, text, expected) => {
    const path = join(work, `invalid-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, text);
    const r = await fdi(['run', path, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(expected);
    expect(r.stdout).toBe('');
  });

  it('a task file that does not exist, and a wrong option', async () => {
    const missing = await fdi(['run', join(work, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^FDI\.3002: Invalid parameters\. Cannot read the task file/m);
    const option = await fdi(['run', join(work, 'nope.json'), '--no-such-option']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/unknown option/);
  });
});

describe('fdi run: a failing run', () => {
  it('exits 1 with ERROR and 103 when a file is above max_file_size, and leaves no target file and no state', async () => {
    const dir = mkdtempSync(join(work, 'fail-'));
    writeFileSync(join(dir, 'in.csv'), 'a\n'.repeat(600_000));
    const task = fileTask(dir, 'too-big', { file_name: 'in.csv', max_file_size: 1 }, { file_name: 'out.csv' });
    const r = await fdi(['run', task, '--json']);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as TaskMonitorLog;
    expect(log.execute_status).toBe('ERROR');
    const step = log.detail_logs.find((d) => d.status === 103);
    expect(step?.remarks).toMatch(/in\.csv is 1\.14 MB, more than max_file_size 1 MB/);
    expect(readdirSync(dir).sort()).toEqual(['in.csv', 'too-big.json']);
  });
});

describe('fdi run: state between runs', () => {
  it('writes the checkpoint to the state file after a successful run; a second run reads the file again in full', async () => {
    const dir = mkdtempSync(join(work, 'state-'));
    writeFileSync(join(dir, 'in.csv'), 'id,v\n1,a\n2,b\n3,c\n');
    const task = fileTask(dir, 'twice', { file_name: 'in.csv', skip_header: true }, { file_name: 'out.jsonl', file_type: 'jsonl' });
    const first = await fdi(['run', task, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const statePath = join(dir, '.fdi', 'state', 'twice.json');
    expect(JSON.parse(readFileSync(statePath, 'utf8'))).toEqual({ version: 1, checkpoints: { twice: { file: 'in.csv', line: 4 } } });

    writeFileSync(join(dir, 'in.csv'), 'id,v\n1,a\n2,b\n3,c\n4,d\n');
    const second = await fdi(['run', task, '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect((JSON.parse(second.stdout) as TaskMonitorLog).data_count).toBe(4);
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8').trimEnd().split('\n')).toHaveLength(4);
    expect(JSON.parse(readFileSync(statePath, 'utf8')).checkpoints.twice).toEqual({ file: 'in.csv', line: 5 });

    const custom = join(dir, 'my-state.json');
    const third = await fdi(['run', task, '--state', custom, '--quiet']);
    expect(third.code, third.stderr).toBe(0);
    expect(JSON.parse(readFileSync(custom, 'utf8')).checkpoints.twice).toEqual({ file: 'in.csv', line: 5 });
  });

  it('refuses to run on a state file it cannot read, naming it, rather than starting over silently', async () => {
    const dir = mkdtempSync(join(work, 'badstate-'));
    writeFileSync(join(dir, 'in.csv'), 'a\n');
    const task = fileTask(dir, 'bad-state', { file_name: 'in.csv' }, { file_name: 'out.csv' });
    const state = join(dir, 'state.json');
    writeFileSync(state, 'not json');
    const r = await fdi(['run', task, '--json', '--state', state]);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as TaskMonitorLog;
    expect(log.execute_status).toBe('ERROR');
    expect(JSON.stringify(log)).toContain('state.json');
    expect(existsSync(join(dir, 'out.csv'))).toBe(false);
  });
});

describe('fdi run: plugins', () => {
  let pluginDir = '';
  beforeAll(() => {
    pluginDir = mkdtempSync(join(work, 'plugins-'));
    writeFileSync(join(pluginDir, 'numbers.mjs'), `
      export default {
        type: 'api',
        serves: { source: ['TIMING'], target: [] },
        parseOptions: (content) => ({ count: Number(content.count ?? 3) }),
        reader: (ctx) => ({
          async open() {},
          async *batches() {
            const records = [];
            for (let i = 1; i <= ctx.datasource.options.count; i++) records.push({ n: String(i) });
            yield { records, bytes: records.length * 8 };
          },
          async close() {},
        }),
      };`);
    writeFileSync(join(pluginDir, 'broken.mjs'), 'export default {};');
  });

  function numbersTask(dir: string): string {
    const path = join(dir, 'numbers-task.json');
    writeFileSync(path, JSON.stringify({
      datasources: [
        { datasource_id: 'gen', datasource_name: 'gen', datasource_type: 'API', content: { count: 5 } },
        { datasource_id: 'files', datasource_name: 'files', datasource_type: 'FILE', content: {} },
      ],
      task: { task_name: 'numbers-task', task_type: 'TIMING', source_datasource_id: 'gen', target_datasource_id: 'files' },
      task_detail: { sourceSelectedDatasource: { rootPath: 'numbers' }, targetSelectedDatasource: { file_name: 'numbers.csv', add_header: true }, mappingRequired: false },
    }));
    return path;
  }

  it('loads --plugin modules; a broken one is reported by name and the others work', async () => {
    const dir = mkdtempSync(join(work, 'plugin-run-'));
    const r = await fdi(['run', numbersTask(dir), '--plugin', join(pluginDir, 'broken.mjs'), '--plugin', join(pluginDir, 'numbers.mjs')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/plugin .*broken\.mjs was not loaded/);
    expect(readFileSync(join(dir, 'numbers.csv'), 'utf8')).toBe('n\n1\n2\n3\n4\n5\n');
  });

  it('loads plugins named in FDI_PLUGINS, and without the plugin the type is invalid input', async () => {
    const dir = mkdtempSync(join(work, 'plugin-env-'));
    const r = await fdi(['run', numbersTask(dir), '--quiet'], { env: { FDI_PLUGINS: join(pluginDir, 'numbers.mjs') } });
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(join(dir, 'numbers.csv')).size).toBeGreaterThan(0);
    const without = await fdi(['run', numbersTask(dir)]);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/^FDI\.3443: .*API/m);
  });
});

describe('fdi run: Ctrl-C', () => {
  it('terminates a long run cleanly: exit 1, CANCELLED with 106, 505 and 16, no target file', async () => {
    const dir = mkdtempSync(join(work, 'sigint-'));
    const lines = ['id,name,city'];
    for (let i = 1; i <= 600_000; i++) lines.push(`${i},Name ${i},City ${i % 97}`);
    writeFileSync(join(dir, 'big.csv'), lines.join('\n') + '\n');
    mkdirSync(join(dir, 'out'));
    const task = fileTask(dir, 'interrupted', { file_name: 'big.csv', skip_header: true }, { path: 'out', file_name: 'big.jsonl', file_type: 'jsonl' });

    let sent = false;
    const r = await fdi(['run', task, '--json'], {
      onSpawn: (pid) => {
        // Ctrl-C once the writer has started writing its part file.
        const poll = setInterval(() => {
          const part = readdirSync(join(dir, 'out')).find((f) => f.endsWith('.part'));
          if (part && statSync(join(dir, 'out', part)).size > 0) {
            clearInterval(poll);
            sent = process.kill(pid, 'SIGINT');
          }
        }, 20);
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as TaskMonitorLog;
    expect(log.execute_status).toBe('CANCELLED');
    expect(codes(log)).toEqual(expect.arrayContaining([106, 505, 16]));
    expect(log.status).toBe(16);
    expect(log.position_status).toBe('RUNTIME_CANCEL');
    expect(log.data_count).toBeLessThan(600_000);
    expect(r.stderr).toMatch(/Ctrl-C: terminating the run/);
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
    expect(existsSync(join(dir, '.fdi', 'state', 'interrupted.json'))).toBe(false);
  }, 60_000);
});
