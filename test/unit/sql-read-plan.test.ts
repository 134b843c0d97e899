/**
 * The SELECT the relational reader plans: columns, where, the incremental window with its (timestamp, key)
 * tie-break, the checkpoint it keeps at the end, and custom SQL with ${{begin}}/${{end}} as bound parameters.
 * The session is an in-memory catalog with a fixed clock; the SQL and parameters are checked as text.
 */
import { describe, expect, it } from 'vitest';
import type { Row, TaskSpec } from '../../connectors/sdk/index.ts';
import type { TableMeta } from '../../connectors/sql/catalog.ts';
import { mysqlDialect, postgresDialect, type SqlDialect } from '../../connectors/sql/dialect.ts';
import type { TableRef } from '../../connectors/sql/identifiers.ts';
import { planRead, splitHidden } from '../../connectors/sql/read-plan.ts';
import type { SqlSourceSession } from '../../connectors/sql/session.ts';
import { FdiError } from '../../core/fdi-error.ts';
import { zoneOf } from '../../core/normalise/time-zone.ts';
import { taskSpec } from '../support/task-spec.ts';

const zone = zoneOf('GMT+08:00');
const NOW = BigInt(Date.UTC(2024, 5, 1, 4)) * 1000n; // 2024-06-01 12:00:00 +08:00

function session(dialect: SqlDialect, meta: Partial<TableMeta> = {}): SqlSourceSession {
  const table: TableMeta = {
    ref: { schema: 'shop', table: 'orders' },
    columns: [
      { name: 'id', dataType: 'int', columnType: 'int', length: null, precision: 10, scale: 0, nullable: false, json: false },
      { name: 'ts', dataType: 'datetime', columnType: 'datetime(6)', length: null, precision: null, scale: null, nullable: false, json: false },
      { name: 'name', dataType: 'varchar', columnType: 'varchar(20)', length: 20, precision: null, scale: null, nullable: true, json: false },
      { name: 'doc', dataType: 'json', columnType: 'json', length: null, precision: null, scale: null, nullable: true, json: true },
    ],
    primaryKey: ['id'],
    uniqueKeys: [],
    ...meta,
  };
  return {
    dialect,
    defaultSchema: 'shop',
    describe: async (ref: TableRef) => (ref.table.toLowerCase() === 'orders' ? table : null),
    nowMicros: async () => NOW,
    pages: () => {
      throw new Error('not used');
    },
    count: async () => 0,
    close: async () => undefined,
  };
}

function task(source: Partial<TaskSpec['source']>): TaskSpec {
  return taskSpec({ taskId: 't', taskName: 't', sourceDatasourceId: 's', targetDatasourceId: 'd', source });
}

const incremental = (extra: Partial<NonNullable<TaskSpec['source']['incremental']>> = {}) => ({
  dateColumn: 'ts', dataTimestamp: Date.UTC(2024, 0, 1), timeZone: 'GMT+08:00', compensationMs: 60_000, resetBeginTime: false, ...extra,
});

describe('full reads', () => {
  it('selects the chosen columns with the where and the order', async () => {
    const plan = await planRead({
      task: task({ sourceTable: 'orders', selectedColumns: [{ name: 'ID' }, { name: 'doc' }], orderColumn: 'id', orderType: 'DESC', where: [{ andOr: 'AND', field: 'name', op: 'equal', value: 'x' }] }),
      session: session(mysqlDialect), checkpoint: null, zone,
    });
    expect(plan.sql).toBe('SELECT `id`, `doc` FROM `shop`.`orders` WHERE (`name` = ?) ORDER BY `id` DESC');
    expect(plan.params).toEqual(['x']);
    expect(plan.countSql).toBe('SELECT COUNT(*) AS n FROM `shop`.`orders` WHERE (`name` = ?)');
    expect([...plan.jsonColumns]).toEqual(['doc']);
    expect(plan.final).toBeUndefined();
  });
  it('names the field of an unknown table or column', async () => {
    await expect(planRead({ task: task({ sourceTable: 'shop.missing' }), session: session(mysqlDialect), checkpoint: null, zone })).rejects.toThrow(/^sourceTable: table shop\.missing does not exist/);
    await expect(planRead({ task: task({ sourceTable: 'orders', selectedColumns: [{ name: 'id' }, { name: 'nope' }] }), session: session(mysqlDialect), checkpoint: null, zone }))
      .rejects.toThrow(/^sourceSelectedColumnList\[1\]\.field_name: /);
    await expect(planRead({ task: task({ sourceTable: 'orders', orderColumn: 'nope' }), session: session(mysqlDialect), checkpoint: null, zone })).rejects.toThrow(/^orderColumn: /);
  });
});

describe('full reads split by key range (runtime.parallelism)', () => {
  const full = (source: Partial<TaskSpec['source']>): TaskSpec => task({ sourceTable: 'orders', ...source });
  it('offer the integer primary key and the query of its bounds, under the task’s own where', async () => {
    const plan = await planRead({ task: full({ where: [{ andOr: 'AND', field: 'name', op: 'equal', value: 'x' }] }), session: session(mysqlDialect), checkpoint: null, zone });
    expect(plan.split).toEqual({ column: 'id', boundsSql: 'SELECT MIN(`id`) AS lo, MAX(`id`) AS hi FROM `shop`.`orders` WHERE (`name` = ?)', boundsParams: ['x'] });
  });
  it('read one range with literal bounds ANDed after the where (an OR inside it stays inside)', async () => {
    const where = [
      { andOr: 'AND' as const, field: 'name', op: 'equal' as const, value: 'x' },
      { andOr: 'OR' as const, field: 'name', op: 'equal' as const, value: 'y' },
    ];
    const plan = await planRead({ task: full({ where, keyRange: { column: 'id', from: '100', to: '200' } }), session: session(postgresDialect), checkpoint: null, zone });
    const condition = 'WHERE ("name" = $1 OR "name" = $2) AND ("id" >= 100 AND "id" < 200)';
    expect(plan.sql).toBe(`SELECT "id", "ts", "name", "doc" FROM "shop"."orders" ${condition}`);
    expect(plan.countSql).toBe(`SELECT COUNT(*) AS n FROM "shop"."orders" ${condition}`);
    expect(plan.split).toBeUndefined();
    const open = await planRead({ task: full({ keyRange: { column: 'id', from: null, to: '-5' } }), session: session(mysqlDialect), checkpoint: null, zone });
    expect(open.sql).toBe('SELECT `id`, `ts`, `name`, `doc` FROM `shop`.`orders` WHERE (`id` < -5)');
  });
  it('refuse a bound that is not an integer, naming it', async () => {
    await expect(planRead({ task: full({ keyRange: { column: 'id', from: '1; DROP TABLE x', to: null } }), session: session(mysqlDialect), checkpoint: null, zone })).rejects.toThrow(
      /^keyRange\.from: must be an integer/,
    );
  });
  it('are not offered for an order, a composite or non-integer key, an incremental window or custom SQL', async () => {
    const split = async (source: Partial<TaskSpec['source']>, meta: Partial<TableMeta> = {}) =>
      (await planRead({ task: full(source), session: session(mysqlDialect, meta), checkpoint: null, zone })).split;
    expect(await split({})).toBeDefined();
    expect(await split({ orderColumn: 'id' })).toBeUndefined();
    expect(await split({}, { primaryKey: ['id', 'name'] })).toBeUndefined();
    expect(await split({}, { primaryKey: ['name'] })).toBeUndefined();
    expect(await split({}, { primaryKey: [] })).toBeUndefined();
    expect(await split({ incremental: incremental() })).toBeUndefined();
    expect(await split({ isAddSql: true, querySql: 'SELECT * FROM orders' })).toBeUndefined();
  });
});

describe('incremental table reads', () => {
  it('first run: from dataTimestamp (inclusive) to the database clock minus compensation, ordered by (ts, key)', async () => {
    const plan = await planRead({ task: task({ sourceTable: 'orders', incremental: incremental() }), session: session(postgresDialect), checkpoint: null, zone });
    expect(plan.sql).toBe(
      'SELECT "id", "ts", "name", "doc", to_char("ts", \'YYYY-MM-DD HH24:MI:SS.US\') AS "__fdi_wm", "id" AS "__fdi_k0" FROM "shop"."orders" ' +
        'WHERE "ts" >= CAST($1 AS timestamp) AND "ts" <= CAST($2 AS timestamp) ORDER BY "ts", "id"',
    );
    expect(plan.params).toEqual(['2024-01-01 08:00:00.000000', '2024-06-01 11:59:00.000000']);
    expect(plan.final).toEqual({ watermark: '2024-06-01T11:59:00.000000+08:00', key: null });
    expect(plan.countParams).toEqual(plan.params);
  });
  it('a checkpoint inside a tie continues after its key; composite keys compare lexicographically', async () => {
    const s = session(mysqlDialect, { primaryKey: ['id', 'name'] });
    const plan = await planRead({
      task: task({ sourceTable: 'orders', where: [{ andOr: 'AND', field: 'name', op: 'notNull' }], incremental: incremental() }),
      session: s, checkpoint: { watermark: '2024-05-01T10:00:00.000007+08:00', key: [4, 'b'] }, zone,
    });
    expect(plan.sql).toContain(
      'WHERE (`name` IS NOT NULL) AND (`ts` > CAST(? AS DATETIME(6)) OR (`ts` = CAST(? AS DATETIME(6)) AND (`id` > CAST(? AS SIGNED) OR (`id` = CAST(? AS SIGNED) AND `name` > ?)))) AND `ts` <= CAST(? AS DATETIME(6)) ORDER BY `ts`, `id`, `name`',
    );
    expect(plan.params).toEqual(['2024-05-01 10:00:00.000007', '2024-05-01 10:00:00.000007', 4, 4, 'b', '2024-06-01 11:59:00.000000']);
  });
  it('a watermark written in another zone is read as the same instant', async () => {
    const plan = await planRead({ task: task({ sourceTable: 'orders', incremental: incremental() }), session: session(mysqlDialect), checkpoint: { watermark: '2024-05-01T02:00:00.5Z', key: null }, zone });
    expect(plan.params[0]).toBe('2024-05-01 10:00:00.500000');
    expect(plan.sql).toContain('`ts` > CAST(? AS DATETIME(6)) AND');
  });
  it('reset_incr_begin_time ignores the stored checkpoint', async () => {
    const plan = await planRead({ task: task({ sourceTable: 'orders', incremental: incremental({ resetBeginTime: true }) }), session: session(mysqlDialect), checkpoint: { watermark: '2024-05-01T02:00:00Z', key: null }, zone });
    expect(plan.params[0]).toBe('2024-01-01 08:00:00.000000');
  });
  it('when the window end is not after its begin, nothing is read and the stored position is kept', async () => {
    const stored = { watermark: '2024-06-01T11:59:30.000000+08:00', key: [9] };
    const plan = await planRead({ task: task({ sourceTable: 'orders', incremental: incremental() }), session: session(mysqlDialect), checkpoint: stored, zone });
    expect(plan.final).toEqual(stored);
    expect(plan.params.at(-1)).toBe('2024-06-01 11:59:29.999999');
  });
  it('the tie-break key falls back to a NOT NULL unique key, the marked columns, orderColumn; else refuses', async () => {
    const noPk = { primaryKey: [], uniqueKeys: [['name'], ['id']] };
    const p1 = await planRead({ task: task({ sourceTable: 'orders', incremental: incremental() }), session: session(mysqlDialect, noPk), checkpoint: null, zone });
    expect(p1.tieBreak?.keyColumns).toEqual(['id']);
    const none = { primaryKey: [], uniqueKeys: [] };
    const p2 = await planRead({ task: task({ sourceTable: 'orders', selectedColumns: [{ name: 'name', unique: true }], incremental: incremental() }), session: session(mysqlDialect, none), checkpoint: null, zone });
    expect(p2.tieBreak?.keyColumns).toEqual(['name']);
    const p3 = await planRead({ task: task({ sourceTable: 'orders', orderColumn: 'id', incremental: incremental() }), session: session(mysqlDialect, none), checkpoint: null, zone });
    expect(p3.tieBreak?.keyColumns).toEqual(['id']);
    await expect(planRead({ task: task({ sourceTable: 'orders', incremental: incremental() }), session: session(mysqlDialect, none), checkpoint: null, zone })).rejects.toThrow(/^sourceDateColumn: .*orderColumn/);
  });
  it('refuses a date column that is not a date-time, and a damaged checkpoint', async () => {
    await expect(planRead({ task: task({ sourceTable: 'orders', incremental: incremental({ dateColumn: 'name' }) }), session: session(mysqlDialect), checkpoint: null, zone }))
      .rejects.toThrow(/^sourceDateColumn: column name is varchar/);
    await expect(planRead({ task: task({ sourceTable: 'orders', incremental: incremental() }), session: session(mysqlDialect), checkpoint: { watermark: 'soon', key: null }, zone }))
      .rejects.toThrow(/^checkpoint: .*reset_incr_begin_time/);
    await expect(planRead({ task: task({ sourceTable: 'orders', incremental: incremental() }), session: session(mysqlDialect), checkpoint: { watermark: '2024-05-01T00:00:00Z', key: [1, 2] }, zone }))
      .rejects.toThrow(/^checkpoint: the stored key has 2 columns/);
  });
  it('takes each row’s checkpoint from its hidden columns and removes them', () => {
    const row: Row = { id: 4, ts: new Date(0), __fdi_wm: '2024-05-01 10:00:00.000007', __fdi_k0: 4 };
    const split = splitHidden(row, 1, zone);
    expect(split.row).toEqual({ id: 4, ts: new Date(0) });
    expect(split.checkpoint).toEqual({ watermark: '2024-05-01T10:00:00.000007+08:00', key: [4] });
  });
});

describe('custom SQL', () => {
  it('binds ${{begin}} and ${{end}}, quoted or bare, in order of appearance', async () => {
    const sql = "SELECT * FROM t WHERE a > '${{begin}}' AND a <= ${{end}} OR b >= ${{begin}};";
    const plan = await planRead({ task: task({ isAddSql: true, querySql: sql, incremental: incremental({ dateColumn: '' }) }), session: session(postgresDialect), checkpoint: null, zone });
    expect(plan.sql).toBe('SELECT * FROM t WHERE a > $1 AND a <= $2 OR b >= $3');
    expect(plan.params).toEqual(['2024-01-01 08:00:00.000000', '2024-06-01 11:59:00.000000', '2024-01-01 08:00:00.000000']);
    expect(plan.countSql).toBe('SELECT COUNT(*) AS n FROM (SELECT * FROM t WHERE a > $1 AND a <= $2 OR b >= $3) fdi_q');
    expect(plan.final).toEqual({ watermark: '2024-06-01T11:59:00.000000+08:00', key: null });
    expect(plan.tieBreak).toBeUndefined();
  });
  it('FDI.3071 without the tokens when incremental, FDI.3074 with them when not, FDI.3073 when empty', async () => {
    const codeOf = async (source: Partial<TaskSpec['source']>): Promise<string | undefined> => {
      try {
        await planRead({ task: task({ isAddSql: true, ...source }), session: session(mysqlDialect), checkpoint: null, zone });
      } catch (e) {
        return e instanceof FdiError ? e.code : String(e);
      }
      return undefined;
    };
    expect(await codeOf({ querySql: 'SELECT 1 WHERE x > ${{begin}}', incremental: incremental() })).toBe('FDI.3071');
    expect(await codeOf({ querySql: 'SELECT 1 WHERE x > ${{begin}} AND x <= ${{end}}' })).toBe('FDI.3074');
    expect(await codeOf({ querySql: '  ; ' })).toBe('FDI.3073');
    expect(await codeOf({ querySql: 'SELECT 1' })).toBeUndefined();
  });
});
