import type { SourceZone } from '../../core/normalise/time-zone.ts';
import { FdiError } from '../../core/fdi-error.ts';
import type { Checkpoint, FieldValue, JsonValue, KeyRange, Row, TaskSpec } from '../sdk/index.ts';
import { TaskConfigError } from '../sdk/index.ts';
import { findColumn, type ColumnMeta, type TableMeta } from './catalog.ts';
import { parseCheckpoint, toCheckpoint, type SqlCheckpoint } from './checkpoint.ts';
import { qualified, type SqlDialect } from './dialect.ts';
import { keyBoundLiteral } from './key-ranges.ts';
import { checkIdentifier, parseTableName, tableLabel } from './identifiers.ts';
import { localTextToMicros, microsToIso, microsToLocalText, msToMicros, type Micros } from './instant.ts';
import type { SqlSourceSession } from './session.ts';
import { isTemporalKind, typeKind } from './type-mapping.ts';
import { buildWhere, ParamList, type SqlParam } from './where.ts';

/** Result columns the reader adds for its own bookkeeping and removes from every row. */
export const WATERMARK_ALIAS = '__fdi_wm';
export const KEY_ALIAS_PREFIX = '__fdi_k';

export const BEGIN_TOKEN = '${{begin}}';
export const END_TOKEN = '${{end}}';

export interface ReadPlan {
  sql: string;
  params: SqlParam[];
  countSql: string;
  countParams: SqlParam[];
  jsonColumns: Set<string>;
  /** Present for incremental table reads: each batch's checkpoint is its last row's (timestamp, key). */
  tieBreak?: { keyColumns: string[]; zone: SourceZone };
  /** The checkpoint to keep once the whole run committed (incremental only). */
  final?: Checkpoint;
  /** The window, for logs. */
  window?: { begin: string; end: string };
  /** Present when this read may be split by key range: its integer key and the query of its bounds. */
  split?: { column: string; boundsSql: string; boundsParams: SqlParam[] };
}

export interface PlanInput {
  task: TaskSpec;
  session: SqlSourceSession;
  checkpoint: Checkpoint | null;
  zone: SourceZone;
}

/** How a run's incremental window is bounded. */
interface Window {
  /** Exclusive begin (a stored watermark) or inclusive (the first run's dataTimestamp). */
  begin: Micros;
  beginInclusive: boolean;
  beginKey: JsonValue[] | null;
  end: Micros;
  final: SqlCheckpoint;
}

export async function planRead(input: PlanInput): Promise<ReadPlan> {
  const { task } = input;
  const src = task.source;
  if (src.isAddSql) return planCustomSql(input);
  if (!src.sourceTable) throw new TaskConfigError('sourceTable', 'is required when isAddSql is false');
  return planTable(input);
}

async function planTable(input: PlanInput): Promise<ReadPlan> {
  const { task, session, zone } = input;
  const src = task.source;
  const d = session.dialect;
  const ref = parseTableName(src.sourceTable ?? '', 'sourceTable', src.sourceSchema, session.defaultSchema);
  const meta = await session.describe(ref);
  if (!meta) throw new TaskConfigError('sourceTable', `table ${tableLabel(ref)} does not exist or is not visible to this user`);
  const table = qualified(d, meta.ref);

  const selected = src.selectedColumns.length > 0
    ? src.selectedColumns.map((c, i) => columnOf(meta, c.name, `sourceSelectedColumnList[${i}].field_name`))
    : meta.columns.map((c) => c.name);
  const jsonColumns = new Set(meta.columns.filter((c) => c.json && selected.includes(c.name)).map((c) => c.name));
  for (const [i, w] of src.where.entries()) columnOf(meta, w.field, `where[${i}].field_name`);
  const where = src.where.map((w) => ({ ...w, field: columnOf(meta, w.field, 'where') }));

  const params = new ParamList(d);
  const conditions: string[] = [];
  const whereSql = buildWhere(where, d, params);
  if (whereSql) conditions.push(whereSql);
  if (src.keyRange) conditions.push(keyRangeCondition(meta, src.keyRange, d));
  const selectList = selected.map((c) => d.quote(c));

  const inc = src.incremental;
  if (!inc) {
    const order = src.orderColumn
      ? ` ORDER BY ${d.quote(columnOf(meta, src.orderColumn, 'orderColumn'))} ${src.orderType === 'DESC' ? 'DESC' : 'ASC'}`
      : '';
    const whereClause = conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
    const splitColumn = src.orderColumn || src.keyRange ? undefined : integerKey(meta);
    return {
      sql: `SELECT ${selectList.join(', ')} FROM ${table}${whereClause}${order}`,
      params: params.values,
      countSql: `SELECT COUNT(*) AS n FROM ${table}${whereClause}`,
      countParams: [...params.values],
      jsonColumns,
      ...(splitColumn
        ? {
            split: {
              column: splitColumn,
              boundsSql: `SELECT MIN(${d.quote(splitColumn)}) AS lo, MAX(${d.quote(splitColumn)}) AS hi FROM ${table}${whereClause}`,
              boundsParams: [...params.values],
            },
          }
        : {}),
    };
  }

  const tsName = columnOf(meta, checkIdentifier(inc.dateColumn, 'sourceDateColumn'), 'sourceDateColumn');
  const tsMeta = findColumn(meta, tsName);
  if (!tsMeta || !isTemporalKind(typeKind(tsMeta.dataType))) {
    throw new TaskConfigError('sourceDateColumn', `column ${tsName} is ${tsMeta?.dataType ?? 'unknown'}, not a date, datetime or timestamp`);
  }
  const keyColumns = tieBreakKey(task, meta);
  const window = await windowOf(input);
  const ts = d.quote(tsName);
  const keys = keyColumns.map((k) => d.quote(k));

  const bounds = params;
  const beginP = d.timestampParam(bounds.add(microsToLocalText(window.begin, zone)));
  let lower: string;
  if (window.beginKey) {
    if (window.beginKey.length !== keys.length) {
      throw new TaskConfigError('checkpoint', `the stored key has ${window.beginKey.length} columns but the tie-break key (${keyColumns.join(', ')}) has ${keys.length}; set reset_incr_begin_time to start again`);
    }
    const beginEq = d.timestampParam(bounds.add(microsToLocalText(window.begin, zone)));
    const keyMetas = keyColumns.map((k) => findColumn(meta, k));
    lower = `(${ts} > ${beginP} OR (${ts} = ${beginEq} AND ${keyAfter(keys, keyMetas, window.beginKey, bounds)}))`;
  } else {
    lower = `${ts} ${window.beginInclusive ? '>=' : '>'} ${beginP}`;
  }
  const endP = d.timestampParam(bounds.add(microsToLocalText(window.end, zone)));
  conditions.push(`${lower} AND ${ts} <= ${endP}`);
  const allParams = params.values;
  const whereClause = ` WHERE ${conditions.join(' AND ')}`;
  const hidden = [`${d.localText(ts)} AS ${d.quote(WATERMARK_ALIAS)}`, ...keys.map((k, i) => `${k} AS ${d.quote(`${KEY_ALIAS_PREFIX}${i}`)}`)];
  return {
    sql: `SELECT ${[...selectList, ...hidden].join(', ')} FROM ${table}${whereClause} ORDER BY ${[ts, ...keys].join(', ')}`,
    params: allParams,
    countSql: `SELECT COUNT(*) AS n FROM ${table}${whereClause}`,
    countParams: [...allParams],
    jsonColumns,
    tieBreak: { keyColumns, zone },
    final: toCheckpoint(window.final),
    window: { begin: microsToIso(window.begin, zone), end: microsToIso(window.end, zone) },
  };
}

async function planCustomSql(input: PlanInput): Promise<ReadPlan> {
  const { task, session, zone } = input;
  const d = session.dialect;
  const raw = (task.source.querySql ?? '').trim().replace(/;+\s*$/, '');
  if (raw.length === 0) throw new FdiError('FDI.3073', 'querySql is empty while isAddSql is true.', 'querySql');
  const hasTokens = raw.includes(BEGIN_TOKEN) || raw.includes(END_TOKEN);
  const inc = task.source.incremental;
  if (!inc) {
    if (hasTokens) throw new FdiError('FDI.3074', 'Field querySql.', 'querySql');
    return {
      sql: raw,
      params: [],
      countSql: `SELECT COUNT(*) AS n FROM (${raw}) fdi_q`,
      countParams: [],
      jsonColumns: new Set(),
    };
  }
  if (!raw.includes(BEGIN_TOKEN) || !raw.includes(END_TOKEN)) throw new FdiError('FDI.3071', 'Field querySql.', 'querySql');
  const window = await windowOf(input);
  const begin = microsToLocalText(window.begin, zone);
  const end = microsToLocalText(window.end, zone);
  const params: SqlParam[] = [];
  // A token may be written bare or inside quotes ('${{begin}}', as for a text substitution): either way it becomes
  // one bound parameter.
  const sql = raw.replace(/'\$\{\{(begin|end)\}\}'|\$\{\{(begin|end)\}\}/g, (_m, quoted: string | undefined, bare: string | undefined) => {
    params.push((quoted ?? bare) === 'begin' ? begin : end);
    return d.placeholder(params.length);
  });
  return {
    sql,
    params,
    countSql: `SELECT COUNT(*) AS n FROM (${sql}) fdi_q`,
    countParams: [...params],
    jsonColumns: new Set(),
    final: toCheckpoint(window.final),
    window: { begin: microsToIso(window.begin, zone), end: microsToIso(window.end, zone) },
  };
}

async function windowOf(input: PlanInput): Promise<Window> {
  const { task, session, zone } = input;
  const inc = task.source.incremental;
  if (!inc) throw new Error('windowOf needs an incremental task');
  const stored = input.checkpoint !== null && !inc.resetBeginTime ? parseCheckpoint(input.checkpoint) : undefined;
  const begin = stored ? stored.at : msToMicros(inc.dataTimestamp);
  const now = await session.nowMicros();
  const end = now - BigInt(Math.trunc(inc.compensationMs)) * 1000n;
  if (end <= begin) {
    // Nothing new can be settled yet: the window is empty and the stored position stays as it is.
    return {
      begin,
      beginInclusive: !stored,
      beginKey: stored?.key ?? null,
      end: begin - 1n,
      final: stored?.stored ?? { watermark: microsToIso(begin - 1n, zone), key: null },
    };
  }
  return {
    begin,
    beginInclusive: !stored,
    beginKey: stored?.key ?? null,
    end,
    final: { watermark: microsToIso(end, zone), key: null },
  };
}

/**
 * The tie-break key: the primary key, else a unique key of NOT NULL columns, else the columns the task marks
 * unique, else `orderColumn` (the user's word that it is unique). Without one, rows sharing a timestamp could be
 * split across batches ambiguously, so the task is refused.
 */
function tieBreakKey(task: TaskSpec, meta: TableMeta): string[] {
  if (meta.primaryKey.length > 0) return meta.primaryKey;
  const notNull = (c: string): boolean => findColumn(meta, c)?.nullable === false;
  const unique = meta.uniqueKeys.find((k) => k.every(notNull));
  if (unique) return unique;
  const marked = task.source.selectedColumns.filter((c) => c.primary || c.unique).map((c) => columnOf(meta, c.name, 'sourceSelectedColumnList'));
  if (marked.length > 0) return marked;
  if (task.source.orderColumn) return [columnOf(meta, task.source.orderColumn, 'orderColumn')];
  throw new TaskConfigError(
    'sourceDateColumn',
    `table ${tableLabel(meta.ref)} has no primary or unique key to order rows that share a ${task.source.incremental?.dateColumn ?? ''} value; set orderColumn to a unique column`,
  );
}

/** `(k1, k2, …) > (v1, v2, …)` spelled out lexicographically, so every driver can type each parameter. */
function keyAfter(keys: readonly string[], metas: readonly (ColumnMeta | undefined)[], values: readonly JsonValue[], params: ParamList): string {
  const ors: string[] = [];
  const value = (j: number): string => params.dialect.keyParam(params.add(keyParam(values[j])), metas[j]);
  for (let i = 0; i < keys.length; i++) {
    const ands: string[] = [];
    for (let j = 0; j < i; j++) ands.push(`${keys[j]} = ${value(j)}`);
    ands.push(`${keys[i]} > ${value(i)}`);
    ors.push(ands.length === 1 ? (ands[0] ?? '') : `(${ands.join(' AND ')})`);
  }
  return ors.length === 1 ? (ors[0] ?? '') : `(${ors.join(' OR ')})`;
}

function keyParam(v: JsonValue | undefined): SqlParam {
  if (v === undefined || v === null) return null;
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}

/** The single-column integer primary key a full load can be split by, if the table has one. */
function integerKey(meta: TableMeta): string | undefined {
  if (meta.primaryKey.length !== 1) return undefined;
  const column = findColumn(meta, meta.primaryKey[0] ?? '');
  const kind = column ? typeKind(column.dataType) : undefined;
  return column && (kind === 'smallint' || kind === 'int' || kind === 'bigint') ? column.name : undefined;
}

/** `from ≤ key < to` with integer literals (see `keyBoundLiteral`), ANDed with the task's own conditions. */
function keyRangeCondition(meta: TableMeta, range: KeyRange, d: SqlDialect): string {
  const key = d.quote(columnOf(meta, range.column, 'keyRange.column'));
  const bounds: string[] = [];
  if (range.from !== null) bounds.push(`${key} >= ${keyBoundLiteral(range.from, 'keyRange.from')}`);
  if (range.to !== null) bounds.push(`${key} < ${keyBoundLiteral(range.to, 'keyRange.to')}`);
  return bounds.length > 0 ? `(${bounds.join(' AND ')})` : `${key} IS NOT NULL`;
}

/** A column name as the table spells it; an unknown one is an error naming `field`. */
function columnOf(meta: TableMeta, name: string, field: string): string {
  checkIdentifier(name, field);
  const col = findColumn(meta, name);
  if (!col) throw new TaskConfigError(field, `column ${name} does not exist in ${tableLabel(meta.ref)}`);
  return col.name;
}

/** The checkpoint after `row` (its hidden watermark and key), and the row without those columns. */
export function splitHidden(row: Row, keyCount: number, zone: SourceZone | undefined): { row: Row; checkpoint?: Checkpoint } {
  if (!(WATERMARK_ALIAS in row)) return { row };
  const wm = row[WATERMARK_ALIAS];
  delete row[WATERMARK_ALIAS];
  const key: JsonValue[] = [];
  for (let i = 0; i < keyCount; i++) {
    const name = `${KEY_ALIAS_PREFIX}${i}`;
    key.push(keyJson(row[name] ?? null));
    delete row[name];
  }
  if (typeof wm !== 'string' || !zone) return { row };
  return { row, checkpoint: toCheckpoint({ watermark: microsToIso(localTextToMicros(wm, zone), zone), key }) };
}

function keyJson(v: FieldValue): JsonValue {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return JSON.stringify(v);
}
