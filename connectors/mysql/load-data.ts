import { ByteWriter, escapeTable } from '../sql/byte-writer.ts';
import type { SqlParam } from '../sql/where.ts';

const TAB = 0x09;
const NEWLINE = 0x0a;
/** The characters LOAD DATA's default format escapes: backslash, tab, newline, carriage return, NUL. */
export const LOAD_DATA_ESCAPES = escapeTable({ '\\': '\\', '\t': 't', '\n': 'n', '\r': 'r', '\0': '0' });

/**
 * Rows of parameters (as `mysqlParam` makes them) in LOAD DATA's default text format (tab-separated, `\N` for NULL,
 * backslash escapes) as UTF-8, or null when a value has no text form the server reads exactly as the escaped INSERT
 * literal would be read (bytes, dates): the caller then uses INSERT for the batch.
 */
export function loadDataBuffer(rows: readonly (readonly SqlParam[])[]): Buffer | null {
  const out = new ByteWriter(rows.length * (rows[0]?.length ?? 1) * 16, LOAD_DATA_ESCAPES);
  for (const params of rows) {
    for (let i = 0; i < params.length; i++) {
      if (i > 0) out.byte(TAB);
      if (!writeField(out, params[i] ?? null)) return null;
    }
    out.byte(NEWLINE);
  }
  return out.done();
}

/** `loadDataBuffer` as text (tests, logs). */
export function loadDataText(rows: readonly (readonly SqlParam[])[]): string | null {
  return loadDataBuffer(rows)?.toString('utf8') ?? null;
}

function writeField(out: ByteWriter, v: SqlParam): boolean {
  if (v === null) out.ascii('\\N');
  else if (typeof v === 'string') out.escaped(v);
  else if (typeof v === 'number' || typeof v === 'bigint') out.ascii(String(v));
  // The escaped INSERT writes true/false, which MySQL reads as 1/0 in every column type.
  else if (typeof v === 'boolean') out.byte(v ? 0x31 : 0x30);
  else return false;
  return true;
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
