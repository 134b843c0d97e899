import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../../connectors/builtins.ts';
import type { DataSourceRecord } from '../../core/datasource.ts';
import { FdiError } from '../../core/fdi-error.ts';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { parseTaskFile } from '../../core/normalise/index.ts';
import { MemoryCheckpointStore } from '../../worker/checkpoint.ts';
import { MemoryDirtySink } from '../../worker/dirty.ts';
import { runExecution } from '../../worker/execution.ts';

const root = mkdtempSync(join(tmpdir(), 'fdi-file-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

interface Run {
  log: TaskMonitorLog;
  dirty: MemoryDirtySink;
  checkpoints: MemoryCheckpointStore;
  dir: string;
}

/** One execution of a FILE → FILE task whose base_path is a fresh folder. */
async function run(files: Record<string, string | Buffer>, detail: object, prepare?: (dir: string) => void): Promise<Run> {
  const dir = join(root, `run${++n}`);
  mkdirSync(dir, { recursive: true });
  prepare?.(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const { task, datasources } = parseTaskFile({
    datasources: [{ datasource_id: 'files', datasource_name: 'files', datasource_type: 'FILE', content: { base_path: dir } }],
    task: { task_name: `file-run-${n}`, task_type: 'TIMING', source_datasource_id: 'files', target_datasource_id: 'files' },
    task_detail: { ...detail, runtime: { batchSize: 2 } },
  });
  const byId = new Map(datasources.map((d): [string, DataSourceRecord] => [d.datasource_id, d]));
  const dirty = new MemoryDirtySink();
  const checkpoints = new MemoryCheckpointStore();
  const log = await runExecution({ task }, {
    registry: createDefaultRegistry(),
    resolveDatasource: async (id) => {
      const ds = byId.get(id);
      if (!ds) throw new FdiError('FDI.3147', id);
      return ds;
    },
    checkpoints,
    monitorSink: { async save() {} },
    dirtySink: dirty,
  });
  return { log, dirty, checkpoints, dir };
}

const codes = (log: TaskMonitorLog): number[] => log.detail_logs.map((d) => d.status);
const readCount = (log: TaskMonitorLog): number => Math.max(0, ...log.detail_logs.filter((d) => d.status === 104).map((d) => d.data_count));

describe('file connector through runExecution', () => {
  it('round-trips a GBK, |-delimited file with a header into a UTF-8 CSV, with the run checkpoint kept', async () => {
    const text = '编号|姓名|备注\n1|张三|"a|b"\n2|李四|\n3|王五|ok\n';
    const r = await run({ 'in.txt': iconv.encode(text, 'GBK') }, {
      sourceSelectedDatasource: { file_name: 'in.txt', field_delimiter: '|', file_content_charset: 'GBK', skip_header: true, null_format: '' },
      targetSelectedDatasource: { path: 'out', file_name: 'out.csv', file_type: 'csv', add_header: true, null_format: '\\N' },
      mappingRequired: false,
    });
    expect(r.log.execute_status).toBe('SUCCESS');
    expect(r.log.data_count).toBe(3);
    expect(readFileSync(join(r.dir, 'out', 'out.csv'), 'utf8')).toBe('编号,姓名,备注\n1,张三,a|b\n2,李四,\\N\n3,王五,ok\n');
    expect(await r.checkpoints.load(r.log.task_id)).toEqual({ file: 'in.txt', line: 4 });
  });

  it('counts unreadable lines as read and dirty (read = written + dirty) and keeps them with their line numbers', async () => {
    const csv = 'id,name\n1,Ann\n2,Bob,extra\n3,"Cy"\n4\n5,Eve\n';
    const r = await run({ 'in.csv': csv }, {
      sourceSelectedDatasource: { file_name: 'in.csv', skip_header: true },
      targetSelectedDatasource: { file_name: 'out.jsonl', file_type: 'jsonl' },
      mappingRequired: false,
    });
    expect(r.log.execute_status).toBe('SUCCESS');
    expect(r.log.dirty_data_count).toBe(2);
    expect(readCount(r.log)).toBe(r.log.data_count + r.log.dirty_data_count);
    expect(r.dirty.records.map((d) => [d.reason.split(':')[0], d.record])).toEqual([['line 3', '2,Bob,extra'], ['line 5', '4']]);
    expect(readFileSync(join(r.dir, 'out.jsonl'), 'utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['1', '3', '5']);
  });

  it('reads zero rows from an empty glob: 105, no writer steps, no target file', async () => {
    const r = await run({}, {
      sourceSelectedDatasource: { file_name: '*.csv' },
      targetSelectedDatasource: { file_name: 'out.csv' },
      mappingRequired: false,
    });
    expect(r.log.execute_status).toBe('SUCCESS');
    expect(codes(r.log)).toContain(105);
    expect(codes(r.log).filter((c) => c >= 500 && c < 900)).toEqual([]);
    expect(readdirSync(r.dir)).toEqual([]);
  });

  it('a target that fails when publishing ends the run with 503 and leaves neither a file nor a part file', async () => {
    const blocked = await run({ 'in.csv': 'a\nb\n' }, {
      sourceSelectedDatasource: { file_name: 'in.csv' },
      targetSelectedDatasource: { file_name: 'out.csv' },
      mappingRequired: false,
    }, (dir) => {
      // A folder where the target file should go: writing works, the final rename cannot replace it.
      mkdirSync(join(dir, 'out.csv', 'inner'), { recursive: true });
    });
    expect(blocked.log.execute_status).toBe('ERROR');
    expect(codes(blocked.log)).toContain(503);
    expect(readdirSync(blocked.dir).sort()).toEqual(['in.csv', 'out.csv']);
    expect(readdirSync(join(blocked.dir, 'out.csv'))).toEqual(['inner']);
    expect(await blocked.checkpoints.load(blocked.log.task_id)).toBeNull();
  });

  it('a source failure (max_file_size) ends with 103 and leaves no target file', async () => {
    const r = await run({ 'in.csv': 'x'.repeat(2 * 1024 * 1024) }, {
      sourceSelectedDatasource: { file_name: 'in.csv', max_file_size: 1 },
      targetSelectedDatasource: { file_name: 'out.csv' },
      mappingRequired: false,
    });
    expect(r.log.execute_status).toBe('ERROR');
    expect(codes(r.log)).toContain(103);
    expect(readdirSync(r.dir)).toEqual(['in.csv']);
  });

  it('a missing source file is a reader that could not start (911) naming the file', async () => {
    const r = await run({}, {
      sourceSelectedDatasource: { file_name: 'nope.csv' },
      targetSelectedDatasource: { file_name: 'out.csv' },
      mappingRequired: false,
    });
    expect(r.log.execute_status).toBe('ERROR');
    const step = r.log.detail_logs.find((d) => d.status === 911);
    expect(step?.remarks).toMatch(/file not found: nope\.csv/);
  });
});
