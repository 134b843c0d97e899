/**
 * A cheap fingerprint of an orders table, computed the same way in MySQL and PostgreSQL, to check that a contender
 * copied every row and value class (a lost row, a NULL turned into text, a truncated name would all show).
 */
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import type pg from 'pg';

export interface Fingerprint {
  rows: string;
  idSum: string;
  totalSum: string;
  notes: string;
  attributes: string;
  nameChars: string;
  /** Latest `updated_at` (DATETIME(6)) to the millisecond: must match. */
  updatedMax: string;
  /** The same to the microsecond: a difference is reported, not failed (see `precisionNote`). */
  updatedMaxMicros: string;
}

const SELECT = (quote: (s: string) => string, table: string, updatedText: string): string =>
  `SELECT COUNT(*) AS rows_, SUM(${quote('id')}) AS id_sum, SUM(${quote('total_amount')}) AS total_sum,
          COUNT(${quote('note')}) AS notes, COUNT(${quote('attributes')}) AS attrs,
          SUM(CHAR_LENGTH(${quote('customer_name')})) AS name_chars, ${updatedText} AS updated_max
     FROM ${table}`;

/** `YYYY-MM-DD HH:MM:SS.ffffff` → the fingerprint's two `updated_at` fields. */
function updatedFields(text: string): Pick<Fingerprint, 'updatedMax' | 'updatedMaxMicros'> {
  return { updatedMax: text.slice(0, 23), updatedMaxMicros: text };
}

function fromRow(r: Record<string, unknown>): Fingerprint {
  const s = (v: unknown): string => (v === null || v === undefined ? 'null' : String(v));
  return {
    rows: s(r.rows_),
    idSum: s(r.id_sum),
    totalSum: s(r.total_sum),
    notes: s(r.notes),
    attributes: s(r.attrs),
    nameChars: s(r.name_chars),
    ...updatedFields(s(r.updated_max)),
  };
}

export async function mysqlFingerprint(conn: mysql.Connection, database: string, table: string): Promise<Fingerprint> {
  const q = (c: string): string => `\`${c}\``;
  const [rows] = await conn.query<RowDataPacket[]>(
    SELECT(q, `${q(database)}.${q(table)}`, `DATE_FORMAT(MAX(${q('updated_at')}), '%Y-%m-%d %H:%i:%s.%f')`),
  );
  return fromRow(rows[0] ?? {});
}

export async function postgresFingerprint(client: pg.Client, schema: string, table: string): Promise<Fingerprint> {
  const q = (c: string): string => `"${c}"`;
  const { rows } = await client.query<Record<string, unknown>>(
    SELECT(q, `${q(schema)}.${q(table)}`, `to_char(MAX(${q('updated_at')}), 'YYYY-MM-DD HH24:MI:SS.US')`),
  );
  return fromRow(rows[0] ?? {});
}

/** The fields that differ, as "field: expected → actual"; empty when equal. */
export function fingerprintDiff(expected: Fingerprint, actual: Fingerprint): string[] {
  return (Object.keys(expected) as (keyof Fingerprint)[])
    .filter((k) => k !== 'updatedMaxMicros' && normalise(expected[k]) !== normalise(actual[k]))
    .map((k) => `${k}: ${expected[k]} → ${actual[k]}`);
}

/**
 * A contender that keeps the millisecond but loses the microseconds of DATETIME(6)/timestamp(6) gets a note in the
 * table rather than a failure, so that the other numbers of the run still print (fdi-worker keeps them: its tests
 * check it, test/integration/sql-microseconds.test.ts).
 */
export function precisionNote(expected: Fingerprint, actual: Fingerprint): string | undefined {
  if (expected.updatedMaxMicros === actual.updatedMaxMicros) return undefined;
  return `µs of DATETIME(6) lost (${expected.updatedMaxMicros.slice(20)} → ${actual.updatedMaxMicros.slice(20)})`;
}

/** Decimal sums print as `123.40` in one database and `123.4` in the other. */
function normalise(v: string): string {
  return /^-?\d+\.\d+$/.test(v) ? v.replace(/\.?0+$/, '') : v;
}
