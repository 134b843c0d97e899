/**
 * The statements the shared SQL writer sends for a batch, against a recording session: a bulk load that is atomic
 * on its own goes without a transaction (one round trip); a refused one is not tried twice; a load that is not
 * atomic (MySQL's LOAD DATA LOCAL) stays inside the transaction and its savepoint; a batch prepared ahead is
 * encoded once.
 */
import { describe, expect, it } from 'vitest';
import type { Row, WriterContext } from '../../connectors/sdk/index.ts';
import type { ColumnMeta, TableMeta } from '../../connectors/sql/catalog.ts';
import { mysqlDialect, postgresDialect } from '../../connectors/sql/dialect.ts';
import type { TableRef } from '../../connectors/sql/identifiers.ts';
import type { DataError, SqlTargetSession } from '../../connectors/sql/session.ts';
import type { SqlParam } from '../../connectors/sql/where.ts';
import { SqlWriter } from '../../connectors/sql/writer.ts';
import { taskSpec } from '../support/task-spec.ts';

const column = (name: string, dataType: string): ColumnMeta => ({
  name,
  dataType,
  columnType: dataType,
  length: dataType === 'text' ? 100 : null,
  precision: null,
  scale: null,
  nullable: name !== 'id',
  json: false,
});

const TABLE: TableMeta = { ref: { schema: 'public', table: 'dst' }, columns: [column('id', 'bigint'), column('s', 'text')], primaryKey: ['id'], uniqueKeys: [] };

class Refused extends Error {
  constructor(readonly data: DataError) {
    super(data.reason);
  }
}

/** Records every statement; `load` decides what each copyRows call does. */
class RecordingSession implements SqlTargetSession {
  readonly dialect;
  readonly defaultSchema = 'public';
  readonly maxParams = 1000;
  readonly statements: string[] = [];
  /** Rows refused by the INSERT path (by id). */
  refusedIds = new Set<string>();
  /** Calls of bulkText. */
  encoded = 0;

  constructor(
    readonly copyRowsAtomic: boolean,
    private readonly load: (text: string) => void,
  ) {
    this.dialect = copyRowsAtomic ? postgresDialect : mysqlDialect;
  }

  async describe(): Promise<TableMeta> {
    return TABLE;
  }

  async exec(sql: string, params?: readonly SqlParam[]): Promise<void> {
    const verb = sql.split(' ')[0] ?? sql;
    if (verb === 'INSERT') {
      this.statements.push(`INSERT ${(params ?? []).length / 2}`);
      const refused = (params ?? []).filter((_p, i) => i % 2 === 0).find((id) => this.refusedIds.has(String(id)));
      if (refused !== undefined) throw new Refused({ reason: `row ${String(refused)} refused`, column: 's' });
      return;
    }
    this.statements.push(sql);
  }

  async query(): Promise<Record<string, unknown>[]> {
    return [];
  }

  dataError(err: unknown): DataError | undefined {
    return err instanceof Refused ? err.data : undefined;
  }

  insertSql(_table: TableRef, _columns: readonly string[], rows: number): string {
    return `INSERT ${rows}`;
  }

  toParam(value: unknown): SqlParam {
    return value === null || value === undefined ? null : String(value);
  }

  bulkText(_columns: readonly ColumnMeta[], rows: readonly (readonly SqlParam[])[]): string {
    this.encoded++;
    return rows.map((r) => r.join('\t')).join('\n');
  }

  async copyRows(_table: TableRef, _columns: readonly ColumnMeta[], text: string, rowCount: number): Promise<boolean> {
    this.statements.push(`COPY ${rowCount}`);
    this.load(text);
    return true;
  }

  async close(): Promise<void> {}
}

function writerOn(session: RecordingSession): SqlWriter {
  const task = taskSpec({
    target: { targetTable: 'dst' },
    mapping: {
      required: true,
      columns: [
        { source: 'id', target: 'id', constant: false },
        { source: 's', target: 's', constant: false },
      ],
    },
  });
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const ctx: WriterContext<unknown> = {
    task,
    datasource: { record: { datasource_id: 'dst' } as WriterContext<unknown>['datasource']['record'], options: {} },
    signal: new AbortController().signal,
    log,
    runId: 'run',
    dispatchTime: 0,
    resumed: false,
  };
  return new SqlWriter(ctx, async () => session);
}

const rows = (ids: number[]): Row[] => ids.map((id) => ({ id, s: `row ${id}` }));

describe('SqlWriter statements per batch', () => {
  it('an atomic bulk load of new rows is the batch\'s only statement: no BEGIN, SAVEPOINT or COMMIT', async () => {
    const session = new RecordingSession(true, () => undefined);
    const writer = writerOn(session);
    await writer.open();
    expect(await writer.write(rows([1, 2, 3]))).toEqual({ rejected: [] });
    expect(session.statements).toEqual(['COPY 3']);
  });

  it('a refused atomic load is redone by INSERT in a transaction, without a second COPY; only the refused row is rejected', async () => {
    const session = new RecordingSession(true, () => {
      throw new Refused({ reason: 'value too long' });
    });
    session.refusedIds.add('2');
    const writer = writerOn(session);
    await writer.open();
    const result = await writer.write(rows([1, 2, 3]));
    expect(result.rejected).toEqual([{ index: 1, reason: 'row 2 refused', column: 's' }]);
    expect(session.statements.filter((s) => s.startsWith('COPY'))).toEqual(['COPY 3']);
    expect(session.statements[0]).toBe('COPY 3');
    expect(session.statements[1]).toBe('BEGIN');
    expect(session.statements.at(-1)).toBe('COMMIT');
    // Halved down to the refused row: [1, 2, 3] → [1, 2] → [1], [2]; then [3].
    expect(session.statements.filter((s) => s.startsWith('INSERT'))).toEqual(['INSERT 3', 'INSERT 2', 'INSERT 1', 'INSERT 1', 'INSERT 1']);
  });

  it('after a key conflict the next batches upsert straight away', async () => {
    let calls = 0;
    const session = new RecordingSession(true, () => {
      calls++;
      throw new Refused({ reason: 'duplicate key', keyConflict: true });
    });
    const writer = writerOn(session);
    await writer.open();
    await writer.write(rows([1, 2]));
    session.statements.length = 0;
    await writer.write(rows([3, 4]));
    expect(calls).toBe(1);
    expect(session.statements).toEqual(['BEGIN', 'SAVEPOINT fdi_rows', 'INSERT 2', 'RELEASE SAVEPOINT fdi_rows', 'COMMIT']);
  });

  it('a load that is not atomic on its own (LOAD DATA LOCAL) runs inside the transaction, under a savepoint', async () => {
    const session = new RecordingSession(false, () => undefined);
    const writer = writerOn(session);
    await writer.open();
    await writer.write(rows([1, 2]));
    expect(session.statements).toEqual(['BEGIN', 'SAVEPOINT fdi_rows', 'COPY 2', 'RELEASE SAVEPOINT fdi_rows', 'COMMIT']);
  });

  it('prepare encodes a batch ahead without touching the target; its write uses that encoding', async () => {
    const session = new RecordingSession(true, () => undefined);
    const writer = writerOn(session);
    await writer.open();
    const batch = rows([1, 2, 3]);
    writer.prepare(batch);
    expect(session.statements).toEqual([]);
    expect(session.encoded).toBe(1);
    expect(await writer.write(batch)).toEqual({ rejected: [] });
    expect(session.encoded).toBe(1);
    expect(session.statements).toEqual(['COPY 3']);
    // Another array with the same rows was never prepared: encoded at its write.
    await writer.write(rows([1, 2, 3]));
    expect(session.encoded).toBe(2);
  });

  it('a batch prepared before a key conflict upserts after it, without its bulk text', async () => {
    let loads = 0;
    const session = new RecordingSession(true, () => {
      loads++;
      throw new Refused({ reason: 'duplicate key', keyConflict: true });
    });
    const writer = writerOn(session);
    await writer.open();
    const second = rows([3, 4]);
    const first = writer.write(rows([1, 2]));
    // As the engine does: the next batch is prepared while the first one's load is in flight.
    writer.prepare(second);
    await first;
    expect(session.encoded).toBe(2);
    session.statements.length = 0;
    expect(await writer.write(second)).toEqual({ rejected: [] });
    expect(loads).toBe(1);
    expect(session.statements).toEqual(['BEGIN', 'SAVEPOINT fdi_rows', 'INSERT 2', 'RELEASE SAVEPOINT fdi_rows', 'COMMIT']);
  });

  it('prepare before open, or of an empty batch, does nothing', async () => {
    const session = new RecordingSession(true, () => undefined);
    const writer = writerOn(session);
    writer.prepare(rows([1]));
    await writer.open();
    writer.prepare([]);
    expect(session.encoded).toBe(0);
    expect(session.statements).toEqual([]);
  });

  it('a failure of the target itself during an atomic load fails the write, and nothing else is sent', async () => {
    const session = new RecordingSession(true, () => {
      throw new Error('connection lost');
    });
    const writer = writerOn(session);
    await writer.open();
    await expect(writer.write(rows([1]))).rejects.toThrow('connection lost');
    expect(session.statements).toEqual(['COPY 1']);
  });
});
