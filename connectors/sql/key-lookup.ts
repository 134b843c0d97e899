import type { Row, TargetKeyLookup } from '../sdk/index.ts';
import { findColumn, type ColumnMeta, type TableMeta } from './catalog.ts';
import { qualified } from './dialect.ts';
import type { SqlTargetSession } from './session.ts';
import { ParamList, type SqlParam } from './where.ts';

/** Rows asked about in one statement: one indexed EXISTS each, so the statement stays small. */
const ROWS_PER_QUERY = 200;

/**
 * Which rows a relational target holds, by the key the writer upserts on. The database compares the key itself
 * (`column = parameter`, with the values bound exactly as the writer binds them), so its own types and collation
 * decide, as they do for the upsert's conflict.
 */
export class SqlKeyLookup implements TargetKeyLookup {
  private readonly columns: ColumnMeta[];

  constructor(
    private readonly session: SqlTargetSession,
    private readonly meta: TableMeta,
    key: readonly string[],
  ) {
    this.columns = key.map((k) => {
      const col = findColumn(meta, k);
      if (!col) throw new Error(`key column ${k} is not in the table`);
      return col;
    });
  }

  keyOf(row: Row): string | null {
    const params = this.params(row);
    return params ? JSON.stringify(params.map(keyText)) : null;
  }

  async absent(rows: Row[]): Promise<number[]> {
    const asked: { index: number; params: SqlParam[] }[] = [];
    rows.forEach((row, index) => {
      const params = this.params(row);
      if (params) asked.push({ index, params });
    });
    const missing: number[] = [];
    for (let from = 0; from < asked.length; from += ROWS_PER_QUERY) {
      const chunk = asked.slice(from, from + ROWS_PER_QUERY);
      const present = await this.present(chunk.map((a) => a.params));
      chunk.forEach((a, i) => {
        if (!present.has(i)) missing.push(a.index);
      });
    }
    return missing;
  }

  /** The positions (in `keys`) of the keys the table holds. */
  private async present(keys: SqlParam[][]): Promise<Set<number>> {
    const { dialect } = this.session;
    const table = qualified(dialect, this.meta.ref);
    // MySQL needs a FROM to take a WHERE; PostgreSQL has no DUAL.
    const from = dialect.name === 'mysql' ? ' FROM DUAL' : '';
    const list = new ParamList(dialect);
    const branches = keys.map((values, i) => {
      const match = this.columns.map((c, j) => `${dialect.quote(c.name)} = ${list.add(values[j] ?? null)}`).join(' AND ');
      return `SELECT ${i} AS i${from} WHERE EXISTS (SELECT 1 FROM ${table} WHERE ${match})`;
    });
    const rows = await this.session.query(branches.join(' UNION ALL '), list.values);
    return new Set(rows.map((r) => Number(r['i'])));
  }

  /** The key's values bound as the writer binds them; null when a part is missing or null (no such row can match). */
  private params(row: Row): SqlParam[] | null {
    const out: SqlParam[] = [];
    for (const col of this.columns) {
      const value = fieldOf(row, col.name);
      if (value === undefined || value === null) return null;
      let param: SqlParam;
      try {
        param = this.session.toParam(value, col);
      } catch {
        return null;
      }
      if (param === null) return null;
      out.push(param);
    }
    return out;
  }
}

/** The row's value for a table column: the field with the table's spelling, else the one that differs only in case. */
function fieldOf(row: Row, column: string): Row[string] | undefined {
  if (Object.hasOwn(row, column)) return row[column];
  const lower = column.toLowerCase();
  const key = Object.keys(row).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : row[key];
}

function keyText(p: SqlParam): string | number | boolean | null {
  if (p === null || typeof p === 'string' || typeof p === 'number' || typeof p === 'boolean') return p;
  if (typeof p === 'bigint') return p.toString();
  if (p instanceof Date) return p.toISOString();
  return Buffer.from(p).toString('hex');
}
