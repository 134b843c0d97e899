/**
 * Shared pieces of the MySQL/PostgreSQL integration tests: admin connections to the real test services, FDI data
 * source records pointing at them, a task-file builder and the engine harness. Every database object a test
 * creates is named `sqlc_…` and dropped afterwards.
 */
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { ConnectorLogger, DataSourceRecord, JsonValue, TaskSpec } from '../../connectors/sdk/index.ts';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import type { DirtyRecord } from '../../core/store.ts';
import { parseTaskFile } from '../../core/normalise/index.ts';
import { testServices } from '../support/services.ts';
import { codes, runTask, untilOrEnded, type Harness, type RunTaskOptions } from '../support/task-runs.ts';

export { codes, harness, runTask, untilOrEnded, type Harness } from '../support/task-runs.ts';

export const services = testServices();

export function uniqueName(label: string): string {
  return `sqlc_${label}_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
}

export function mysqlUrl(): URL {
  return new URL(services.mysqlUrl);
}

export function pgUrl(): URL {
  return new URL(services.pgUrl);
}

export async function mysqlAdmin(): Promise<mysql.Connection> {
  const u = mysqlUrl();
  return mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    timezone: 'Z',
    charset: 'UTF8MB4_UNICODE_CI',
  });
}

export async function pgAdmin(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: services.pgUrl });
  await client.connect();
  await client.query(`SET TIME ZONE 'UTC'`);
  return client;
}

/** Admin connections to both test servers. */
export interface SqlAdmins {
  my: mysql.Connection;
  pgc: pg.Client;
}

/** Admin connections, and a MySQL database (utf8mb4) and a PostgreSQL schema both named `name`: one test file's own. */
export async function createSqlScratch(name: string): Promise<SqlAdmins> {
  const my = await mysqlAdmin();
  const pgc = await pgAdmin();
  await my.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await pgc.query(`CREATE SCHEMA "${name}"`);
  return { my, pgc };
}

/** Drops what createSqlScratch(name) made and closes its connections. */
export async function dropSqlScratch(name: string, { my, pgc }: SqlAdmins): Promise<void> {
  await my.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await pgc.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  await my.end();
  await pgc.end();
}

/** An FDI MYSQL data source (default mode) for `database` on the test server. */
export function mysqlDatasource(database: string, overrides: Record<string, string> = {}): DataSourceRecord {
  const u = mysqlUrl();
  return {
    datasource_id: `ds-mysql-${database}`,
    datasource_name: `mysql ${database}`,
    datasource_type: 'MYSQL',
    content: {
      mode: 'default',
      host: u.hostname,
      port: u.port || '3306',
      database_name: database,
      user_name: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      ...overrides,
    },
  };
}

/** An FDI POSTGRESQL data source (default mode) on the test server's database. */
export function pgDatasource(overrides: Record<string, string> = {}): DataSourceRecord {
  const u = pgUrl();
  return {
    datasource_id: 'ds-pg',
    datasource_name: 'postgresql',
    datasource_type: 'POSTGRESQL',
    content: {
      mode: 'default',
      host: u.hostname,
      port: u.port || '5432',
      database_name: decodeURIComponent(u.pathname.slice(1)),
      user_name: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      ...overrides,
    },
  };
}

export interface TaskFileInput {
  name: string;
  source: DataSourceRecord;
  target: DataSourceRecord;
  sourceDetail: Record<string, unknown>;
  targetDetail: Record<string, unknown>;
  mapping?: { source: string; target: string; targetType?: string; unique?: boolean }[];
  runtime?: Record<string, unknown>;
}

/** An `fdi run` task file (spec-shaped task + task_detail). */
export function taskFile(input: TaskFileInput): Record<string, unknown> {
  const detail: Record<string, unknown> = {
    sourceSelectedDatasource: { isAddSql: false, where: [], whereOptions: [], need_inc_migration: false, ...input.sourceDetail },
    targetSelectedDatasource: { targetNeedCreateTable: false, isSupportClearTab: false, supportPartUpdate: false, ...input.targetDetail },
    mappingRequired: input.mapping !== undefined,
    mappingTable: (input.mapping ?? []).map((m) => ({
      sourceColumn: m.source,
      targetColumn: m.target,
      ...(m.targetType ? { targetColumnType: m.targetType } : {}),
      ...(m.unique ? { targetUnique: '1' } : {}),
    })),
    runtime: { batch_size: 50, text_batch_size: 50, progress_interval_ms: 100, ...input.runtime },
  };
  return {
    datasources: [input.source, input.target],
    task: {
      task_name: input.name,
      task_type: 'TIMING',
      source_datasource_id: input.source.datasource_id,
      target_datasource_id: input.target.datasource_id,
    },
    task_detail: detail,
  };
}

export function parseFile(file: Record<string, unknown>): { task: TaskSpec; datasources: DataSourceRecord[] } {
  return parseTaskFile(file);
}

/** True when `expected` appears in `actual` in order (other steps may come between). */
export function inOrder(actual: readonly number[], expected: readonly number[]): boolean {
  let i = 0;
  for (const code of actual) if (code === expected[i]) i++;
  return i === expected.length;
}

/** The step with `status` (the last one, for running counts). */
export function step(log: TaskMonitorLog, status: number) {
  const found = [...log.detail_logs].reverse().find((d) => d.status === status);
  if (!found) throw new Error(`no step ${status} in ${codes(log).join(',')}`);
  return found;
}

/** Resolves once the running log shows at least `n` records written; the run goes on. */
export function writtenAtLeast(n: number): { onProgress: (log: TaskMonitorLog) => void; reached: Promise<void> } {
  let resolve!: () => void;
  let done = false;
  const reached = new Promise<void>((r) => {
    resolve = r;
  });
  return {
    reached,
    onProgress: (log) => {
      const writing = log.detail_logs.filter((d) => d.status === 502 || d.status === 504);
      const written = Math.max(0, ...writing.map((d) => d.data_count));
      if (!done && written >= n) {
        done = true;
        resolve();
      }
    },
  };
}

/**
 * Runs a task until its log shows at least `n` records written, then aborts it with `reason` (STOP_REASON drains a
 * realtime run, 'terminate' cancels it); `whileRunning` acts on the source meanwhile (produces records). Fails at once
 * if the run ends first. The run's log.
 */
export async function runUntilWritten(
  h: Harness,
  file: unknown,
  n: number,
  reason: unknown,
  opts: { whileRunning?: () => Promise<void>; taskId?: RunTaskOptions['taskId'] } = {},
): Promise<TaskMonitorLog> {
  const controller = new AbortController();
  const progress = writtenAtLeast(n);
  const running = runTask(h, file, { signal: controller.signal, onProgress: progress.onProgress, ...(opts.taskId ? { taskId: opts.taskId } : {}) });
  try {
    await opts.whileRunning?.();
    await untilOrEnded(progress.reached, running);
  } finally {
    controller.abort(reason);
  }
  return running;
}

/** The dirty records' record and reason, in id order (the two paths may keep them in another order). */
export function kept(records: readonly DirtyRecord[]): [JsonValue, string][] {
  return records.map((d): [JsonValue, string] => [d.record, d.reason]).sort((a, b) => Number((a[0] as { id: string }).id) - Number((b[0] as { id: string }).id));
}

/** A logger that keeps what the engine says (which path the rows took: `AS_TEXT`, `AS_RECORDS`). */
export function capture(): { logger: ConnectorLogger; infos: string[] } {
  const infos: string[] = [];
  const keep = (msg: string): void => {
    infos.push(msg);
  };
  return { logger: { debug() {}, info: keep, warn: keep, error: keep }, infos };
}

export const AS_TEXT = 'rows go to the target as the source text';
export const AS_RECORDS = 'rows go to the target as records';

/**
 * Rows of two MySQL tables of `database` (joined on `id`) that differ in any of `names` (the `json` ones compared as
 * documents), plus the rows only one of them has.
 */
export async function mysqlDifference(my: mysql.Connection, database: string, a: string, b: string, names: readonly string[], json: ReadonlySet<string>): Promise<number> {
  const same = names.map((n) => (json.has(n) ? `(x.\`${n}\` <=> y.\`${n}\` OR JSON_EQUALS(x.\`${n}\`, y.\`${n}\`))` : `x.\`${n}\` <=> y.\`${n}\``)).join(' AND ');
  const [rows] = await my.query(
    `SELECT (SELECT COUNT(*) FROM \`${database}\`.${a} x JOIN \`${database}\`.${b} y USING (id) WHERE NOT (${same})) AS changed,
            (SELECT COUNT(*) FROM \`${database}\`.${a}) AS na, (SELECT COUNT(*) FROM \`${database}\`.${b}) AS nb,
            (SELECT COUNT(*) FROM \`${database}\`.${a} x JOIN \`${database}\`.${b} y USING (id)) AS joined`,
  );
  const r = (rows as { changed: number; na: number; nb: number; joined: number }[])[0] as { changed: number; na: number; nb: number; joined: number };
  return Number(r.changed) + (Number(r.na) - Number(r.joined)) + (Number(r.nb) - Number(r.joined));
}

export async function mysqlCount(my: mysql.Connection, database: string, table: string): Promise<number> {
  const [rows] = await my.query(`SELECT COUNT(*) AS n FROM \`${database}\`.${table}`);
  return Number((rows as { n: number }[])[0]?.n);
}
