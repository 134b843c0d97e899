import { coded } from './errors.ts';
import { SQL_MAX } from './limits.ts';

export const BEGIN_PLACEHOLDER = '${{begin}}';
export const END_PLACEHOLDER = '${{end}}';

/**
 * A custom query (`isAddSql`): not empty (FDI.3073), at most 20000 characters (FDI.3051), and carrying both window
 * placeholders exactly when the task is incremental (FDI.3071 / FDI.3074).
 */
export function checkQuerySql(sql: string | undefined, field: string, incremental: boolean): string {
  if (sql === undefined || sql.trim() === '') throw coded('FDI.3073', field, 'isAddSql is true but the query is empty');
  if (sql.length > SQL_MAX) throw coded('FDI.3051', field, `has ${sql.length} characters`);
  const hasBegin = sql.includes(BEGIN_PLACEHOLDER);
  const hasEnd = sql.includes(END_PLACEHOLDER);
  if (incremental && !(hasBegin && hasEnd)) {
    const missing = [hasBegin ? '' : BEGIN_PLACEHOLDER, hasEnd ? '' : END_PLACEHOLDER].filter(Boolean).join(' and ');
    throw coded('FDI.3071', field, `need_inc_migration is true but the query lacks ${missing}`);
  }
  if (!incremental && (hasBegin || hasEnd)) {
    throw coded('FDI.3074', field, `need_inc_migration is false but the query contains ${hasBegin ? BEGIN_PLACEHOLDER : END_PLACEHOLDER}`);
  }
  return sql;
}
