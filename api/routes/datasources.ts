import type { FastifyInstance } from 'fastify';
import { MASKED_SECRET, type DataSourceContent, type DataSourceRecord } from '../../core/datasource.ts';
import { FdiError } from '../../core/fdi-error.ts';
import { newId } from '../../core/normalise/ids.ts';
import { parseDataSourceBody, parseTaskBody } from '../../core/normalise/index.ts';
import { isSecretField } from '../../core/secret-box.ts';
import type { TaskRecord } from '../../core/store.ts';
import { connectorTypeOf } from '../../connectors/registry/index.ts';
import type { JsonValue } from '../../core/values.ts';
import { bindConnector, reasonOf } from '../connector-access.ts';
import type { ApiDeps } from '../deps.ts';
import { withDetail } from '../errors.ts';
import { pageOf } from '../paging.ts';
import {
  createDatasourceSchema,
  deleteDatasourceSchema,
  getDatasourceSchema,
  listColumnsSchema,
  listDatasourcesSchema,
  listTableColumnsSchema,
  listTablesSchema,
  testDatasourceSchema,
  testStoredDatasourceSchema,
  updateDatasourceSchema,
} from '../schemas/datasources.ts';
import { columnInfoRsp, datasourceRsp, pageEnvelope } from '../views.ts';
import type { InstanceParams, DatasourceParams } from './params.ts';

/** Data-source management (spec datasources.md §1, 4.1.1–4.1.8). */
export function datasourceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, registry } = deps;
  const now = deps.now ?? Date.now;
  const base = '/v2/:project_id/fdi/instances/:instance_id/datasources';
  // The 400 body of every data-source endpoint but the list (its table 4-21) has `detail` (errors-auth.md §2.1b).
  const withDetail400 = { resource: 'datasource', errorDetail: true } as const;

  /** Tasks that read, write, or send dirty records or notifications to this data source. */
  async function tasksUsing(p: InstanceParams, id: string): Promise<TaskRecord[]> {
    const tasks = await store.listTasks(p.project_id, p.instance_id);
    return tasks.filter((t) => {
      if (t.task.source_datasource_id === id || t.task.target_datasource_id === id) return true;
      try {
        const spec = parseTaskBody({ task: t.task, task_detail: t.task_detail }, { taskId: t.task_id });
        return spec.errorHandler?.datasourceId === id || spec.afterImplementation?.datasourceId === id;
      } catch {
        return false;
      }
    });
  }

  async function scoped(p: DatasourceParams): Promise<DataSourceRecord> {
    const ds = await store.getDatasource(p.project_id, p.instance_id, p.datasource_id);
    if (!ds) throw new FdiError('FDI.3101', `datasource_id "${p.datasource_id}" does not exist in this project and instance.`, 'datasource_id');
    return ds;
  }

  app.post<{ Params: InstanceParams; Body: unknown }>(base, { schema: createDatasourceSchema, config: withDetail400 }, async (req, reply) => {
    const record = parseDataSourceBody(req.body, newId());
    bindConnector(registry, record);
    const t = now();
    record.create_time = t;
    record.update_time = t;
    await store.putDatasource(req.params.project_id, req.params.instance_id, record);
    return reply.code(201).send(datasourceRsp(record, req.params.instance_id));
  });

  app.get<{
    Params: InstanceParams;
    Querystring: { limit?: number; offset?: number; datasource_type?: string; sort_type?: string; name?: string; app_id?: string };
  }>(base, { schema: listDatasourcesSchema, config: { resource: 'datasource' } }, async (req) => {
    const q = req.query;
    const type = q.datasource_type?.trim().toUpperCase();
    const all = (await store.listDatasources(req.params.project_id, req.params.instance_id)).filter(
      (ds) =>
        (!type || ds.datasource_type === type) &&
        (!q.name || ds.datasource_name.toLowerCase().includes(q.name.toLowerCase())) &&
        (!q.app_id || ds.app_id === q.app_id),
    );
    const asc = q.sort_type?.toUpperCase() === 'ASC';
    all.sort((a, b) => ((a.create_time ?? 0) - (b.create_time ?? 0)) * (asc ? 1 : -1) || a.datasource_id.localeCompare(b.datasource_id));
    const page = pageOf(all, q.offset, q.limit).map((ds) => datasourceRsp(ds, req.params.instance_id));
    return pageEnvelope(all.length, page);
  });

  app.get<{ Params: DatasourceParams }>(`${base}/:datasource_id`, { schema: getDatasourceSchema, config: withDetail400 }, async (req) =>
    datasourceRsp(await scoped(req.params), req.params.instance_id),
  );

  app.put<{ Params: DatasourceParams; Body: unknown }>(`${base}/:datasource_id`, { schema: updateDatasourceSchema, config: withDetail400 }, async (req) => {
    const existing = await scoped(req.params);
    const record = parseDataSourceBody(req.body, existing.datasource_id);
    record.content = keepMaskedSecrets(record.content, existing.content, 'content');
    bindConnector(registry, record);
    if (connectorTypeOf(record) !== connectorTypeOf(existing)) {
      const users = await tasksUsing(req.params, existing.datasource_id);
      if (users.length > 0) {
        throw FdiError.invalidField('datasource_type', `cannot change from ${existing.datasource_type} to ${record.datasource_type} while tasks use it (${names(users)})`);
      }
    }
    record.create_time = existing.create_time ?? now();
    record.update_time = now();
    await store.putDatasource(req.params.project_id, req.params.instance_id, record);
    return datasourceRsp(record, req.params.instance_id);
  });

  app.delete<{ Params: DatasourceParams }>(`${base}/:datasource_id`, { schema: deleteDatasourceSchema, config: { resource: 'datasource' } }, async (req, reply) => {
    const ds = await scoped(req.params);
    const users = await tasksUsing(req.params, ds.datasource_id);
    if (users.length > 0) {
      throw new FdiError('FDI.3121', `It is used by ${users.length} task(s): ${names(users)}. Delete or change them first.`, 'datasource_id');
    }
    await store.deleteDatasource(req.params.project_id, req.params.instance_id, ds.datasource_id);
    return reply.code(204).send();
  });

  app.get<{ Params: DatasourceParams; Querystring: { filter?: string } }>(`${base}/:datasource_id/tables`, { schema: listTablesSchema, config: withDetail400 }, async (req) => {
    const { def, ds } = bindConnector(registry, await scoped(req.params));
    if (!def.listTables) throw new FdiError('FDI.3104', `${ds.record.datasource_type} data sources cannot list tables.`, 'datasource_id');
    let tables: string[];
    try {
      tables = await def.listTables(ds);
    } catch (e) {
      throw withDetail(new FdiError('FDI.3126', reasonOf(e)), reasonOf(e));
    }
    const filter = req.query.filter?.toLowerCase();
    return { tables: filter ? tables.filter((t) => t.toLowerCase().includes(filter)) : tables };
  });

  async function columns(p: DatasourceParams, table: string): Promise<{ columns: unknown[] }> {
    const { def, ds } = bindConnector(registry, await scoped(p));
    if (!def.listColumns) throw new FdiError('FDI.3104', `${ds.record.datasource_type} data sources cannot list columns.`, 'datasource_id');
    try {
      return { columns: (await def.listColumns(ds, table)).map(columnInfoRsp) };
    } catch (e) {
      throw withDetail(new FdiError('FDI.3126', reasonOf(e)), reasonOf(e));
    }
  }

  app.get<{ Params: DatasourceParams; Querystring: { table_name: string } }>(`${base}/:datasource_id/columns`, { schema: listColumnsSchema, config: withDetail400 }, async (req) =>
    columns(req.params, req.query.table_name),
  );

  app.get<{ Params: DatasourceParams & { table: string } }>(`${base}/:datasource_id/tables/:table/columns`, { schema: listTableColumnsSchema, config: withDetail400 }, async (req) =>
    columns(req.params, req.params.table),
  );

  async function testConnectivity(record: DataSourceRecord): Promise<{ result: true }> {
    const { def, ds } = bindConnector(registry, record);
    if (!def.test) throw withDetail(new FdiError('FDI.3016', `${record.datasource_type} data sources have no connectivity test.`), 'No connectivity test.');
    try {
      await def.test(ds);
    } catch (e) {
      throw withDetail(new FdiError('FDI.3016', reasonOf(e)), reasonOf(e));
    }
    return { result: true };
  }

  app.post<{ Params: InstanceParams; Body: unknown }>(`${base}/test`, { schema: testDatasourceSchema, config: withDetail400 }, async (req) =>
    testConnectivity(parseDataSourceBody(req.body, 'connectivity-test')),
  );

  app.post<{ Params: DatasourceParams; Body: unknown }>(`${base}/:datasource_id/test-connect`, { schema: testStoredDatasourceSchema, config: withDetail400 }, async (req) => {
    const existing = await scoped(req.params);
    const record = parseDataSourceBody(req.body, existing.datasource_id);
    record.content = keepMaskedSecrets(record.content, existing.content, 'content', true);
    return testConnectivity(record);
  });
}

/**
 * A client that read a data source gets `******` for its secrets and may send that back unchanged: the
 * stored secret is kept. `fillMissing` (test-connect) also takes secrets the body leaves out.
 */
function keepMaskedSecrets(next: DataSourceContent, stored: DataSourceContent, path: string, fillMissing = false): DataSourceContent {
  const out: DataSourceContent = { ...next };
  for (const [key, value] of Object.entries(next)) {
    const field = `${path}.${key}`;
    if (isSecretField(key) && value === MASKED_SECRET) {
      const kept = stored[key];
      if (kept === undefined || kept === null) throw FdiError.invalidField(field, `is "${MASKED_SECRET}" but no secret is stored; send the secret itself`);
      out[key] = kept;
    } else if (isObject(value) && isObject(stored[key])) {
      out[key] = keepMaskedSecrets(value, stored[key] as DataSourceContent, field, fillMissing) as JsonValue;
    }
  }
  if (fillMissing) {
    for (const [key, value] of Object.entries(stored)) if (isSecretField(key) && out[key] === undefined) out[key] = value;
  }
  return out;
}

function names(tasks: readonly TaskRecord[]): string {
  const shown = tasks.slice(0, 5).map((t) => t.task.task_name).join(', ');
  return tasks.length > 5 ? `${shown}, …` : shown;
}

function isObject(v: unknown): v is { [key: string]: JsonValue } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
