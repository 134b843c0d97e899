/**
 * `fdi run` task files for the copy scenarios: a full load of the orders table from one database to another, with
 * every column mapped by name, in the shape a user writes (spec task + task_detail).
 */
import { writeFileSync } from 'node:fs';
import { ORDERS_COLUMN_NAMES } from './orders-table.ts';
import type { DbEndpoint } from './services.ts';

export type DbKind = 'MYSQL' | 'POSTGRESQL';

export interface DbTable {
  kind: DbKind;
  endpoint: DbEndpoint;
  /** MySQL: the database; PostgreSQL: the schema (the endpoint's database is the connection's). */
  schema: string;
  table: string;
}

function datasource(id: string, t: DbTable): Record<string, unknown> {
  const e = t.endpoint;
  return {
    datasource_id: id,
    datasource_name: `bench ${id}`,
    datasource_type: t.kind,
    content: {
      mode: 'default',
      host: e.host,
      port: String(e.port),
      database_name: t.kind === 'MYSQL' ? t.schema : e.database,
      user_name: e.user,
      password: e.password,
    },
  };
}

export interface CopyTaskInput {
  name: string;
  source: DbTable;
  target: DbTable;
  /** `runtime` of task_detail (batch_size …); empty = the engine's defaults. */
  runtime?: Record<string, number>;
}

export function copyTaskFile(input: CopyTaskInput): Record<string, unknown> {
  const { source, target } = input;
  return {
    datasources: [datasource('bench-source', source), datasource('bench-target', target)],
    task: {
      task_name: input.name,
      task_type: 'TIMING',
      source_datasource_id: 'bench-source',
      target_datasource_id: 'bench-target',
    },
    task_detail: {
      sourceSelectedDatasource: { sourceTable: `${source.schema}.${source.table}`, isAddSql: false, need_inc_migration: false },
      targetSelectedDatasource: { targetTable: `${target.schema}.${target.table}`, targetNeedCreateTable: false, isSupportClearTab: false },
      mappingRequired: true,
      mappingTable: ORDERS_COLUMN_NAMES.map((c) => ({ sourceColumn: c, targetColumn: c })),
      ...(input.runtime && Object.keys(input.runtime).length > 0 ? { runtime: input.runtime } : {}),
    },
  };
}

export function writeTaskFile(path: string, file: Record<string, unknown>): void {
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
}
