/**
 * The connector-backed dirty sink (`error_handler`): where a file handler puts its records, that a written batch
 * is at the destination when `write` resolves (also for writers durable only after `finish`), and that a failure
 * names the error_handler.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../../connectors/builtins.ts';
import type { ConnectorLogger, DataSourceRecord, Row, Writer, WriteResult } from '../../connectors/sdk/index.ts';
import type { DirtyRecord } from '../../core/store.ts';
import { ConnectorDirtySink } from '../../worker/dirty.ts';
import { connectorDirtySink, dirtyFileLocation } from '../../worker/error-handler.ts';
import { makeTask } from './engine-fixtures.ts';

const work = mkdtempSync(join(tmpdir(), 'ehdl-unit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const QUIET: ConnectorLogger = { debug() {}, info() {}, warn() {}, error() {} };

function dirty(id: number): DirtyRecord {
  return { run_id: 'run-1', task_id: 'task-engine-1', stage: 'mapping', column: 'qty', reason: `bad ${id}`, record: { id: String(id) }, time: 1_700_000_000_000 };
}

async function fileHandlerSink(base: string, path: string): Promise<ConnectorDirtySink> {
  const handler: DataSourceRecord = { datasource_id: 'handler', datasource_name: 'handler', datasource_type: 'FILE', content: { base_path: base } };
  const sink = await connectorDirtySink({
    task: makeTask({ errorHandler: { datasourceId: 'handler', path, stopTaskWhenFailure: false } }),
    registry: createDefaultRegistry(),
    resolveDatasource: async () => handler,
    runId: 'run-1',
    dispatchTime: Date.UTC(2024, 0, 1),
    signal: new AbortController().signal,
    log: QUIET,
  });
  if (!sink) throw new Error('no sink for a task with an error_handler');
  return sink;
}

const lines = (file: string): Record<string, unknown>[] =>
  readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('dirtyFileLocation', () => {
  it.each([
    ['dirty/orders.jsonl', { folder: 'dirty/', fileName: 'orders.jsonl' }],
    ['orders.csv', { folder: '', fileName: 'orders.csv' }],
    ['/a/b/c.log', { folder: '/a/b/', fileName: 'c.log' }],
    ['fdi-dirty/orders', { folder: 'fdi-dirty/orders', fileName: 'my_task.dirty.jsonl' }],
    ['dirty\\win', { folder: 'dirty/win', fileName: 'my_task.dirty.jsonl' }],
    ['/', { folder: '/', fileName: 'my_task.dirty.jsonl' }],
  ])('%s', (path, expected) => {
    expect(dirtyFileLocation('my_task', path)).toEqual(expected);
  });
});

describe('error_handler on a FILE data source', () => {
  it('each written batch is in the published file when write resolves (no part file waiting for close)', async () => {
    const base = join(work, 'published');
    const sink = await fileHandlerSink(base, 'dirty/orders.jsonl');
    const file = join(base, 'dirty', 'orders.jsonl');
    await sink.write([dirty(1), dirty(2)]);
    expect(lines(file).map((l) => l.reason)).toEqual(['bad 1', 'bad 2']);
    await sink.write([dirty(3)]);
    expect(lines(file).map((l) => l.reason)).toEqual(['bad 1', 'bad 2', 'bad 3']);
    expect(readdirSync(join(base, 'dirty'))).toEqual(['orders.jsonl']);
    await sink.close();
    expect(lines(file)).toHaveLength(3);
    expect(lines(file)[0]).toEqual({
      run_id: 'run-1',
      task_id: 'task-engine-1',
      stage: 'mapping',
      column_name: 'qty',
      reason: 'bad 1',
      record: '{"id":"1"}',
      time: new Date(1_700_000_000_000).toISOString(),
    });
  });

  it('a path without a file extension is a folder holding <task_name>.dirty.jsonl (the shape of the spec example)', async () => {
    const base = join(work, 'folder');
    const sink = await fileHandlerSink(base, 'fdi-dirty/orders');
    await sink.write([dirty(7)]);
    await sink.close();
    expect(lines(join(base, 'fdi-dirty', 'orders', 'engine_test.dirty.jsonl')).map((l) => l.reason)).toEqual(['bad 7']);
  });

  it('a sink that never received a record creates no file', async () => {
    const base = join(work, 'untouched');
    const sink = await fileHandlerSink(base, 'dirty/none.jsonl');
    await sink.close();
    expect(existsSync(join(base, 'dirty', 'none.jsonl'))).toBe(false);
  });
});

/** A writer that logs its calls; `durable` false = rows survive only through finish. */
function scriptedWriter(calls: string[], opts: { durableOnlyAfterFinish?: boolean; openError?: Error; reject?: boolean } = {}): Writer {
  const n = calls.filter((c) => c === 'new').length;
  calls.push('new');
  return {
    ...(opts.durableOnlyAfterFinish ? { durableOnlyAfterFinish: true } : {}),
    async open() {
      calls.push(`open#${n}`);
      if (opts.openError) throw opts.openError;
    },
    async write(records: Row[]): Promise<WriteResult> {
      calls.push(`write#${n}:${records.length}`);
      return { rejected: opts.reject ? [{ index: 0, reason: 'column "record" is too long' }] : [] };
    },
    async flush() {
      calls.push(`flush#${n}`);
    },
    async finish() {
      calls.push(`finish#${n}`);
    },
    async close() {
      calls.push(`close#${n}`);
    },
  };
}

describe('ConnectorDirtySink', () => {
  it('a writer durable after flush is opened once, flushed after each write, finished and closed at close', async () => {
    const calls: string[] = [];
    const sink = new ConnectorDirtySink(() => scriptedWriter(calls), 'error_handler memdst "t"');
    await sink.write([dirty(1), dirty(2)]);
    await sink.write([dirty(3)]);
    expect(calls).toEqual(['new', 'open#0', 'write#0:2', 'flush#0', 'write#0:1', 'flush#0']);
    await sink.close();
    expect(calls.slice(-2)).toEqual(['finish#0', 'close#0']);
  });

  it('a writer durable only after finish publishes each batch on its own', async () => {
    const calls: string[] = [];
    const sink = new ConnectorDirtySink(() => scriptedWriter(calls, { durableOnlyAfterFinish: true }), 'error_handler file "d"');
    await sink.write([dirty(1)]);
    await sink.write([dirty(2), dirty(3)]);
    expect(calls).toEqual([
      'new', 'open#0', 'write#0:1', 'flush#0', 'finish#0', 'close#0',
      'new', 'open#1', 'write#1:2', 'flush#1', 'finish#1', 'close#1',
    ]);
    await sink.close();
    expect(calls).toHaveLength(12);
  });

  it('a writer that cannot open: the error names the error_handler and keeps the cause; the writer is closed', async () => {
    const calls: string[] = [];
    const cause = new Error('password authentication failed for user "x"');
    const sink = new ConnectorDirtySink(() => scriptedWriter(calls, { openError: cause }), 'error_handler postgresql "s.dirty"');
    const err = await sink.write([dirty(1)]).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('error_handler postgresql "s.dirty": password authentication failed for user "x"');
    expect((err as Error).cause).toBe(cause);
    expect(calls).toEqual(['new', 'open#0', 'close#0']);
    await sink.close();
  });

  it('a refused dirty record is an error naming the error_handler and the reason', async () => {
    const calls: string[] = [];
    const sink = new ConnectorDirtySink(() => scriptedWriter(calls, { reject: true }), 'error_handler mysql "dirty"');
    await expect(sink.write([dirty(1)])).rejects.toThrow('error_handler mysql "dirty" refused 1 dirty record(s): column "record" is too long');
    await sink.close();
    expect(calls.at(-1)).toBe('close#0');
  });
});
