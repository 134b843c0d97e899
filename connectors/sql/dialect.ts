import type { ColumnMeta } from './catalog.ts';
import type { TableRef } from './identifiers.ts';
import { typeKind } from './type-mapping.ts';

/** The parts of SQL that differ between MySQL and PostgreSQL. Identifiers passed here are already checked. */
export interface SqlDialect {
  readonly name: 'mysql' | 'postgresql';
  quote(identifier: string): string;
  /** Placeholder of the `n`-th (1-based) bound parameter. */
  placeholder(n: number): string;
  /** Renders a date/time column as `YYYY-MM-DD HH:MM:SS.ffffff` in the session's time zone. */
  localText(quotedColumn: string): string;
  /** A bound `YYYY-MM-DD HH:MM:SS.ffffff` parameter read as a timestamp in the session's time zone. */
  timestampParam(placeholder: string): string;
  /** A bound key value (sent as text from a checkpoint) compared exactly with `column`, never as a double. */
  keyParam(placeholder: string, column: ColumnMeta | undefined): string;
}

export function qualified(dialect: SqlDialect, ref: TableRef): string {
  return `${dialect.quote(ref.schema)}.${dialect.quote(ref.table)}`;
}

export const mysqlDialect: SqlDialect = {
  name: 'mysql',
  quote: (id) => `\`${id.replaceAll('`', '``')}\``,
  placeholder: () => '?',
  localText: (col) => `DATE_FORMAT(${col}, '%Y-%m-%d %H:%i:%s.%f')`,
  timestampParam: (p) => `CAST(${p} AS DATETIME(6))`,
  keyParam: (p, column) => {
    const kind = column ? typeKind(column.dataType) : undefined;
    if (kind === 'smallint' || kind === 'int' || kind === 'bigint') {
      return `CAST(${p} AS ${column?.columnType.includes('unsigned') ? 'UNSIGNED' : 'SIGNED'})`;
    }
    if (kind === 'decimal') return `CAST(${p} AS DECIMAL(65,30))`;
    return p;
  },
};

export const postgresDialect: SqlDialect = {
  name: 'postgresql',
  quote: (id) => `"${id.replaceAll('"', '""')}"`,
  placeholder: (n) => `$${n}`,
  localText: (col) => `to_char(${col}, 'YYYY-MM-DD HH24:MI:SS.US')`,
  timestampParam: (p) => `CAST(${p} AS timestamp)`,
  // PostgreSQL types an untyped parameter from the column it is compared with.
  keyParam: (p) => p,
};
