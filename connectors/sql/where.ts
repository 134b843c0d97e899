import type { WhereCondition } from '../sdk/index.ts';
import { TaskConfigError } from '../sdk/index.ts';
import type { SqlDialect } from './dialect.ts';
import { checkIdentifier } from './identifiers.ts';

/** Parameters bound to a statement, in placeholder order. */
export type SqlParam = string | number | bigint | boolean | null | Date | Uint8Array;

/** Collects bound parameters and hands out their placeholders. */
export class ParamList {
  readonly values: SqlParam[] = [];
  constructor(readonly dialect: SqlDialect) {}
  add(value: SqlParam): string {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length);
  }
}

/**
 * The `where` list (spec 10-23) as one SQL condition, or undefined when empty. Conditions join in the order given
 * with their own `andor` (the first one's is ignored); SQL precedence applies (AND binds before OR), as it would
 * in the SQL the FDI console writes. Field names are checked and quoted; every value is a bound parameter and
 * is compared as the database converts it to the column's type.
 */
export function buildWhere(conditions: readonly WhereCondition[], dialect: SqlDialect, params: ParamList, field = 'where'): string | undefined {
  if (conditions.length === 0) return undefined;
  const parts: string[] = [];
  conditions.forEach((c, i) => {
    const at = `${field}[${i}]`;
    const col = dialect.quote(checkIdentifier(c.field, `${at}.field_name`));
    const sql = condition(c, col, at, params);
    parts.push(i === 0 ? sql : `${c.andOr === 'OR' ? 'OR' : 'AND'} ${sql}`);
  });
  return `(${parts.join(' ')})`;
}

function condition(c: WhereCondition, col: string, at: string, params: ParamList): string {
  switch (c.op) {
    case 'equal':
      return `${col} = ${params.add(need(c.value, `${at}.value`, c.op))}`;
    case 'notEqual':
      return `${col} <> ${params.add(need(c.value, `${at}.value`, c.op))}`;
    case 'less':
      return `${col} < ${params.add(need(c.value, `${at}.value`, c.op))}`;
    case 'lessEqual':
      return `${col} <= ${params.add(need(c.value, `${at}.value`, c.op))}`;
    case 'more':
      return `${col} > ${params.add(need(c.value, `${at}.value`, c.op))}`;
    case 'moreEqual':
      return `${col} >= ${params.add(need(c.value, `${at}.value`, c.op))}`;
    case 'isNull':
      return `${col} IS NULL`;
    case 'notNull':
      return `${col} IS NOT NULL`;
    case 'between':
    case 'notBetween': {
      const min = params.add(need(c.minValue, `${at}.minValue`, c.op));
      const max = params.add(need(c.maxValue, `${at}.maxValue`, c.op));
      return `${col} ${c.op === 'notBetween' ? 'NOT BETWEEN' : 'BETWEEN'} ${min} AND ${max}`;
    }
    case 'inList':
    case 'notInList': {
      const items = splitList(need(c.value, `${at}.value`, c.op));
      if (items.length === 0) throw new TaskConfigError(`${at}.value`, `is an empty list for op ${c.op}`);
      const list = items.map((v) => params.add(v)).join(', ');
      return `${col} ${c.op === 'notInList' ? 'NOT IN' : 'IN'} (${list})`;
    }
  }
}

function need(value: string | undefined, field: string, op: string): string {
  if (value === undefined) throw new TaskConfigError(field, `is required for op ${op}`);
  return value;
}

/** `inList` values: comma-separated, each trimmed; empty items dropped. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}
