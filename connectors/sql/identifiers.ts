import { TaskConfigError } from '../sdk/index.ts';

/**
 * What a table, schema or column name may be: letters of any script, digits, `_`, `$` and `-`, up to 64 characters
 * (MySQL's limit; PostgreSQL's is 63 bytes and the server reports longer names). No spaces, quotes, backticks,
 * dots, semicolons or `--`, so a hostile name is refused before it gets near SQL. Names are quoted anyway.
 */
const IDENTIFIER = /^[\p{L}\p{N}_$][\p{L}\p{M}\p{N}_$-]*$/u;
export const IDENTIFIER_MAX = 64;

export function checkIdentifier(name: string, field: string): string {
  if (name.length === 0) throw new TaskConfigError(field, 'is empty');
  if (name.length > IDENTIFIER_MAX) throw new TaskConfigError(field, `"${shown(name)}" is longer than ${IDENTIFIER_MAX} characters`);
  if (!IDENTIFIER.test(name) || name.includes('--')) {
    throw new TaskConfigError(
      field,
      `"${shown(name)}" is not a valid name (letters, digits, "_", "$" and "-" only; "schema.table" for a qualified table)`,
    );
  }
  return name;
}

/** A table as the database names it: `schema` is the MySQL database or the PostgreSQL schema. */
export interface TableRef {
  schema: string;
  table: string;
}

/**
 * `db.table` / `schema.table` / `table` (then `schema`, else the connection's default). Each part must pass
 * `checkIdentifier`; a third part is refused.
 */
export function parseTableName(text: string, field: string, schema: string | undefined, defaultSchema: string): TableRef {
  const parts = text.trim().split('.');
  if (parts.length > 2) throw new TaskConfigError(field, `"${shown(text)}" has more than two parts; use "schema.table"`);
  if (parts.length === 2) {
    return { schema: checkIdentifier(parts[0] ?? '', field), table: checkIdentifier(parts[1] ?? '', field) };
  }
  return { schema: checkIdentifier(schema ?? defaultSchema, field), table: checkIdentifier(parts[0] ?? '', field) };
}

export function tableLabel(ref: TableRef): string {
  return `${ref.schema}.${ref.table}`;
}

function shown(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
