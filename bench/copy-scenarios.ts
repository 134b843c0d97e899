/**
 * The table-copy scenarios (MySQL → PostgreSQL, MySQL → MySQL, PostgreSQL → MySQL): fdi-worker's `fdi run` against
 * the tools a user would reach for, and the limit of the two databases (read everything and discard it; bulk-load
 * a prepared file). Every run is checked against the source's fingerprint.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import type { Contender } from './contender.ts';
import { copyTaskFile, writeTaskFile, type DbTable } from './fdi-task.ts';
import { fingerprintDiff, mysqlFingerprint, postgresFingerprint, precisionNote, type Fingerprint } from './fingerprint.ts';
import { runMeasured } from './measured-process.ts';
import { ORDERS_TABLE, PG_NO_AUTOVACUUM, mysqlCreateOrders, postgresCreateOrders } from './orders-table.ts';
import { MYSQL_SOURCE_DB, MYSQL_TARGET_DB, PG_PGLOADER_SCHEMA, PG_SCHEMA, PG_SOURCE_TABLE, type Dataset } from './prepare.ts';
import { mysqlClient, mysqldump, psqlClient, type BenchServices } from './services.ts';
import { ensureTool } from './system-tools.ts';

const FDI_BIN = resolve(import.meta.dirname, '../bin/fdi.mjs');

export const SCENARIO = {
  mysqlToPostgres: 'mysql → postgresql',
  mysqlToMysql: 'mysql → mysql',
  postgresToMysql: 'postgresql → mysql',
} as const;

export interface CopyContext {
  services: BenchServices;
  my: mysql.Connection;
  pgc: pg.Client;
  dataset: Dataset;
  workDir: string;
  /** task_detail `runtime` for fdi (empty: the engine's defaults). */
  fdiRuntime: Record<string, number>;
  log: (line: string) => void;
}

function expectSame(what: string, expected: Fingerprint, actual: Fingerprint): string | undefined {
  const diff = fingerprintDiff(expected, actual);
  if (diff.length > 0) throw new Error(`${what} differs from the source: ${diff.join('; ')}`);
  return precisionNote(expected, actual);
}

async function resetMysqlTable(ctx: CopyContext, table: string): Promise<void> {
  await ctx.my.query(`DROP TABLE IF EXISTS \`${MYSQL_TARGET_DB}\`.\`${table}\``);
  await ctx.my.query(mysqlCreateOrders(MYSQL_TARGET_DB, table));
}

async function resetPostgresTable(ctx: CopyContext, table: string): Promise<void> {
  await ctx.pgc.query(`DROP TABLE IF EXISTS "${PG_SCHEMA}"."${table}"`);
  await ctx.pgc.query(postgresCreateOrders(PG_SCHEMA, table));
}

interface FdiCopyInput {
  scenario: string;
  name: string;
  source: DbTable;
  target: DbTable;
  reset(): Promise<void>;
  fingerprint(): Promise<Fingerprint>;
}

/** The `runtime.parallelism` of the second fdi contender: the cores of the machine the results were taken on. */
const BENCH_PARALLELISM = 2;

/**
 * `fdi run` as a user runs it, with the engine's defaults (one pipeline) and with `runtime.parallelism` 2 (the
 * full load split by key range over two pipelines); only the first when `--fdi-runtime` sets the parallelism.
 */
function fdiCopies(ctx: CopyContext, input: FdiCopyInput): Contender[] {
  if ('parallelism' in ctx.fdiRuntime) return [fdiCopy(ctx, input, ctx.fdiRuntime, 'fdi run')];
  return [
    fdiCopy(ctx, input, ctx.fdiRuntime, 'fdi run'),
    fdiCopy(ctx, { ...input, name: `${input.name}-parallel` }, { ...ctx.fdiRuntime, parallelism: BENCH_PARALLELISM }, `fdi run, parallelism ${BENCH_PARALLELISM}`),
  ];
}

/** `fdi run` of a full-load task file, as a user runs it: a fresh node process, the log as JSON on stdout. */
function fdiCopy(ctx: CopyContext, input: FdiCopyInput, runtime: Record<string, number>, tool: string): Contender {
  const taskPath = join(ctx.workDir, `${input.name}.task.json`);
  const statePath = join(ctx.workDir, `${input.name}.state.json`);
  const dirtyPath = join(ctx.workDir, `${input.name}.dirty.jsonl`);
  return {
    scenario: input.scenario,
    tool,
    rows: ctx.dataset.rows,
    bytes: ctx.dataset.bytes,
    unavailable: async () => null,
    reset: async () => {
      writeTaskFile(taskPath, copyTaskFile({ name: input.name, source: input.source, target: input.target, runtime }));
      rmSync(statePath, { force: true });
      rmSync(dirtyPath, { force: true });
      await input.reset();
    },
    run: () =>
      runMeasured({
        stages: [{ cmd: process.execPath, args: [FDI_BIN, 'run', taskPath, '--json', '--quiet', '--state', statePath, '--dirty', dirtyPath] }],
        captureStdout: true,
      }),
    check: async (m) => {
      const log = JSON.parse(m.stdout) as { execute_status?: string; data_count?: number; dirty_data_count?: number; remarks?: string };
      if (log.execute_status !== 'SUCCESS') throw new Error(`${tool} ended ${log.execute_status}: ${log.remarks}`);
      if (log.data_count !== ctx.dataset.rows || log.dirty_data_count !== 0) {
        throw new Error(`${tool} wrote ${log.data_count} rows with ${log.dirty_data_count} dirty, expected ${ctx.dataset.rows} and 0`);
      }
      return expectSame(`${input.target.schema}.${input.target.table}`, ctx.dataset.fingerprint, await input.fingerprint());
    },
  };
}

function mysqlSource(ctx: CopyContext): DbTable {
  return { kind: 'MYSQL', endpoint: ctx.services.mysql, schema: MYSQL_SOURCE_DB, table: ORDERS_TABLE };
}

export function mysqlToPostgres(ctx: CopyContext): Contender[] {
  const { dataset } = ctx;
  const base = { scenario: SCENARIO.mysqlToPostgres, rows: dataset.rows, bytes: dataset.bytes };
  const pg = ctx.services.pg;
  const my = ctx.services.mysql;
  const pgloaderFile = join(ctx.workDir, 'mysql-to-postgresql.load');

  const fdi = fdiCopies(ctx, {
    scenario: SCENARIO.mysqlToPostgres,
    name: 'bench-mysql-to-postgresql',
    source: mysqlSource(ctx),
    target: { kind: 'POSTGRESQL', endpoint: pg, schema: PG_SCHEMA, table: 'orders_fdi' },
    reset: () => resetPostgresTable(ctx, 'orders_fdi'),
    fingerprint: () => postgresFingerprint(ctx.pgc, PG_SCHEMA, 'orders_fdi'),
  });

  // pgloader as its documentation shows it for a MySQL database: its defaults (create the table, load, then
  // build the indexes), only the one table, into a schema of its own. With its default `prefetch rows = 100000`
  // it dies at 1M rows of this table ("Heap exhausted, game over"); 10,000 is the remedy its users report
  // (dimitri/pgloader#962).
  const pgloader: Contender = {
    ...base,
    tool: 'pgloader',
    unavailable: async () => ensureTool('pgloader', 'pgloader', ctx.log),
    reset: async () => {
      await ctx.pgc.query(`DROP SCHEMA IF EXISTS "${PG_PGLOADER_SCHEMA}" CASCADE`);
      writeFileSync(
        pgloaderFile,
        `LOAD DATABASE
  FROM mysql://${encodeURIComponent(my.user)}:${encodeURIComponent(my.password)}@${my.host}:${my.port}/${MYSQL_SOURCE_DB}
  INTO postgresql://${encodeURIComponent(pg.user)}${pg.password ? `:${encodeURIComponent(pg.password)}` : ''}@${pg.host}:${pg.port}/${pg.database}
  WITH prefetch rows = 10000
  INCLUDING ONLY TABLE NAMES MATCHING '${ORDERS_TABLE}'
  ALTER SCHEMA '${MYSQL_SOURCE_DB}' RENAME TO '${PG_PGLOADER_SCHEMA}';
`,
      );
    },
    run: () => runMeasured({ stages: [{ cmd: 'pgloader', args: ['--no-ssl-cert-verification', pgloaderFile] }] }),
    check: async () => {
      // pgloader creates its table: like the other targets, it gets no autovacuum during the runs after it.
      await ctx.pgc.query(`ALTER TABLE "${PG_PGLOADER_SCHEMA}"."${ORDERS_TABLE}" SET (${PG_NO_AUTOVACUUM})`);
      return expectSame(`${PG_PGLOADER_SCHEMA}.${ORDERS_TABLE}`, dataset.fingerprint, await postgresFingerprint(ctx.pgc, PG_PGLOADER_SCHEMA, ORDERS_TABLE));
    },
  };

  const selectLimit: Contender = {
    ...base,
    tool: 'limit: mysql SELECT → /dev/null',
    unavailable: async () => ensureTool('mysql', 'mariadb-client', ctx.log),
    reset: async () => {},
    // `wc -l` is the discard: it counts the rows so the check can fail, at a cost far below the client's.
    run: () =>
      runMeasured({
        stages: [mysqlClient(my, MYSQL_SOURCE_DB, ['--quick', '--batch', '--skip-column-names', '-e', `SELECT * FROM \`${ORDERS_TABLE}\``]), { cmd: 'wc', args: ['-l'] }],
        captureStdout: true,
      }),
    check: async (m) => {
      if (Number(m.stdout.trim()) !== dataset.rows) throw new Error(`SELECT streamed ${m.stdout.trim()} rows, expected ${dataset.rows}`);
      return undefined;
    },
  };

  const copyLimit: Contender = {
    ...base,
    tool: 'limit: psql COPY FROM file',
    unavailable: async () => ensureTool('psql', 'postgresql-client', ctx.log),
    reset: () => resetPostgresTable(ctx, 'orders_copy'),
    run: () => runMeasured({ stages: [psqlClient(pg, `COPY "${PG_SCHEMA}"."orders_copy" FROM STDIN`)], stdinFile: dataset.file }),
    check: async () => expectSame(`${PG_SCHEMA}.orders_copy`, dataset.fingerprint, await postgresFingerprint(ctx.pgc, PG_SCHEMA, 'orders_copy')),
  };

  return [...fdi, pgloader, selectLimit, copyLimit];
}

export function mysqlToMysql(ctx: CopyContext): Contender[] {
  const { dataset } = ctx;
  const my = ctx.services.mysql;
  const fdi = fdiCopies(ctx, {
    scenario: SCENARIO.mysqlToMysql,
    name: 'bench-mysql-to-mysql',
    source: mysqlSource(ctx),
    target: { kind: 'MYSQL', endpoint: my, schema: MYSQL_TARGET_DB, table: 'orders_fdi' },
    reset: () => resetMysqlTable(ctx, 'orders_fdi'),
    fingerprint: () => mysqlFingerprint(ctx.my, MYSQL_TARGET_DB, 'orders_fdi'),
  });
  // mysqldump writes DROP TABLE + CREATE TABLE + multi-row INSERTs of `orders`; the client replays them.
  const dump: Contender = {
    scenario: SCENARIO.mysqlToMysql,
    tool: 'mysqldump | mysql',
    rows: dataset.rows,
    bytes: dataset.bytes,
    unavailable: async () => ensureTool('mysqldump', 'mariadb-client', ctx.log),
    reset: async () => {
      await ctx.my.query(`DROP TABLE IF EXISTS \`${MYSQL_TARGET_DB}\`.\`${ORDERS_TABLE}\``);
    },
    run: () =>
      runMeasured({
        stages: [mysqldump(my, MYSQL_SOURCE_DB, [ORDERS_TABLE], ['--single-transaction', '--quick']), mysqlClient(my, MYSQL_TARGET_DB, [])],
      }),
    check: async () => expectSame(`${MYSQL_TARGET_DB}.${ORDERS_TABLE}`, dataset.fingerprint, await mysqlFingerprint(ctx.my, MYSQL_TARGET_DB, ORDERS_TABLE)),
  };
  return [...fdi, dump];
}

export function postgresToMysql(ctx: CopyContext): Contender[] {
  const { dataset } = ctx;
  const my = ctx.services.mysql;
  const fdi = fdiCopies(ctx, {
    scenario: SCENARIO.postgresToMysql,
    name: 'bench-postgresql-to-mysql',
    source: { kind: 'POSTGRESQL', endpoint: ctx.services.pg, schema: PG_SCHEMA, table: PG_SOURCE_TABLE },
    target: { kind: 'MYSQL', endpoint: my, schema: MYSQL_TARGET_DB, table: 'orders_fdi_pg' },
    reset: () => resetMysqlTable(ctx, 'orders_fdi_pg'),
    fingerprint: () => mysqlFingerprint(ctx.my, MYSQL_TARGET_DB, 'orders_fdi_pg'),
  });
  const pipe: Contender = {
    scenario: SCENARIO.postgresToMysql,
    tool: 'psql COPY TO | mysql LOAD DATA',
    rows: dataset.rows,
    bytes: dataset.bytes,
    unavailable: async () => ensureTool('psql', 'postgresql-client', ctx.log) ?? ensureTool('mysql', 'mariadb-client', ctx.log),
    reset: () => resetMysqlTable(ctx, 'orders_load'),
    run: () =>
      runMeasured({
        stages: [
          psqlClient(ctx.services.pg, `COPY "${PG_SCHEMA}"."${PG_SOURCE_TABLE}" TO STDOUT`),
          mysqlClient(my, MYSQL_TARGET_DB, ['--local-infile=1', '-e', `LOAD DATA LOCAL INFILE '/dev/stdin' INTO TABLE \`orders_load\` CHARACTER SET utf8mb4`]),
        ],
      }),
    check: async () => expectSame(`${MYSQL_TARGET_DB}.orders_load`, dataset.fingerprint, await mysqlFingerprint(ctx.my, MYSQL_TARGET_DB, 'orders_load')),
  };
  return [...fdi, pipe];
}
