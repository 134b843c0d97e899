/**
 * The MySQL and PostgreSQL connectors on their own (no engine), against the real test services, with the same
 * cases for both: test() and its driver message, listTables/listColumns in the FDI shape, all 12 where operators,
 * custom SQL with ${{begin}}/${{end}} bound as parameters, a reader resumed from a mid-window checkpoint inside a
 * group of rows sharing one timestamp, and a writer that rejects exactly the bad rows of a large batch.
 */
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlConnector } from '../../connectors/mysql/index.ts';
import { postgresqlConnector } from '../../connectors/postgresql/index.ts';
import type { Checkpoint, ConnectorDefinition, DataSourceRecord, Reader, Row, TaskSpec, WhereCondition } from '../../connectors/sdk/index.ts';
import { createSqlScratch, dropSqlScratch, mysqlDatasource, pgDatasource, uniqueName } from './sql-helpers.ts';
import { taskSpec } from '../support/task-spec.ts';

const db = uniqueName('conn');
let my: mysql.Connection;
let pgc: pg.Client;
const log = { debug() {}, info() {}, warn() {}, error() {} };

interface Side {
  name: string;
  connector: ConnectorDefinition<unknown>;
  ds: () => DataSourceRecord;
  exec: (sql: string) => Promise<void>;
  q: (id: string) => string;
  types: { id: string; ts: string; text: string };
}

const sides: Side[] = [
  {
    name: 'mysql',
    connector: mysqlConnector as ConnectorDefinition<unknown>,
    ds: () => mysqlDatasource(db),
    exec: async (sql) => {
      await my.query(sql);
    },
    q: (id) => `\`${id}\``,
    types: { id: 'INT', ts: 'DATETIME(6)', text: 'VARCHAR(20)' },
  },
  {
    name: 'postgresql',
    connector: postgresqlConnector as ConnectorDefinition<unknown>,
    ds: () => pgDatasource(),
    exec: async (sql) => {
      await pgc.query(sql);
    },
    q: (id) => `"${id}"`,
    types: { id: 'integer', ts: 'timestamp(6)', text: 'varchar(20)' },
  },
];

beforeAll(async () => {
  ({ my, pgc } = await createSqlScratch(db));
});

afterAll(() => dropSqlScratch(db, { my, pgc }));

function task(source: Partial<TaskSpec['source']>, target: Partial<TaskSpec['target']> = {}, batchSize = 1000): TaskSpec {
  return taskSpec({ taskId: 'sqlc-task', taskName: 'sqlc-task', sourceDatasourceId: 's', targetDatasourceId: 't', source, target, runtime: { batchSize } });
}

function context(side: Side, spec: TaskSpec) {
  const record = side.ds();
  return {
    task: spec,
    datasource: { record, options: side.connector.parseOptions(record.content) },
    signal: new AbortController().signal,
    log,
    runId: 'sqlc-run',
    dispatchTime: Date.now(),
    resumed: false,
  };
}

async function readAll(side: Side, spec: TaskSpec, checkpoint: Checkpoint | null = null): Promise<{ batches: { rows: Row[]; checkpoint?: Checkpoint }[]; reader: Reader }> {
  const reader = side.connector.reader?.({ ...context(side, spec), checkpoint });
  if (!reader) throw new Error('no reader');
  await reader.open();
  const batches: { rows: Row[]; checkpoint?: Checkpoint }[] = [];
  for await (const b of reader.batches()) batches.push(b.checkpoint === undefined ? { rows: b.records } : { rows: b.records, checkpoint: b.checkpoint });
  return { batches, reader };
}

describe.each(sides)('$name connector', (side) => {
  const table = (name: string): string => `${db}.${side.name}_${name}`;
  const qt = (name: string): string => `${side.q(db)}.${side.q(`${side.name}_${name}`)}`;

  it('test() connects, and a wrong password fails with the driver message', async () => {
    const record = side.ds();
    await expect(side.connector.test?.({ record, options: side.connector.parseOptions(record.content) })).resolves.toBeUndefined();
    const bad = side.name === 'mysql' ? { ...record.content, password: 'not-the-password' } : { ...record.content, user_name: 'sqlc_nobody' };
    await expect(side.connector.test?.({ record, options: side.connector.parseOptions(bad) })).rejects.toThrow(
      side.name === 'mysql' ? /Access denied for user/ : /role "sqlc_nobody" does not exist|password authentication failed/,
    );
  });

  it('lists tables and columns in the FDI shape', async () => {
    await side.exec(`CREATE TABLE ${qt('cols')} (id ${side.types.id} NOT NULL, code ${side.types.text} NOT NULL, amount DECIMAL(10,2), note ${side.types.text}, PRIMARY KEY (id), UNIQUE (code))`);
    const record = side.ds();
    const ds = { record, options: side.connector.parseOptions(record.content) };
    expect(await side.connector.listTables?.(ds)).toContain(table('cols'));
    const cols = await side.connector.listColumns?.(ds, table('cols'));
    expect(cols?.map((c) => [c.field_name, c.null_able, c.unique, c.primary])).toEqual([
      ['id', '0', '1', '1'],
      ['code', '0', '1', '0'],
      ['amount', '1', '0', '0'],
      ['note', '1', '0', '0'],
    ]);
    expect(cols?.[2]).toMatchObject({ field_type: side.name === 'mysql' ? 'decimal' : 'numeric', field_length: '10', decimal_digits: '2' });
    expect(cols?.[1]?.field_length).toBe('20');
  });

  describe('where operators', () => {
    beforeAll(async () => {
      await side.exec(`CREATE TABLE ${qt('w')} (id ${side.types.id} PRIMARY KEY, n ${side.types.id}, s ${side.types.text})`);
      await side.exec(`INSERT INTO ${qt('w')} VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, NULL), (4, NULL, 'd'), (5, 50, 'it''s')`);
    });
    const ids = async (where: WhereCondition[]): Promise<number[]> => {
      const { batches, reader } = await readAll(side, task({ sourceTable: table('w'), where, orderColumn: 'id', orderType: 'ASC' }));
      await reader.close();
      return batches.flatMap((b) => b.rows.map((r) => Number(r.id)));
    };
    const w = (op: WhereCondition['op'], extra: Partial<WhereCondition> = {}): WhereCondition => ({ andOr: 'AND', field: 'n', op, ...extra });
    it.each([
      ['equal', [w('equal', { value: '20' })], [2]],
      ['notEqual', [w('notEqual', { value: '20' })], [1, 3, 5]],
      ['less', [w('less', { value: '30' })], [1, 2]],
      ['lessEqual', [w('lessEqual', { value: '30' })], [1, 2, 3]],
      ['more', [w('more', { value: '30' })], [5]],
      ['moreEqual', [w('moreEqual', { value: '30' })], [3, 5]],
      ['isNull', [w('isNull')], [4]],
      ['notNull', [w('notNull', { field: 's' })], [1, 2, 4, 5]],
      ['between', [w('between', { minValue: '15', maxValue: '30' })], [2, 3]],
      ['notBetween', [w('notBetween', { minValue: '15', maxValue: '30' })], [1, 5]],
      ['inList', [w('inList', { field: 's', value: "a, it's ,x" })], [1, 5]],
      ['notInList', [w('notInList', { value: '10,50' })], [2, 3]],
      ['AND then OR', [w('more', { value: '10' }), w('less', { value: '30' }), { andOr: 'OR', field: 's', op: 'equal', value: 'd' } as WhereCondition], [2, 4]],
    ] as [string, WhereCondition[], number[]][])('%s', async (_label, where, expected) => {
      expect(await ids(where)).toEqual(expected);
    });
    it('a hostile where field is an error naming it', async () => {
      await expect(ids([w('equal', { field: 'n = 1 OR 1', value: '1' })])).rejects.toThrow(/where\[0\]\.field_name/);
    });
  });

  it('custom SQL: ${{begin}}/${{end}} are bound parameters (quoted or bare), a ? in the text is just text', async () => {
    await side.exec(`CREATE TABLE ${qt('c')} (id ${side.types.id} PRIMARY KEY, ts ${side.types.ts} NOT NULL, s ${side.types.text})`);
    await side.exec(`INSERT INTO ${qt('c')} VALUES (1, '2024-01-01 00:00:00', 'why?'), (2, '2024-06-01 00:00:00', 'why?'), (3, '2999-01-01 00:00:00', 'future')`);
    const sql = `SELECT id, s, 'what?' AS lit FROM ${qt('c')} WHERE ts > '\${{begin}}' AND ts <= \${{end}} ORDER BY id`;
    const spec = task({ isAddSql: true, querySql: sql, incremental: { dateColumn: '', dataTimestamp: Date.UTC(2024, 2, 1), timeZone: 'GMT+08:00', compensationMs: 0, resetBeginTime: false } });
    const { batches, reader } = await readAll(side, spec);
    expect(batches.flatMap((b) => b.rows)).toEqual([{ id: 2, s: 'why?', lit: 'what?' }]);
    expect(await reader.count?.()).toBe(1);
    const final = reader.finalCheckpoint?.() as { watermark: string; key: null };
    expect(final.key).toBeNull();
    expect(Date.parse(final.watermark)).toBeGreaterThan(Date.UTC(2024, 6, 1));
    await reader.close();

    const noTokens = task({ isAddSql: true, querySql: `SELECT id FROM ${qt('c')}`, incremental: { dateColumn: '', dataTimestamp: 0, timeZone: 'GMT+08:00', compensationMs: 0, resetBeginTime: false } });
    const r2 = side.connector.reader?.({ ...context(side, noTokens), checkpoint: null });
    await expect(r2?.open()).rejects.toMatchObject({ code: 'FDI.3071' });
    await r2?.close();
  });

  it('resumes exactly from a checkpoint taken inside a group of rows sharing one timestamp', async () => {
    await side.exec(`CREATE TABLE ${qt('tie')} (id ${side.types.id} PRIMARY KEY, ts ${side.types.ts} NOT NULL, s ${side.types.text})`);
    const values = Array.from({ length: 10 }, (_v, i) => `(${i + 1}, '2024-05-01 10:00:00.000007', 't${i + 1}')`);
    await side.exec(`INSERT INTO ${qt('tie')} VALUES ${values.join(', ')}, (11, '2024-05-01 10:00:00.000008', 'next')`);
    const spec = task({ sourceTable: table('tie'), incremental: { dateColumn: 'ts', dataTimestamp: Date.UTC(2024, 0, 1), timeZone: 'GMT+08:00', compensationMs: 0, resetBeginTime: false } }, {}, 4);

    const whole = await readAll(side, spec);
    await whole.reader.close();
    expect(whole.batches.map((b) => b.rows.length)).toEqual([4, 4, 3]);
    expect(whole.batches[0]?.checkpoint).toEqual({ watermark: '2024-05-01T10:00:00.000007+08:00', key: [4] });

    // A run that stopped after its first batch: the next one starts after (ts, id 4), inside the tie.
    const rest = await readAll(side, spec, whole.batches[0]?.checkpoint ?? null);
    const ids = rest.batches.flatMap((b) => b.rows.map((r) => Number(r.id)));
    expect(ids).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(await rest.reader.count?.()).toBe(7);
    await rest.reader.close();
  });

  it('without a primary or unique key an incremental table read is refused, naming sourceDateColumn', async () => {
    await side.exec(`CREATE TABLE ${qt('nokey')} (id ${side.types.id}, ts ${side.types.ts})`);
    const spec = task({ sourceTable: table('nokey'), incremental: { dateColumn: 'ts', dataTimestamp: 0, timeZone: 'GMT+08:00', compensationMs: 0, resetBeginTime: false } });
    const reader = side.connector.reader?.({ ...context(side, spec), checkpoint: null });
    await expect(reader?.open()).rejects.toThrow(/sourceDateColumn.*orderColumn/);
    await reader?.close();
  });

  it('a writer rejects exactly the bad rows of a large batch, with the column, and writes the rest', async () => {
    await side.exec(`CREATE TABLE ${qt('rej')} (id ${side.types.id} PRIMARY KEY, n ${side.types.id} NOT NULL, s ${side.types.text})`);
    const writer = side.connector.writer?.(context(side, task({}, { targetTable: table('rej') })));
    if (!writer) throw new Error('no writer');
    await writer.open();
    const rows: Row[] = Array.from({ length: 1000 }, (_v, i) => ({ id: i, n: i, s: `s${i}` }));
    rows[17] = { id: 17, n: null, s: 'null n' };
    rows[500] = { id: 500, n: 'not a number', s: 'bad n' };
    rows[999] = { id: 999, n: 1, s: 'x'.repeat(21) };
    const result = await writer.write(rows);
    expect(result.rejected.map((r) => [r.index, r.column])).toEqual([
      [17, 'n'],
      [500, side.name === 'mysql' ? 'n' : undefined],
      [999, side.name === 'mysql' ? 's' : undefined],
    ]);
    expect(result.rejected[0]?.reason).toMatch(side.name === 'mysql' ? /1048/ : /^23502/);
    expect(result.rejected[1]?.reason).toMatch(side.name === 'mysql' ? /1366/ : /^22P02/);
    expect(result.rejected[2]?.reason).toMatch(side.name === 'mysql' ? /1406/ : /^22001/);
    // Upsert: the same batch again changes nothing and doubles nothing.
    expect((await writer.write(rows)).rejected).toHaveLength(3);
    await writer.flush();
    await writer.close();
    const count = side.name === 'mysql'
      ? Number(((await my.query(`SELECT COUNT(*) AS n FROM ${qt('rej')}`))[0] as { n: string }[])[0]?.n)
      : (await pgc.query(`SELECT count(*)::int AS n FROM ${qt('rej')}`)).rows[0].n;
    expect(count).toBe(997);
  });
});
