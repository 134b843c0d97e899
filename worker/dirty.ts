/**
 * Where dirty records go. A dirty record is never dropped: a sink that cannot keep one throws, and the engine
 * ends the run with an error rather than lose it.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Row, WriteResult, Writer } from '../connectors/sdk/index.ts';
import type { DirtyRecord, Store } from '../core/store.ts';

export type { DirtyRecord } from '../core/store.ts';

export interface DirtySink {
  write(records: DirtyRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** Keeps dirty records in memory (tests, and `fdi run` summaries). */
export class MemoryDirtySink implements DirtySink {
  readonly records: DirtyRecord[] = [];
  async write(records: DirtyRecord[]): Promise<void> {
    this.records.push(...records);
  }
  async close(): Promise<void> {}
}

/** Appends dirty records to a JSON Lines file, one record a line, synced to disk before `write` resolves. */
export class JsonlFileDirtySink implements DirtySink {
  private handle: FileHandle | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  write(records: DirtyRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const next = this.queue.then(async () => {
      if (!this.handle) {
        await mkdir(dirname(this.path), { recursive: true });
        this.handle = await open(this.path, 'a');
      }
      const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
      await this.handle.appendFile(text, 'utf8');
      await this.handle.datasync();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    const h = this.handle;
    this.handle = null;
    await h?.close();
  }
}

/** Dirty records of served tasks, in the store (listed per run by the API). */
export class StoreDirtySink implements DirtySink {
  constructor(private readonly store: Pick<Store, 'addDirtyRecords'>) {}
  async write(records: DirtyRecord[]): Promise<void> {
    if (records.length > 0) await this.store.addDirtyRecords(records);
  }
  async close(): Promise<void> {}
}

/** The row a dirty record becomes in an `error_handler` table, topic or file. */
export function dirtyRecordRow(r: DirtyRecord): Row {
  return {
    run_id: r.run_id,
    task_id: r.task_id,
    stage: r.stage,
    column_name: r.column ?? null,
    reason: r.reason,
    record: JSON.stringify(r.record),
    time: new Date(r.time),
  };
}

/**
 * Writes dirty records through a connector's writer (the task's `error_handler` data source). A record the
 * writer refuses is an error. When `write` resolves, the records are at the destination, so the engine may
 * commit the reader's checkpoint past them:
 * - a writer whose rows are durable after `flush` (a table, a topic) is opened on the first record, kept for the
 *   run and flushed after every write; `close` calls `finish` whatever the run's outcome;
 * - a writer whose rows survive only through `finish` (a file: a part file until published) gets each batch of
 *   dirty records published on its own (open, write, flush, finish, close), or a killed worker would lose dirty
 *   records whose source offsets were already committed.
 */
export class ConnectorDirtySink implements DirtySink {
  /** The writer kept for the run (durable after flush); null before the first record or when publishing per batch. */
  private kept: Writer | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly newWriter: () => Writer,
    private readonly describe: string,
  ) {}

  write(records: DirtyRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const next = this.queue.then(() => this.writeNow(records));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async writeNow(records: DirtyRecord[]): Promise<void> {
    if (this.kept) return this.writeBatch(this.kept, records);
    const writer = this.newWriter();
    if (!writer.durableOnlyAfterFinish) {
      await this.run(() => writer.open()).catch(async (err: unknown) => {
        await writer.close().catch(() => undefined);
        throw err;
      });
      this.kept = writer;
      return this.writeBatch(writer, records);
    }
    try {
      await this.run(() => writer.open());
      await this.writeBatch(writer, records);
      await this.run(async () => writer.finish?.());
    } finally {
      await writer.close();
    }
  }

  private async writeBatch(writer: Writer, records: DirtyRecord[]): Promise<void> {
    const result: WriteResult = await this.run(() => writer.write(records.map(dirtyRecordRow)));
    if (result.rejected.length > 0) {
      const first = result.rejected[0];
      throw new Error(`${this.describe} refused ${result.rejected.length} dirty record(s)${first ? `: ${first.reason}` : ''}`);
    }
    await this.run(() => writer.flush());
  }

  /** Runs one writer call; its error names the error_handler, so the user does not blame the run's own target. */
  private async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${this.describe}: ${message}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    await this.queue;
    const writer = this.kept;
    this.kept = null;
    if (!writer) return;
    try {
      await this.run(async () => writer.finish?.());
    } finally {
      await writer.close();
    }
  }
}
