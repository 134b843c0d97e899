import type { DataError } from '../sql/session.ts';

/**
 * SQLSTATEs that refuse the rows of a statement rather than the target: class 22 (data exception: invalid text,
 * value too long, out of range, bad date/JSON), class 23 (integrity: not-null, unique on another key, foreign key,
 * check), 21000 (the same key twice in one upsert statement; alone, each row lands) and 54000 (a value too large
 * for an index). Everything else (08 connection, 42P01 table gone, 28 auth, 57P01 terminated …) is the target's.
 */
export function isDataSqlState(code: string): boolean {
  return code.startsWith('22') || code.startsWith('23') || code === '21000' || code === '54000';
}

const UNIQUE_VIOLATION = '23505';
/** ON CONFLICT DO UPDATE meeting the same key twice in one statement. */
const CARDINALITY_VIOLATION = '21000';

interface PgDriverError {
  code?: string;
  message?: string;
  detail?: string;
  column?: string;
  constraint?: string;
}

export function postgresDataError(err: unknown): DataError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as PgDriverError;
  if (typeof e.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code) || !isDataSqlState(e.code)) return undefined;
  const reason = `${e.code}: ${e.message ?? ''}${e.detail ? ` (${e.detail})` : ''}`;
  const column = e.column ?? /^Key \(([^,)]+)\)=/.exec(e.detail ?? '')?.[1];
  const keyConflict = e.code === UNIQUE_VIOLATION || e.code === CARDINALITY_VIOLATION;
  return { reason, ...(column === undefined ? {} : { column }), ...(keyConflict ? { keyConflict } : {}) };
}
