import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { fileConnector, type FileOptions } from '../../connectors/file/index.ts';
import { formatRemarkDate } from '../../connectors/file/file-name.ts';
import { globToRegExp } from '../../connectors/file/paths.ts';
import {
  OptionsError, TaskConfigError,
  type Checkpoint, type ConnectorLogger, type Row, type SourceBatch, type SourceSpec, type TargetSpec, type TaskSpec,
} from '../../connectors/sdk/index.ts';
import { readBatches, taskSpec } from '../support/task-spec.ts';

const root = mkdtempSync(join(tmpdir(), 'fdi-file-connector-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function freshDir(): string {
  const dir = join(root, `case${++n}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const quiet: ConnectorLogger = { debug() {}, info() {}, warn() {}, error() {} };

function task(source: Partial<SourceSpec>, target: Partial<TargetSpec> = {}, batchSize = 2): TaskSpec {
  return taskSpec({ taskId: 'filetest01', taskName: 'file-test', source, target, runtime: { batchSize } });
}

function ds(basePath: string): { record: { datasource_id: string; datasource_name: string; datasource_type: string; content: { base_path: string } }; options: FileOptions } {
  const content = { base_path: basePath };
  return { record: { datasource_id: 'x', datasource_name: 'files', datasource_type: 'FILE', content }, options: fileConnector.parseOptions(content) };
}

function context(t: TaskSpec, basePath: string, extra: { checkpoint?: Checkpoint; resumed?: boolean; dispatchTime?: number } = {}) {
  return {
    task: t, datasource: ds(basePath), signal: new AbortController().signal, log: quiet, runId: 'run0000001',
    dispatchTime: extra.dispatchTime ?? Date.UTC(2024, 0, 2, 3, 4, 5), resumed: extra.resumed ?? false, checkpoint: extra.checkpoint ?? null,
  };
}

async function readAll(t: TaskSpec, basePath: string, extra: { checkpoint?: Checkpoint; resumed?: boolean } = {}): Promise<SourceBatch[]> {
  return readBatches(fileConnector.reader!(context(t, basePath, extra)));
}

const records = (b: SourceBatch[]): Row[] => b.flatMap((x) => x.records);

describe('file connector: options and paths', () => {
  it('resolves base_path and refuses a non-string one naming the field', () => {
    expect(fileConnector.parseOptions({ base_path: '/srv/data' })).toEqual({ basePath: '/srv/data' });
    expect(() => fileConnector.parseOptions({ base_path: 42 })).toThrow(OptionsError);
    expect(() => fileConnector.parseOptions({ base_path: 42 })).toThrow(/base_path/);
  });

  it('declares type file serving timing tasks only', () => {
    expect(fileConnector.type).toBe('file');
    expect(fileConnector.serves).toEqual({ source: ['TIMING'], target: ['TIMING'] });
  });

  it('refuses source and target paths that climb out of base_path', async () => {
    const dir = freshDir();
    const reader = fileConnector.reader!(context(task({ path: '../../etc', fileName: 'passwd' }), dir));
    await expect(reader.open()).rejects.toThrow(TaskConfigError);
    await expect(fileConnector.reader!(context(task({ path: 'a/../../x', fileName: 'f.csv' }), dir)).open()).rejects.toThrow(/path/);
    await expect(fileConnector.reader!(context(task({ path: '/', fileName: '../x.csv' }), dir)).open()).rejects.toThrow(/file_name/);
    const writer = fileConnector.writer!(context(task({}, { path: '../out', fileName: 'o.csv' }), dir));
    await expect(writer.open()).rejects.toThrow(/leads outside/);
    await writer.close();
  });

  it('matches globs against one name', () => {
    expect(globToRegExp('*.csv').test('a.csv')).toBe(true);
    expect(globToRegExp('*.csv').test('a.csv.bak')).toBe(false);
    expect(globToRegExp('part-?.[ct]sv').test('part-1.tsv')).toBe(true);
    expect(globToRegExp('part-[!0-9].csv').test('part-1.csv')).toBe(false);
    expect(globToRegExp('a+b(1).csv').test('a+b(1).csv')).toBe(true);
  });

  it('formats the remark date in Java style', () => {
    const at = new Date(2024, 0, 2, 3, 4, 5, 6);
    expect(formatRemarkDate('yyyyMMddHHmmss', at)).toBe('20240102030405');
    expect(formatRemarkDate("yyyy-MM-dd'T'HH.SSS", at)).toBe('2024-01-02T03.006');
  });
});

describe('file connector: reader', () => {
  it('reads every file a glob matches, in name order, with per-file checkpoints', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'in'));
    writeFileSync(join(dir, 'in', 'b.csv'), 'id,v\n3,c\n');
    writeFileSync(join(dir, 'in', 'a.csv'), 'id,v\n1,a\n2,b\n');
    writeFileSync(join(dir, 'in', 'notes.txt'), 'ignored\n');
    writeFileSync(join(dir, 'in', '.hidden.csv'), 'id,v\n9,z\n');
    const b = await readAll(task({ path: '/in', fileName: '*.csv', skipHeader: true }), dir);
    expect(records(b)).toEqual([{ id: '1', v: 'a' }, { id: '2', v: 'b' }, { id: '3', v: 'c' }]);
    expect(b.map((x) => x.checkpoint)).toEqual([{ file: 'a.csv', line: 3 }, { file: 'b.csv', line: 2 }]);
  });

  it('reads GBK text with a | delimiter and a JSONL file', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'g.txt'), iconv.encode('编号|城市\n1|北京\n', 'GBK'));
    const g = await readAll(task({ fileName: 'g.txt', fileType: 'txt', fieldDelimiter: '|', fileContentCharset: 'GBK', skipHeader: true }), dir);
    expect(records(g)).toEqual([{ 编号: '1', 城市: '北京' }]);
    writeFileSync(join(dir, 'e.jsonl'), '{"a":1}\n{"a":2}\n');
    expect(records(await readAll(task({ fileName: 'e.jsonl', fileType: 'jsonl' }), dir))).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('fails to open on a missing file, and reads nothing for a glob that matches nothing', async () => {
    const dir = freshDir();
    await expect(readAll(task({ fileName: 'missing.csv' }), dir)).rejects.toThrow('file not found: missing.csv');
    expect(await readAll(task({ fileName: '*.csv' }), dir)).toEqual([]);
    await expect(readAll(task({}), dir)).rejects.toThrow(/file_name/);
  });

  it('stops before reading anything when a file is bigger than max_file_size, naming the file and sizes', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'a.csv'), 'x\n');
    writeFileSync(join(dir, 'b.csv'), 'y'.repeat(1024 * 1024 + 10));
    const reader = fileConnector.reader!(context(task({ fileName: '*.csv', maxFileSizeMb: 1 }), dir));
    await reader.open();
    const it = reader.batches()[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toThrow('file b.csv is 1.00 MB, more than max_file_size 1 MB');
    await reader.close();
  });

  it('reads every file whole, also when resumed: a stored checkpoint is the last successful run\'s end, not this run\'s', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'a.csv'), '1\n2\n');
    writeFileSync(join(dir, 'b.csv'), '3\n4\n5\n');
    const t = task({ fileName: '*.csv' });
    const checkpoint = { file: 'b.csv', line: 1 };
    expect(records(await readAll(t, dir, { checkpoint, resumed: true })).map((r) => r.c0)).toEqual(['1', '2', '3', '4', '5']);
    expect(records(await readAll(t, dir, { checkpoint, resumed: false })).map((r) => r.c0)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('refuses pass-through reading', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'a.csv'), '1\n');
    await expect(readAll(task({ fileName: 'a.csv', isParse: false }), dir)).rejects.toThrow(/isParse/);
  });
});

describe('file connector: writer', () => {
  it('writes to a hidden part file and publishes it only on finish', async () => {
    const dir = freshDir();
    const t = task({}, { path: 'out', fileName: 'people.csv', addHeader: true });
    const w = fileConnector.writer!(context(t, dir));
    await w.open();
    expect((await w.write([{ id: 1, name: 'Ann' }, { id: 2, name: 'Bo, Jr.' }])).rejected).toEqual([]);
    await w.flush();
    expect(readdirSync(join(dir, 'out'))).toEqual(['.people.csv.filetest01.part']);
    await w.finish!();
    await w.close();
    expect(readdirSync(join(dir, 'out'))).toEqual(['people.csv']);
    expect(readFileSync(join(dir, 'out', 'people.csv'), 'utf8')).toBe('id,name\n1,Ann\n2,"Bo, Jr."\n');
  });

  it('removes the part file when closed without finish (a failed run leaves no file)', async () => {
    const dir = freshDir();
    const w = fileConnector.writer!(context(task({}, { fileName: 'x.csv' }), dir));
    await w.open();
    await w.write([{ a: 1 }]);
    await w.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names the file from the prefix and the dispatch time, with the file type extension', async () => {
    const dir = freshDir();
    const dispatchTime = new Date(2024, 4, 6, 7, 8, 9).getTime();
    const w = fileConnector.writer!(context(task({}, { fileNamePrefix: 'orders_', remarkDateFormat: 'yyyyMMdd_HHmm', fileType: 'jsonl' }), dir, { dispatchTime }));
    await w.open();
    await w.write([{ a: 1 }]);
    await w.finish!();
    await w.close();
    expect(readdirSync(dir)).toEqual(['orders_20240506_0708.jsonl']);
    await expect(fileConnector.writer!(context(task({}, {}), dir)).open()).rejects.toThrow(/file_name_prefix/);
  });

  it('appends without a second header, refuses an existing file in nonConflict mode, and rejects unknown modes', async () => {
    const dir = freshDir();
    const write = async (target: Partial<TargetSpec>, rows: Row[]) => {
      const w = fileConnector.writer!(context(task({}, { fileName: 'a.csv', addHeader: true, ...target }), dir));
      try {
        await w.open();
        await w.write(rows);
        await w.finish!();
      } finally {
        await w.close();
      }
    };
    await write({}, [{ id: 1 }]);
    await write({ writeMode: 'append' }, [{ id: 2 }]);
    expect(readFileSync(join(dir, 'a.csv'), 'utf8')).toBe('id\n1\n2\n');
    await write({}, [{ id: 3 }]);
    expect(readFileSync(join(dir, 'a.csv'), 'utf8')).toBe('id\n3\n');
    await expect(write({ writeMode: 'nonConflict' }, [{ id: 4 }])).rejects.toThrow(/already exists/);
    expect(readFileSync(join(dir, 'a.csv'), 'utf8')).toBe('id\n3\n');
    await expect(write({ writeMode: 'sideways' }, [])).rejects.toThrow(/write_mode/);
    expect(readdirSync(dir)).toEqual(['a.csv']);
  });

  it('takes a path ending in a file name as the file (the shape of an error_handler path) and appends to it', async () => {
    const dir = freshDir();
    for (const id of [1, 2]) {
      const w = fileConnector.writer!(context(task({}, { path: 'dirty/orders.jsonl', fileType: 'jsonl', writeMode: 'append', metaData: [{ index: 0, name: 'id' }] }), dir));
      await w.open();
      await w.write([{ id }]);
      await w.flush();
      await w.finish!();
      await w.close();
    }
    expect(readFileSync(join(dir, 'dirty', 'orders.jsonl'), 'utf8')).toBe('{"id":1}\n{"id":2}\n');
    expect(readdirSync(join(dir, 'dirty'))).toEqual(['orders.jsonl']);
  });

  it('writes the header even when no row came', async () => {
    const dir = freshDir();
    const w = fileConnector.writer!(context(task({}, { fileName: 'e.csv', addHeader: true, metaData: [{ index: 0, name: 'id' }, { index: 1, name: 'name' }] }), dir));
    await w.open();
    await w.finish!();
    await w.close();
    expect(readFileSync(join(dir, 'e.csv'), 'utf8')).toBe('id,name\n');
  });

  it('is durable only after finish, and a resumed writer starts over what a dead execution left', async () => {
    const dir = freshDir();
    const t = task({}, { fileName: 'r.csv', addHeader: true });
    const first = fileConnector.writer!(context(t, dir));
    expect(first.durableOnlyAfterFinish).toBe(true);
    await first.open();
    await first.write([{ id: 1 }]);
    await first.flush();
    await first.write([{ id: 2 }]); // the worker "dies" here (no close): its reader will read from the start again
    await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(join(dir, 'r.csv'))).toBe(false);
    const second = fileConnector.writer!(context(t, dir, { resumed: true }));
    await second.open();
    await second.write([{ id: 1 }, { id: 2 }, { id: 3 }]);
    await second.finish!();
    await second.close();
    expect(readFileSync(join(dir, 'r.csv'), 'utf8')).toBe('id\n1\n2\n3\n');
    expect(readdirSync(dir).filter((n) => n.endsWith('.part'))).toEqual([]);
  });
});

describe('file connector: catalog', () => {
  it('lists the files of base_path and the header columns of a CSV or the keys of a JSONL file', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'b.csv'), 'id,"full name",\n1,Ann,x\n');
    writeFileSync(join(dir, 'a.jsonl'), '{"k":1,"v":"x"}\n');
    writeFileSync(join(dir, '.part'), '');
    mkdirSync(join(dir, 'sub'));
    const source = ds(dir);
    expect(await fileConnector.listTables!(source)).toEqual(['a.jsonl', 'b.csv']);
    expect((await fileConnector.listColumns!(source, 'b.csv')).map((c) => c.field_name)).toEqual(['id', 'full name', 'c2']);
    expect((await fileConnector.listColumns!(source, 'a.jsonl')).map((c) => c.field_name)).toEqual(['k', 'v']);
    await expect(fileConnector.listColumns!(source, '../x')).rejects.toThrow(/outside/);
    await expect(fileConnector.test!(source)).resolves.toBeUndefined();
    await expect(fileConnector.test!(ds(join(dir, 'nope')))).rejects.toThrow(/does not exist/);
  });
});
