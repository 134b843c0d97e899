import type { DataError } from '../sql/session.ts';

/**
 * MySQL/MariaDB error numbers that refuse the rows of a statement (the data), not the target: the writer splits the
 * statement and rejects the rows that still fail. Everything else (connection, missing table, privileges, deadlock
 * after retries …) is a failure of the target.
 */
const DATA_ERRNOS: ReadonlySet<number> = new Set([
  1048, // ER_BAD_NULL_ERROR
  1062, // ER_DUP_ENTRY (another unique key than the upsert key)
  1263, // ER_WARN_NULL_TO_NOTNULL
  1264, // ER_WARN_DATA_OUT_OF_RANGE
  1265, // WARN_DATA_TRUNCATED
  1292, // ER_TRUNCATED_WRONG_VALUE
  1300, // ER_INVALID_CHARACTER_STRING
  1364, // ER_NO_DEFAULT_FOR_FIELD
  1366, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
  1367, // ER_ILLEGAL_VALUE_FOR_TYPE
  1406, // ER_DATA_TOO_LONG
  1411, // ER_WRONG_VALUE_FOR_TYPE
  1416, // ER_CANT_CREATE_GEOMETRY_OBJECT
  1451, // ER_ROW_IS_REFERENCED_2
  1452, // ER_NO_REFERENCED_ROW_2
  1690, // ER_DATA_OUT_OF_RANGE
  3140, // ER_INVALID_JSON_TEXT (MySQL)
  3819, // ER_CHECK_CONSTRAINT_VIOLATED (MySQL)
  4025, // ER_CONSTRAINT_FAILED (MariaDB: CHECK, including JSON_VALID)
]);

const ER_DUP_ENTRY = 1062;

interface MysqlDriverError {
  errno?: number;
  code?: string;
  sqlMessage?: string;
  message?: string;
}

export function mysqlDataError(err: unknown): DataError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as MysqlDriverError;
  if (typeof e.errno !== 'number' || !DATA_ERRNOS.has(e.errno)) return undefined;
  const message = e.sqlMessage ?? e.message ?? '';
  const column = columnOf(message);
  const reason = `${e.code ?? 'ER'} (${e.errno}): ${message}`;
  return { reason, ...(column === undefined ? {} : { column }), ...(e.errno === ER_DUP_ENTRY ? { keyConflict: true } : {}) };
}

/** The column a message names: `column 'n'` (MySQL) or ``column `db`.`t`.`n` `` (MariaDB), else a CHECK's name. */
function columnOf(message: string): string | undefined {
  const named = /column ((?:[`'][^`']+[`']\.?)+)/i.exec(message)?.[1];
  if (named) return /[`']([^`']+)[`']$/.exec(named)?.[1];
  return /CONSTRAINT [`']([^`']+)[`']/i.exec(message)?.[1];
}
