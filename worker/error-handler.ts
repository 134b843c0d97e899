/**
 * The `error_handler` destination: dirty records written through the connector of another data source, into
 * the table, topic or file that `error_handler.path` names.
 */
import { posix } from 'node:path';
import type { ConnectorLogger, DataSourceRecord, TaskSpec } from '../connectors/sdk/index.ts';
import type { ConnectorRegistry } from '../connectors/registry/index.ts';
import { FdiError } from '../core/fdi-error.ts';
import type { ColumnSpec, ErrorHandlerSpec } from '../core/task-spec.ts';
import { ConnectorDirtySink } from './dirty.ts';
import { resolveEndpoint } from './endpoints.ts';

/** The columns of a dirty-record table (see dirtyRecordRow). */
export const DIRTY_COLUMNS: readonly ColumnSpec[] = [
  { name: 'run_id', type: 'varchar', length: '64', nullable: false },
  { name: 'task_id', type: 'varchar', length: '64', nullable: false },
  { name: 'stage', type: 'varchar', length: '32', nullable: false },
  { name: 'column_name', type: 'varchar', length: '255', nullable: true },
  { name: 'reason', type: 'text', nullable: false },
  { name: 'record', type: 'text', nullable: false },
  { name: 'time', type: 'timestamp', nullable: false },
];

/**
 * For file-like handlers (FILE, SFTP): a `path` whose last segment has an extension names the file; any other
 * `path` is a folder (the spec's example `fdi-dirty/orders` is an OBS prefix), holding `<task_name>.dirty.jsonl`.
 */
export function dirtyFileLocation(taskName: string, path: string): { folder: string; fileName: string } {
  const normalised = path.replaceAll('\\', '/');
  const last = posix.basename(normalised);
  if (posix.extname(last) !== '') return { folder: normalised.slice(0, normalised.length - last.length), fileName: last };
  return { folder: normalised, fileName: `${taskName}.dirty.jsonl` };
}

/** The task the dirty-record writer is given: the run's task with the target replaced by the error_handler place. */
export function dirtyTaskSpec(task: TaskSpec, handler: ErrorHandlerSpec & { datasourceId: string; path: string }): TaskSpec {
  const file = dirtyFileLocation(task.taskName, handler.path);
  return {
    ...task,
    targetDatasourceId: handler.datasourceId,
    target: {
      targetNeedCreateTable: true,
      isSupportClearTab: false,
      selectedColumns: DIRTY_COLUMNS.map((c) => ({ ...c })),
      supportPartUpdate: false,
      targetTable: handler.path,
      topic: handler.path,
      path: file.folder,
      fileName: file.fileName,
      fileType: 'jsonl',
      writeMode: 'append',
      metaData: DIRTY_COLUMNS.map((c, index) => ({ index, name: c.name })),
      kafkaHeaders: [],
      extra: {},
    },
    mapping: { required: false, columns: [] },
  };
}

export async function connectorDirtySink(opts: {
  task: TaskSpec;
  registry: ConnectorRegistry;
  resolveDatasource: (id: string) => Promise<DataSourceRecord>;
  runId: string;
  dispatchTime: number;
  signal: AbortSignal;
  log: ConnectorLogger;
}): Promise<ConnectorDirtySink | undefined> {
  const handler = opts.task.errorHandler;
  if (!handler?.datasourceId) return undefined;
  if (!handler.path) throw FdiError.invalidField('error_handler.path', 'required with error_handler.datasource_id');
  const spec = dirtyTaskSpec(opts.task, { ...handler, datasourceId: handler.datasourceId, path: handler.path });
  const endpoint = await resolveEndpoint('target', handler.datasourceId, opts.task.taskType, opts.registry, opts.resolveDatasource);
  const make = endpoint.def.writer;
  if (!make) throw new FdiError('FDI.3104', `The "${endpoint.def.type}" connector cannot write dirty records.`, 'error_handler.datasource_id');
  const newWriter = () =>
    make({
      task: spec,
      datasource: endpoint.datasource,
      signal: opts.signal,
      log: opts.log,
      runId: opts.runId,
      dispatchTime: opts.dispatchTime,
      resumed: false,
    });
  return new ConnectorDirtySink(newWriter, `error_handler ${endpoint.def.type} "${handler.path}"`);
}
