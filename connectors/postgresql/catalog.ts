import type pg from 'pg';
import type { ColumnMeta, TableMeta } from '../sql/catalog.ts';
import type { TableRef } from '../sql/identifiers.ts';

/** `schema.table` for every table and view outside the system schemas. */
export async function listPostgresTables(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
      WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg\\_toast%'
      ORDER BY table_schema, table_name`,
  );
  return rows.map((r) => r.name);
}

export async function currentSchema(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ s: string | null }>('SELECT current_schema() AS s');
  return rows[0]?.s ?? 'public';
}

/** The exact table, else the only one matching without regard to case; null when there is none. */
export async function describePostgresTable(client: pg.Client, ref: TableRef): Promise<TableMeta | null> {
  const { rows: found } = await client.query<{ s: string; t: string }>(
    `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
      WHERE (table_schema = $1 AND table_name = $2) OR (lower(table_schema) = lower($1) AND lower(table_name) = lower($2))`,
    [ref.schema, ref.table],
  );
  const exact = found.find((r) => r.s === ref.schema && r.t === ref.table);
  const match = exact ?? (found.length === 1 ? found[0] : undefined);
  if (!match) return null;
  const at: TableRef = { schema: match.s, table: match.t };

  const { rows: cols } = await client.query<{
    name: string;
    data_type: string;
    udt_name: string;
    len: number | null;
    prec: number | null;
    scale: number | null;
    nullable: string;
  }>(
    `SELECT column_name AS name, data_type, udt_name, character_maximum_length AS len, numeric_precision AS prec,
            numeric_scale AS scale, is_nullable AS nullable
       FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [at.schema, at.table],
  );
  const columns: ColumnMeta[] = cols.map((c) => {
    const dataType = c.data_type === 'ARRAY' || c.data_type === 'USER-DEFINED' ? c.udt_name : c.data_type.toLowerCase();
    const size = c.len !== null ? `(${c.len})` : c.data_type === 'numeric' && c.prec !== null ? `(${c.prec},${c.scale ?? 0})` : '';
    return {
      name: c.name,
      dataType,
      columnType: `${dataType}${size}`,
      length: c.len,
      precision: decimalPrecision(c.udt_name, c.prec),
      scale: c.scale,
      nullable: c.nullable === 'YES',
      json: dataType === 'json' || dataType === 'jsonb',
    };
  });

  const { rows: idx } = await client.query<{ pk: boolean; cols: string[] }>(
    `SELECT i.indisprimary AS pk, array_agg(a.attname::text ORDER BY k.n) AS cols
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_namespace ns ON ns.oid = c.relnamespace
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
      WHERE ns.nspname = $1 AND c.relname = $2 AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
      GROUP BY i.indexrelid, i.indisprimary
      ORDER BY i.indisprimary DESC, i.indexrelid`,
    [at.schema, at.table],
  );
  const primaryKey = idx.find((r) => r.pk)?.cols ?? [];
  const uniqueKeys = idx.filter((r) => !r.pk).map((r) => r.cols);
  return { ref: at, columns, primaryKey, uniqueKeys };
}

/**
 * information_schema gives the precision of integer and floating-point types in bits (radix 2); the FDI column
 * listing, like MySQL's and PostgreSQL's own JDBC driver, gives decimal digits (int4 → 10, not 32).
 */
const DECIMAL_DIGITS: Readonly<Record<string, number>> = { int2: 5, int4: 10, int8: 19, float4: 8, float8: 17 };

function decimalPrecision(udtName: string, bits: number | null): number | null {
  return DECIMAL_DIGITS[udtName] ?? bits;
}
