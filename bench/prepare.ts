/**
 * Prepares the fixed source data in the real databases: the data file, the MySQL source table (LOAD DATA) and the
 * PostgreSQL source table (COPY). A source already holding the same data set (rows and seed in its comment) is
 * kept, so `--keep` makes the next run skip the load.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import type pg from 'pg';
import { writeDataset } from './dataset.ts';
import { fingerprintDiff, mysqlFingerprint, postgresFingerprint, type Fingerprint } from './fingerprint.ts';
import { runMeasured } from './measured-process.ts';
import { ORDERS_TABLE, mysqlCreateOrders, postgresCreateOrders } from './orders-table.ts';
import { mysqlClient, psqlClient, type BenchServices } from './services.ts';

/** Every database object the benchmark creates is named after this prefix, and dropped by `dropAll`. */
export const BENCH_PREFIX = 'fdibench';
export const MYSQL_SOURCE_DB = `${BENCH_PREFIX}_src`;
export const MYSQL_TARGET_DB = `${BENCH_PREFIX}_dst`;
/**
 * PostgreSQL objects live in a database of their own: tests terminate the `fdi-worker` backends of the shared
 * database to simulate failures, which must not hit a benchmark running beside them.
 */
export const PG_DATABASE = BENCH_PREFIX;
export const PG_SCHEMA = BENCH_PREFIX;
export const PG_PGLOADER_SCHEMA = `${BENCH_PREFIX}_pgloader`;
export const PG_SOURCE_TABLE = 'orders_src';

export interface Dataset {
  file: string;
  rows: number;
  bytes: number;
  /** Of the MySQL source; every copy must match it. */
  fingerprint: Fingerprint;
}

export interface PrepareInput {
  services: BenchServices;
  my: mysql.Connection;
  pgc: pg.Client;
  workDir: string;
  rows: number;
  seed: number;
  log: (line: string) => void;
}

export async function prepareDataset(input: PrepareInput): Promise<Dataset> {
  const { my, pgc, rows, seed, log } = input;
  mkdirSync(input.workDir, { recursive: true });
  const file = join(input.workDir, `orders-${rows}-${seed}.tsv`);
  const marker = `fdi-bench rows=${rows} seed=${seed}`;
  if (!existsSync(file)) {
    log(`generating ${rows} rows (seed ${seed}) → ${file}`);
    await writeDataset(file, rows, seed);
  }
  const bytes = statSync(file).size;

  await my.query(`CREATE DATABASE IF NOT EXISTS \`${MYSQL_SOURCE_DB}\` CHARACTER SET utf8mb4`);
  await my.query(`CREATE DATABASE IF NOT EXISTS \`${MYSQL_TARGET_DB}\` CHARACTER SET utf8mb4`);
  await pgc.query(`CREATE SCHEMA IF NOT EXISTS "${PG_SCHEMA}"`);

  if ((await mysqlComment(my, MYSQL_SOURCE_DB, ORDERS_TABLE)) !== marker) {
    log(`loading MySQL ${MYSQL_SOURCE_DB}.${ORDERS_TABLE} (LOAD DATA)`);
    await my.query(`DROP TABLE IF EXISTS \`${MYSQL_SOURCE_DB}\`.\`${ORDERS_TABLE}\``);
    await my.query(mysqlCreateOrders(MYSQL_SOURCE_DB, ORDERS_TABLE));
    await runMeasured({
      stages: [
        mysqlClient(input.services.mysql, MYSQL_SOURCE_DB, [
          '--local-infile=1',
          '-e',
          `LOAD DATA LOCAL INFILE '${file}' INTO TABLE \`${ORDERS_TABLE}\` CHARACTER SET utf8mb4`,
        ]),
      ],
    });
    await my.query(`ANALYZE TABLE \`${MYSQL_SOURCE_DB}\`.\`${ORDERS_TABLE}\``);
    await my.query(`ALTER TABLE \`${MYSQL_SOURCE_DB}\`.\`${ORDERS_TABLE}\` COMMENT = ?`, [marker]);
  }
  const fingerprint = await mysqlFingerprint(my, MYSQL_SOURCE_DB, ORDERS_TABLE);
  if (fingerprint.rows !== String(rows)) throw new Error(`the MySQL source holds ${fingerprint.rows} rows, not ${rows}: LOAD DATA skipped lines`);

  if ((await postgresComment(pgc, PG_SCHEMA, PG_SOURCE_TABLE)) !== marker) {
    log(`loading PostgreSQL ${PG_SCHEMA}.${PG_SOURCE_TABLE} (COPY)`);
    await pgc.query(`DROP TABLE IF EXISTS "${PG_SCHEMA}"."${PG_SOURCE_TABLE}"`);
    await pgc.query(postgresCreateOrders(PG_SCHEMA, PG_SOURCE_TABLE));
    await runMeasured({ stages: [psqlClient(input.services.pg, `COPY "${PG_SCHEMA}"."${PG_SOURCE_TABLE}" FROM STDIN`)], stdinFile: file });
    // Frozen and all-visible now, so that no run's reads of it set hint bits or wake an autovacuum.
    await pgc.query(`VACUUM (FREEZE, ANALYZE) "${PG_SCHEMA}"."${PG_SOURCE_TABLE}"`);
    await pgc.query(`COMMENT ON TABLE "${PG_SCHEMA}"."${PG_SOURCE_TABLE}" IS '${marker}'`);
  }
  const diff = fingerprintDiff(fingerprint, await postgresFingerprint(pgc, PG_SCHEMA, PG_SOURCE_TABLE));
  if (diff.length > 0) throw new Error(`the PostgreSQL source differs from the MySQL source: ${diff.join('; ')}`);
  return { file, rows, bytes, fingerprint };
}

/** Creates the benchmark's PostgreSQL database through a connection to the configured one. */
export async function ensurePgDatabase(serverAdmin: pg.Client): Promise<void> {
  const { rowCount } = await serverAdmin.query('SELECT 1 FROM pg_database WHERE datname = $1', [PG_DATABASE]);
  if (!rowCount) await serverAdmin.query(`CREATE DATABASE "${PG_DATABASE}"`);
}

export async function dropAll(my: mysql.Connection, serverAdmin: pg.Client): Promise<void> {
  await my.query(`DROP DATABASE IF EXISTS \`${MYSQL_SOURCE_DB}\``);
  await my.query(`DROP DATABASE IF EXISTS \`${MYSQL_TARGET_DB}\``);
  await serverAdmin.query(`DROP DATABASE IF EXISTS "${PG_DATABASE}" WITH (FORCE)`);
}

async function mysqlComment(my: mysql.Connection, db: string, table: string): Promise<string | null> {
  const [rows] = await my.query<RowDataPacket[]>(
    'SELECT TABLE_COMMENT AS c FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [db, table],
  );
  return rows[0] ? String(rows[0].c) : null;
}

async function postgresComment(pgc: pg.Client, schema: string, table: string): Promise<string | null> {
  const { rows } = await pgc.query<{ c: string | null }>(
    `SELECT obj_description(c.oid, 'pg_class') AS c FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, table],
  );
  return rows[0]?.c ?? null;
}
