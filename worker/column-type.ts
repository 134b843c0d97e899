/**
 * A target column type as a mapping names it (`VARCHAR` with length "255", `decimal(10,2)`, `INT UNSIGNED`,
 * `timestamp with time zone` …), reduced to what conversion needs: a kind and its limits.
 */
export type ColumnKind =
  | 'integer'
  | 'decimal'
  | 'float'
  | 'string'
  | 'text'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'time'
  | 'json'
  | 'binary'
  | 'unknown';

export interface ColumnType {
  kind: ColumnKind;
  /** The type as written, for messages. */
  name: string;
  /** integer: the allowed range. */
  min?: bigint;
  max?: bigint;
  /** decimal: digits in all and after the point (when given). */
  precision?: number;
  scale?: number;
  /** string: the most characters the column takes (when given). */
  maxLength?: number;
}

const pow2 = (n: number): bigint => 1n << BigInt(n);

const INTEGER_BITS: Record<string, number> = {
  tinyint: 8,
  int1: 8,
  smallint: 16,
  int2: 16,
  smallserial: 16,
  mediumint: 24,
  int3: 24,
  int: 32,
  integer: 32,
  int4: 32,
  serial: 32,
  bigint: 64,
  int8: 64,
  bigserial: 64,
  long: 64,
};

const KINDS: Record<string, ColumnKind> = {
  decimal: 'decimal',
  numeric: 'decimal',
  dec: 'decimal',
  number: 'decimal',
  money: 'decimal',
  float: 'float',
  float4: 'float',
  float8: 'float',
  double: 'float',
  'double precision': 'float',
  real: 'float',
  varchar: 'string',
  char: 'string',
  character: 'string',
  'character varying': 'string',
  nvarchar: 'string',
  nchar: 'string',
  varchar2: 'string',
  nvarchar2: 'string',
  bpchar: 'string',
  string: 'string',
  text: 'text',
  tinytext: 'text',
  mediumtext: 'text',
  longtext: 'text',
  clob: 'text',
  nclob: 'text',
  ntext: 'text',
  uuid: 'text',
  boolean: 'boolean',
  bool: 'boolean',
  date: 'date',
  datetime: 'datetime',
  datetime2: 'datetime',
  smalldatetime: 'datetime',
  timestamp: 'datetime',
  timestamptz: 'datetime',
  'timestamp with time zone': 'datetime',
  'timestamp without time zone': 'datetime',
  time: 'time',
  'time without time zone': 'time',
  json: 'json',
  jsonb: 'json',
  blob: 'binary',
  tinyblob: 'binary',
  mediumblob: 'binary',
  longblob: 'binary',
  binary: 'binary',
  varbinary: 'binary',
  bytea: 'binary',
  raw: 'binary',
  image: 'binary',
};

/** `type` plus the mapping's `length` ("255", "10,2"); undefined when no type is given. */
export function parseColumnType(type: string | undefined, length?: string): ColumnType | undefined {
  if (type === undefined || type.trim() === '') return undefined;
  const name = type.trim();
  const lower = name.toLowerCase().replace(/\s+/g, ' ');
  const paren = /^([a-z0-9_ ]+?)\s*\(\s*([^)]*)\)\s*(.*)$/.exec(lower);
  const base = (paren ? `${paren[1]} ${paren[3] ?? ''}` : lower).trim().replace(/\s+/g, ' ');
  const params = (paren?.[2] ?? length ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  const unsigned = /\bunsigned\b/.test(base);
  const word = base.replace(/\b(unsigned|signed|zerofill)\b/g, '').trim();

  const bits = INTEGER_BITS[word];
  if (bits !== undefined) {
    return unsigned
      ? { kind: 'integer', name, min: 0n, max: pow2(bits) - 1n }
      : { kind: 'integer', name, min: -pow2(bits - 1), max: pow2(bits - 1) - 1n };
  }
  if (word === 'bit') {
    const n = params[0] === undefined ? 1 : Number(params[0]);
    return n === 1 ? { kind: 'boolean', name } : { kind: 'integer', name, min: 0n, max: pow2(n) - 1n };
  }
  const kind = KINDS[word] ?? 'unknown';
  const out: ColumnType = { kind, name };
  if (kind === 'decimal') {
    const p = toPositiveInt(params[0]);
    const s = toNonNegativeInt(params[1]);
    if (p !== undefined) out.precision = p;
    if (s !== undefined && p !== undefined && s <= p) out.scale = s;
  } else if (kind === 'string') {
    const n = toPositiveInt(params[0]);
    if (n !== undefined) out.maxLength = n;
  }
  return out;
}

function toPositiveInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n > 0 ? n : undefined;
}

function toNonNegativeInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}
