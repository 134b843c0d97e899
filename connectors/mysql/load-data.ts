import type { SqlParam } from '../sql/where.ts';

const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPED = /[\\\t\n\r\0]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/**
 * Rows of parameters (as `mysqlParam` makes them) in LOAD DATA's default text format (tab-separated, `\N` for NULL,
 * backslash escapes), or null when a value has no text form the server reads exactly as the escaped INSERT literal
 * would be read (bytes, dates): the caller then uses INSERT for the batch.
 */
export function loadDataText(rows: readonly (readonly SqlParam[])[]): string | null {
  let out = '';
  for (const params of rows) {
    for (let i = 0; i < params.length; i++) {
      const field = loadDataField(params[i] ?? null);
      if (field === null) return null;
      if (i > 0) out += '\t';
      out += field;
    }
    out += '\n';
  }
  return out;
}

function loadDataField(v: SqlParam): string | null {
  if (v === null) return '\\N';
  if (typeof v === 'string') return NEEDS_ESCAPE.test(v) ? v.replace(ESCAPED, (c) => ESCAPES[c] as string) : v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  // The escaped INSERT writes true/false, which MySQL reads as 1/0 in every column type.
  if (typeof v === 'boolean') return v ? '1' : '0';
  return null;
}

/**
 * LOAD DATA LOCAL turns refusals into warnings (a value adjusted, a duplicate key skipped) instead of failing: a load
 * with any is rolled back by the writer and redone through INSERT, which refuses exactly the offending rows. This
 * error carries the numbers as a data error of the driver would (1062: a key already there; 1265: a value adjusted).
 */
export class LoadDataRefused extends Error {
  readonly errno: number;
  readonly code: string;
  readonly sqlMessage: string;
  constructor(rows: number, loaded: number, warnings: number) {
    const skipped = rows - loaded;
    const message = `LOAD DATA of ${rows} rows loaded ${loaded} with ${warnings} warnings`;
    super(message);
    this.name = 'LoadDataRefused';
    this.errno = skipped > 0 ? 1062 : 1265;
    this.code = skipped > 0 ? 'ER_DUP_ENTRY' : 'WARN_DATA_TRUNCATED';
    this.sqlMessage = message;
  }
}
