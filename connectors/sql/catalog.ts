import type { ColumnInfo } from '../sdk/index.ts';
import type { TableRef } from './identifiers.ts';

/** A column as information_schema describes it. */
export interface ColumnMeta {
  name: string;
  /** Lower-case base type: `int`, `varchar`, `decimal`, `timestamp with time zone`, `jsonb` … */
  dataType: string;
  /** As the database prints it: `varchar(20)`, `decimal(10,2)`, `int(11) unsigned` … */
  columnType: string;
  /** Character length for string types; null otherwise. */
  length: number | null;
  precision: number | null;
  scale: number | null;
  nullable: boolean;
  /** Holds JSON text (MySQL JSON, PostgreSQL json/jsonb, or MariaDB's LONGTEXT with a json_valid check). */
  json: boolean;
}

export interface TableMeta {
  ref: TableRef;
  columns: ColumnMeta[];
  primaryKey: string[];
  /** Unique constraints and unique indexes other than the primary key, each as its columns in order. */
  uniqueKeys: string[][];
}

export function findColumn(meta: TableMeta, name: string): ColumnMeta | undefined {
  return meta.columns.find((c) => c.name === name) ?? meta.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
}

/** The FDI listColumns shape (spec datasources.md §1.9): `unique` and `primary` say the column is in such a key. */
export function toColumnInfo(meta: TableMeta): ColumnInfo[] {
  const inUnique = new Set(meta.uniqueKeys.flat());
  const inPrimary = new Set(meta.primaryKey);
  return meta.columns.map((c) => {
    const info: ColumnInfo = {
      field_name: c.name,
      field_type: c.dataType,
      field_length: String(c.length ?? c.precision ?? ''),
      null_able: c.nullable ? '1' : '0',
      unique: inUnique.has(c.name) || inPrimary.has(c.name) ? '1' : '0',
      primary: inPrimary.has(c.name) ? '1' : '0',
    };
    if (c.scale !== null) info.decimal_digits = String(c.scale);
    return info;
  });
}
