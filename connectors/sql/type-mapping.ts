/**
 * Column types across MySQL and PostgreSQL: any type name (as a task's field_type, a mapping's targetColumnType,
 * or information_schema spells it) → a kind → the DDL of the target dialect. Used by `targetNeedCreateTable`
 * and by the readers/writers to know which values are timestamps, JSON or binary.
 */
export type TypeKind =
  | 'boolean'
  | 'smallint'
  | 'int'
  | 'bigint'
  | 'decimal'
  | 'real'
  | 'double'
  | 'char'
  | 'varchar'
  | 'text'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'json'
  | 'binary'
  | 'uuid';

const KINDS: ReadonlyMap<string, TypeKind> = new Map<string, TypeKind>([
  ['bool', 'boolean'], ['boolean', 'boolean'], ['bit', 'boolean'],
  ['tinyint', 'smallint'], ['smallint', 'smallint'], ['int2', 'smallint'], ['smallserial', 'smallint'],
  ['mediumint', 'int'], ['int', 'int'], ['integer', 'int'], ['int4', 'int'], ['serial', 'int'], ['year', 'int'],
  ['bigint', 'bigint'], ['int8', 'bigint'], ['bigserial', 'bigint'], ['long', 'bigint'],
  ['decimal', 'decimal'], ['numeric', 'decimal'], ['number', 'decimal'], ['dec', 'decimal'], ['money', 'decimal'],
  ['float', 'real'], ['real', 'real'], ['float4', 'real'],
  ['double', 'double'], ['double precision', 'double'], ['float8', 'double'],
  ['char', 'char'], ['character', 'char'], ['bpchar', 'char'], ['nchar', 'char'],
  ['varchar', 'varchar'], ['character varying', 'varchar'], ['nvarchar', 'varchar'], ['string', 'varchar'], ['varchar2', 'varchar'],
  ['text', 'text'], ['tinytext', 'text'], ['mediumtext', 'text'], ['longtext', 'text'], ['clob', 'text'], ['enum', 'varchar'], ['set', 'varchar'],
  ['date', 'date'],
  ['time', 'time'], ['time without time zone', 'time'],
  ['datetime', 'timestamp'], ['timestamp', 'timestamp'], ['timestamp without time zone', 'timestamp'],
  ['timestamptz', 'timestamptz'], ['timestamp with time zone', 'timestamptz'],
  ['json', 'json'], ['jsonb', 'json'],
  ['binary', 'binary'], ['varbinary', 'binary'], ['blob', 'binary'], ['tinyblob', 'binary'], ['mediumblob', 'binary'],
  ['longblob', 'binary'], ['bytea', 'binary'], ['bytes', 'binary'],
  ['uuid', 'uuid'],
]);

/** Writers ask per value, so names are normalised once; the cap keeps odd user-given names from piling up. */
const kindCache = new Map<string, TypeKind | undefined>();
const KIND_CACHE_MAX = 1000;

/** The kind of a type name such as `VARCHAR`, `int(11) unsigned`, `timestamp(6) with time zone`; undefined if unknown. */
export function typeKind(typeName: string): TypeKind | undefined {
  if (kindCache.has(typeName)) return kindCache.get(typeName);
  const kind = kindOf(typeName);
  if (kindCache.size >= KIND_CACHE_MAX) kindCache.clear();
  kindCache.set(typeName, kind);
  return kind;
}

function kindOf(typeName: string): TypeKind | undefined {
  const base = typeName
    .toLowerCase()
    .replace(/\(.*?\)/g, '')
    .replace(/\b(unsigned|signed|zerofill)\b/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return KINDS.get(base);
}

export function isTemporalKind(kind: TypeKind | undefined): boolean {
  return kind === 'date' || kind === 'timestamp' || kind === 'timestamptz';
}

/** `length` as the spec gives it: `"20"`, or `"10,2"` for precision and scale. */
export interface TypeSize {
  length?: number;
  precision?: number;
  scale?: number;
}

export function parseSize(length: string | undefined, typeName: string | undefined): TypeSize {
  const inName = typeName ? /\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(typeName) : null;
  const text = length?.trim() ? length.trim() : inName ? `${inName[1]}${inName[2] !== undefined ? `,${inName[2]}` : ''}` : '';
  const m = /^(\d+)\s*(?:,\s*(\d+))?$/.exec(text);
  if (!m) return {};
  const first = Number(m[1]);
  if (m[2] !== undefined) return { length: first, precision: first, scale: Number(m[2]) };
  return { length: first, precision: first };
}

/**
 * The DDL type for a kind. A DECIMAL whose scale is not given becomes PostgreSQL's unconstrained `numeric` or
 * MySQL's DECIMAL(65,30), so no digits are rounded away; a VARCHAR without a length is `varchar` / VARCHAR(255).
 */
export function ddlType(dialect: 'mysql' | 'postgresql', kind: TypeKind, size: TypeSize): string {
  const len = size.length && size.length > 0 ? size.length : undefined;
  const pg = dialect === 'postgresql';
  switch (kind) {
    case 'boolean':
      return pg ? 'boolean' : 'TINYINT(1)';
    case 'smallint':
      return pg ? 'smallint' : 'SMALLINT';
    case 'int':
      return pg ? 'integer' : 'INT';
    case 'bigint':
      return pg ? 'bigint' : 'BIGINT';
    case 'decimal':
      if (size.precision !== undefined && size.scale !== undefined) return `${pg ? 'numeric' : 'DECIMAL'}(${size.precision},${size.scale})`;
      return pg ? 'numeric' : 'DECIMAL(65,30)';
    case 'real':
      return pg ? 'real' : 'FLOAT';
    case 'double':
      return pg ? 'double precision' : 'DOUBLE';
    case 'char':
      return pg ? `char(${len ?? 1})` : `CHAR(${len ?? 1})`;
    case 'varchar':
      return pg ? (len ? `varchar(${len})` : 'varchar') : `VARCHAR(${len ?? 255})`;
    case 'text':
      return pg ? 'text' : 'LONGTEXT';
    case 'date':
      return pg ? 'date' : 'DATE';
    case 'time':
      return pg ? 'time(6)' : 'TIME(6)';
    case 'timestamp':
      return pg ? 'timestamp(6)' : 'DATETIME(6)';
    case 'timestamptz':
      return pg ? 'timestamptz(6)' : 'DATETIME(6)';
    case 'json':
      return pg ? 'jsonb' : 'JSON';
    case 'binary':
      return pg ? 'bytea' : 'LONGBLOB';
    case 'uuid':
      return pg ? 'uuid' : 'CHAR(36)';
  }
}
