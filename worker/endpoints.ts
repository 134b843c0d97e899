/**
 * Resolving a task's source and target before anything connects: the data source record, its connector, the
 * task type check (FDI.3059/3060) and the parsed options. Every problem here is an FdiError naming the field.
 */
import type { ConnectorDataSource, ConnectorDefinition, DataSourceRecord } from '../connectors/sdk/index.ts';
import { OptionsError } from '../connectors/sdk/index.ts';
import type { ConnectorRegistry } from '../connectors/registry/index.ts';
import { FdiError } from '../core/fdi-error.ts';
import type { TaskType } from '../core/task-spec.ts';

export interface Endpoint {
  def: ConnectorDefinition<unknown>;
  datasource: ConnectorDataSource<unknown>;
  stage: string;
}

export type Side = 'source' | 'target';

export function defaultStage(def: ConnectorDefinition<unknown>, side: Side): string {
  return side === 'source' ? (def.readerStage ?? `${def.type}reader`) : (def.writerStage ?? `${def.type}writer`);
}

export async function resolveEndpoint(
  side: Side,
  datasourceId: string,
  taskType: TaskType,
  registry: ConnectorRegistry,
  resolveDatasource: (id: string) => Promise<DataSourceRecord>,
): Promise<Endpoint> {
  const field = side === 'source' ? 'source_datasource_id' : 'target_datasource_id';
  if (!datasourceId) throw new FdiError('FDI.3173', `[${field}]`, field);
  const record = await resolveDatasource(datasourceId);
  const def = registry.forDatasource(record);
  if (!def.serves[side].includes(taskType)) {
    throw new FdiError(
      taskType === 'REALTIME' ? 'FDI.3059' : 'FDI.3060',
      `The "${def.type}" connector does not serve ${taskType} tasks as a ${side} (data source ${record.datasource_id}).`,
      field,
    );
  }
  if (side === 'source' ? !def.reader : !def.writer) {
    throw new FdiError('FDI.3104', `The "${def.type}" connector cannot ${side === 'source' ? 'read' : 'write'}.`, field);
  }
  let options: unknown;
  try {
    options = def.parseOptions(record.content);
  } catch (err) {
    if (err instanceof OptionsError) throw FdiError.invalidField(`content.${err.field}`, reasonOf(err));
    throw err;
  }
  return { def, datasource: { record, options }, stage: defaultStage(def, side) };
}

function reasonOf(err: OptionsError): string {
  return err.message.startsWith(`${err.field}: `) ? err.message.slice(err.field.length + 2) : err.message;
}
