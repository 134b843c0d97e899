import type { RowDataPacket } from 'mysql2/promise';
import type { ColumnMeta, TableMeta } from '../sql/catalog.ts';
import type { TableRef } from '../sql/identifiers.ts';
import type { MysqlConnection } from './connection.ts';

const SYSTEM_SCHEMAS = ['information_schema', 'mysql', 'performance_schema', 'sys'];

/** `db.table` for every base table and view of the connection's database. */
export async function listMysqlTables(conn: MysqlConnection, database: string): Promise<string[]> {
  const [rows] = await conn.p.query<RowDataPacket[]>(
    'SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_SCHEMA NOT IN (?) ORDER BY TABLE_NAME',
    [database, SYSTEM_SCHEMAS],
  );
  return rows.map((r) => `${String(r.s)}.${String(r.t)}`);
}

/** The exact table, else the only one matching without regard to case; null when there is none. */
export async function describeMysqlTable(conn: MysqlConnection, ref: TableRef): Promise<TableMeta | null> {
  const [found] = await conn.p.query<RowDataPacket[]>(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t FROM information_schema.TABLES
      WHERE (TABLE_SCHEMA = ? AND TABLE_NAME = ?) OR (LOWER(TABLE_SCHEMA) = LOWER(?) AND LOWER(TABLE_NAME) = LOWER(?))`,
    [ref.schema, ref.table, ref.schema, ref.table],
  );
  const exact = found.find((r) => r.s === ref.schema && r.t === ref.table);
  const match = exact ?? (found.length === 1 ? found[0] : undefined);
  if (!match) return null;
  const at: TableRef = { schema: String(match.s), table: String(match.t) };

  const [cols] = await conn.p.query<RowDataPacket[]>(
    `SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, CHARACTER_MAXIMUM_LENGTH AS len,
            NUMERIC_PRECISION AS prec, NUMERIC_SCALE AS scale, IS_NULLABLE AS nullable
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [at.schema, at.table],
  );
  const jsonByCheck = await mariadbJsonColumns(conn, at);
  const columns: ColumnMeta[] = cols.map((c) => ({
    name: String(c.name),
    // MariaDB's JSON is LONGTEXT with a json_valid check: report (and treat) it as the JSON it is.
    dataType: jsonByCheck.has(String(c.name)) ? 'json' : String(c.dataType).toLowerCase(),
    columnType: String(c.columnType).toLowerCase(),
    length: numberOrNull(c.len),
    precision: numberOrNull(c.prec),
    scale: numberOrNull(c.scale),
    nullable: c.nullable === 'YES',
    json: String(c.dataType).toLowerCase() === 'json' || jsonByCheck.has(String(c.name)),
  }));

  const [idx] = await conn.p.query<RowDataPacket[]>(
    `SELECT INDEX_NAME AS idx, COLUMN_NAME AS col FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [at.schema, at.table],
  );
  const keys = new Map<string, string[]>();
  for (const r of idx) {
    const list = keys.get(String(r.idx)) ?? [];
    list.push(String(r.col));
    keys.set(String(r.idx), list);
  }
  const primaryKey = keys.get('PRIMARY') ?? [];
  keys.delete('PRIMARY');
  return { ref: at, columns, primaryKey, uniqueKeys: [...keys.values()] };
}

/** MariaDB stores JSON as LONGTEXT with a `json_valid(col)` check; MySQL 8 has no TABLE_NAME there (and a real JSON type). */
async function mariadbJsonColumns(conn: MysqlConnection, ref: TableRef): Promise<Set<string>> {
  try {
    const [rows] = await conn.p.query<RowDataPacket[]>(
      'SELECT CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?',
      [ref.schema, ref.table],
    );
    const out = new Set<string>();
    for (const r of rows) {
      const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(r.clause).trim());
      if (m?.[1]) out.add(m[1].replaceAll('``', '`'));
    }
    return out;
  } catch {
    return new Set();
  }
}

function numberOrNull(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
