import type { ColumnSpec, TaskSpec } from '../sdk/index.ts';
import { TaskConfigError } from '../sdk/index.ts';
import { findColumn, type TableMeta } from './catalog.ts';
import { qualified, type SqlDialect } from './dialect.ts';
import { checkIdentifier, tableLabel, type TableRef } from './identifiers.ts';
import { ddlType, parseSize, typeKind } from './type-mapping.ts';

/** One column the writer fills, with where its name came from (for error messages). */
export interface PlannedColumn {
  name: string;
  field: string;
  /** Where its type came from, for an unmappable type. */
  typeField: string;
  type?: string;
  length?: string;
  nullable?: boolean;
  key: boolean;
}

/**
 * The target columns a task writes: the mapping's target columns (mappingRequired), else the target's selected
 * columns; empty for a pass-through task without a column list (each row's own fields are written).
 */
export function plannedColumns(task: TaskSpec): PlannedColumn[] {
  const selected = new Map<string, ColumnSpec>(task.target.selectedColumns.map((c) => [c.name.toLowerCase(), c]));
  const out = new Map<string, PlannedColumn>();
  if (task.mapping.required && task.mapping.columns.length > 0) {
    task.mapping.columns.forEach((m, i) => {
      const field = `mappingTable[${i}].targetColumn`;
      const name = checkIdentifier(m.target, field);
      const sel = selected.get(name.toLowerCase());
      const type = m.targetType ?? sel?.type ?? m.sourceType;
      const length = m.targetLength ?? sel?.length ?? m.sourceLength;
      const nullable = m.targetNullable ?? sel?.nullable;
      const typeField = m.targetType !== undefined ? `mappingTable[${i}].targetColumnType` : `mappingTable[${i}].sourceColumnType`;
      const col: PlannedColumn = { name, field, typeField, key: m.targetUnique ?? sel?.unique ?? sel?.primary ?? false };
      if (type !== undefined) col.type = type;
      if (length !== undefined) col.length = length;
      if (nullable !== undefined) col.nullable = nullable;
      if (!out.has(name.toLowerCase())) out.set(name.toLowerCase(), col);
    });
    return [...out.values()];
  }
  return task.target.selectedColumns.map((c, i) => {
    const field = `targetSelectedColumnList[${i}].field_name`;
    const typeField = `targetSelectedColumnList[${i}].field_type`;
    const col: PlannedColumn = { name: checkIdentifier(c.name, field), field, typeField, key: c.unique ?? c.primary ?? false };
    if (c.type !== undefined) col.type = c.type;
    if (c.length !== undefined) col.length = c.length;
    if (c.nullable !== undefined) col.nullable = c.nullable;
    return col;
  });
}

/** `batchNumber` column of this many characters holds the run's batch id (the spec asks for a length > 14). */
export const BATCH_NUMBER_LENGTH = 15;

/** CREATE TABLE IF NOT EXISTS from the planned columns (targetNeedCreateTable). Keys become the primary key. */
export function createTableSql(dialect: SqlDialect, ref: TableRef, columns: readonly PlannedColumn[], batchNumber: string | undefined): string {
  if (columns.length === 0) {
    throw new TaskConfigError('targetNeedCreateTable', 'needs the target columns and their types (mappingTable or targetSelectedColumnList)');
  }
  const defs = columns.map((c) => {
    const kind = c.type ? typeKind(c.type) : undefined;
    if (!kind) {
      throw new TaskConfigError(c.typeField, `type "${c.type ?? ''}" of column ${c.name} cannot be mapped to a ${dialect.name} type`);
    }
    const notNull = c.key || c.nullable === false ? ' NOT NULL' : '';
    return `${dialect.quote(c.name)} ${ddlType(dialect.name, kind, parseSize(c.length, c.type))}${notNull}`;
  });
  if (batchNumber && !columns.some((c) => c.name.toLowerCase() === batchNumber.toLowerCase())) {
    defs.push(`${dialect.quote(batchNumber)} ${dialect.name === 'postgresql' ? 'varchar(64)' : 'VARCHAR(64)'}`);
  }
  const keys = columns.filter((c) => c.key).map((c) => dialect.quote(c.name));
  if (keys.length > 0) defs.push(`PRIMARY KEY (${keys.join(', ')})`);
  const suffix = dialect.name === 'mysql' ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4' : '';
  return `CREATE TABLE IF NOT EXISTS ${qualified(dialect, ref)} (${defs.join(', ')})${suffix}`;
}

/**
 * The upsert key: the table's unique key whose columns are the ones the task marks unique, else its primary key,
 * else its first unique key, as long as every column of it is written. Empty: plain INSERT (not idempotent).
 */
export function chooseKey(meta: TableMeta, written: readonly string[] | null, marked: readonly string[]): string[] {
  const candidates = [meta.primaryKey, ...meta.uniqueKeys].filter((k) => k.length > 0);
  const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
    a.length === b.length && a.every((x) => b.some((y) => y.toLowerCase() === x.toLowerCase()));
  if (marked.length > 0) {
    const match = candidates.find((k) => sameSet(k, marked));
    if (match) return match;
  }
  const coveredBy = (k: readonly string[]): boolean => written === null || k.every((c) => written.includes(c));
  return candidates.find(coveredBy) ?? [];
}

/** Resolve a planned column to the table's own spelling; unknown columns are an error naming their field. */
export function resolveColumn(meta: TableMeta, col: PlannedColumn): string {
  const found = findColumn(meta, col.name);
  if (!found) throw new TaskConfigError(col.field, `column ${col.name} does not exist in ${tableLabel(meta.ref)}`);
  return found.name;
}
