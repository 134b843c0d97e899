/**
 * The SQL writers connect while the reader opens (Writer.connect) and open on the first batch, against the real
 * databases: a run that reads nothing succeeds even when the target cannot be reached and leaves a reachable target
 * untouched (no clear); a run with rows and a target that cannot be reached is 912 with the driver's message.
 */
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, createSqlScratch, dropSqlScratch, harness, mysqlDatasource, pgDatasource, runTask, taskFile, uniqueName } from './sql-helpers.ts';

const db = uniqueName('wconn');
let my: mysql.Connection;
let pgc: pg.Client;

/** A loopback port nothing listens on: connections to it are refused at once. */
const CLOSED_PORT = '1';

beforeAll(async () => {
  ({ my, pgc } = await createSqlScratch(db));
  await my.query(`CREATE TABLE \`${db}\`.empty_src (id INT PRIMARY KEY, s VARCHAR(20) NULL)`);
  await my.query(`CREATE TABLE \`${db}\`.src (id INT PRIMARY KEY, s VARCHAR(20) NULL)`);
  await my.query(`INSERT INTO \`${db}\`.src VALUES (1, 'a'), (2, 'b')`);
  await my.query(`CREATE TABLE \`${db}\`.dst (id INT PRIMARY KEY, s VARCHAR(20) NULL)`);
  await pgc.query(`CREATE TABLE "${db}".dst (id integer PRIMARY KEY, s varchar(20))`);
});

afterAll(() => dropSqlScratch(db, { my, pgc }));

const targets = {
  postgresql: (overrides: Record<string, string> = {}) => pgDatasource(overrides),
  mysql: (overrides: Record<string, string> = {}) => ({ ...mysqlDatasource(db, overrides), datasource_id: 'ds-mysql-target' }),
};

function file(name: string, sourceTable: string, target: ReturnType<typeof pgDatasource>, clear = false) {
  return taskFile({
    name,
    source: mysqlDatasource(db),
    target,
    sourceDetail: { sourceTable: `${db}.${sourceTable}`, orderColumn: 'id' },
    targetDetail: { targetTable: `${db}.dst`, isSupportClearTab: clear },
    mapping: [
      { source: 'id', target: 'id' },
      { source: 's', target: 's' },
    ],
  });
}

describe.each(['postgresql', 'mysql'] as const)('%s writer connecting ahead', (kind) => {
  it('nothing read: SUCCESS (105) although the target refuses connections', async () => {
    const log = await runTask(harness(), file(`wconn-empty-${kind}`, 'empty_src', targets[kind]({ port: CLOSED_PORT })));
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(codes(log)).toEqual([900, 99, 100, 105]);
  });

  it('nothing read: a reachable target keeps its rows although the task clears it', async () => {
    if (kind === 'postgresql') await pgc.query(`INSERT INTO "${db}".dst VALUES (7, 'kept')`);
    else await my.query(`INSERT INTO \`${db}\`.dst VALUES (7, 'kept')`);
    const log = await runTask(harness(), file(`wconn-keep-${kind}`, 'empty_src', targets[kind](), true));
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(codes(log)).toEqual([900, 99, 100, 105]);
    const rows =
      kind === 'postgresql'
        ? (await pgc.query(`SELECT id, s FROM "${db}".dst`)).rows
        : ((await my.query(`SELECT id, s FROM \`${db}\`.dst`))[0] as unknown[]);
    expect(rows).toEqual([{ id: 7, s: 'kept' }]);
  });

  it('rows read and the target refuses connections: 912 with the driver message, nothing written', async () => {
    const log = await runTask(harness(), file(`wconn-refused-${kind}`, 'src', targets[kind]({ port: CLOSED_PORT })));
    expect(log.execute_status).toBe('ERROR');
    expect(log.status).toBe(912);
    expect(log.detail_logs.find((d) => d.status === 912)?.remarks).toMatch(/ECONNREFUSED/);
    expect(codes(log)).not.toContain(502);
  });
});
