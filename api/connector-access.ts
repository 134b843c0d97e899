import type { ConnectorRegistry } from '../connectors/registry/index.ts';
import { OptionsError, type ConnectorDataSource, type ConnectorDefinition } from '../connectors/sdk/index.ts';
import type { DataSourceRecord } from '../core/datasource.ts';
import { FdiError } from '../core/fdi-error.ts';
import type { TaskType } from '../core/task-spec.ts';
import { fromOptionsError } from './errors.ts';

export interface BoundConnector {
  def: ConnectorDefinition<unknown>;
  ds: ConnectorDataSource<unknown>;
}

/** The data source's connector with its parsed options: FDI.3443 (no connector) or FDI.3033 `content.<field>`. */
export function bindConnector(registry: ConnectorRegistry, record: DataSourceRecord): BoundConnector {
  const def = registry.forDatasource(record);
  try {
    return { def, ds: { record, options: def.parseOptions(record.content) } };
  } catch (e) {
    if (e instanceof OptionsError) throw fromOptionsError(e);
    if (e instanceof FdiError) throw e;
    throw FdiError.invalidField('content', e instanceof Error ? e.message : String(e));
  }
}

/** FDI.3059 (realtime) / FDI.3060 (timing) when the data source's connector cannot serve that end of the task. */
export function assertServes(registry: ConnectorRegistry, record: DataSourceRecord, end: 'source' | 'target', taskType: TaskType, field: string): void {
  const def = registry.forDatasource(record);
  const can = def.serves[end].includes(taskType) && (end === 'source' ? def.reader !== undefined : def.writer !== undefined);
  if (!can) {
    const code = taskType === 'REALTIME' ? 'FDI.3059' : 'FDI.3060';
    throw new FdiError(code, `[${field}] ${record.datasource_type} data source "${record.datasource_name}" cannot be the ${end} of a ${taskType} task.`, field);
  }
}

/** A driver's reason, short enough for an error body. */
export function reasonOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.length > 400 ? `${text.slice(0, 397)}...` : text;
}
