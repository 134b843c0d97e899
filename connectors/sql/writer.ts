import { randomBytes } from 'node:crypto';
import type { RejectedRecord, Row, TargetKeyLookup, TextRows, WriteResult, Writer, WriterContext } from '../sdk/index.ts';
import { TaskConfigError, rowBytes } from '../sdk/index.ts';
import { findColumn, type ColumnMeta, type TableMeta } from './catalog.ts';
import { LoadsAhead, type LoadAhead } from './copy-ahead.ts';
import { qualified } from './dialect.ts';
import { checkIdentifier, parseTableName, tableLabel } from './identifiers.ts';
import { SqlKeyLookup } from './key-lookup.ts';
import type { BulkText, SqlTargetSession, TextCopyColumn } from './session.ts';
import { BATCH_NUMBER_LENGTH, chooseKey, createTableSql, plannedColumns, resolveColumn } from './target-table.ts';
import type { SqlParam } from './where.ts';

/** One statement stays under this many bytes of row data (MySQL's max_allowed_packet is 16 MiB by default). */
const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;
const SAVEPOINT = 'fdi_rows';

interface PendingRow {
  index: number;
  params: SqlParam[];
}

/** One group of a batch (all its rows write the same columns), encoded for the target. */
interface PreparedGroup {
  columns: string[];
  metas: ColumnMeta[];
  rows: PendingRow[];
  /** The rows in the session's bulk-load text; null when they have none or the writer is past bulk loads. */
  bulk: BulkText | null;
}

/** A batch encoded for the target: its groups, and the records refused while encoding them. */
interface PreparedBatch {
  groups: PreparedGroup[];
  rejected: RejectedRecord[];
}

/**
 * The relational writer shared by MySQL and PostgreSQL. Each `write` is one transaction: multi-row upserts, and when
 * a statement fails with a data error (constraint, length, type, not-null) its rows are split in halves and retried
 * under savepoints down to single rows, so only the refused rows are rejected with the database's reason and the
 * rest land. Any other failure (connection lost, table gone, permission) rolls the batch back and throws (503).
 */
export class SqlWriter implements Writer {
  private session: SqlTargetSession | undefined;
  private meta: TableMeta | undefined;
  /** The columns every statement writes, or null for pass-through rows (each batch's own fields). */
  private columns: string[] | null = null;
  private key: string[] = [];
  private batchNumber: { column: string; value: string } | undefined;
  /** Try COPY before INSERT (see `copied`); off after the first key conflict. */
  private copyFirst = true;
  /** Batches `prepare` encoded ahead, until their `write`. */
  private readonly preparedBatches = new WeakMap<Row[], PreparedBatch>();
  /** Once `acceptsText` said yes: the table columns of the text's columns and how each goes into the bulk load. */
  private text: { metas: ColumnMeta[]; columns: TextCopyColumn[] } | undefined;
  /** Text batches `prepareText` encoded ahead, until their `writeText`. */
  private readonly preparedTexts = new WeakMap<TextRows, Buffer>();
  /**
   * Bulk-load buffers of text batches whose COPY has completed, for the next ones: a batch's text is megabytes, and
   * a fresh buffer each time costs the garbage collector more than the encoding.
   */
  private readonly spareBuffers: Buffer[] = [];
  /** Text batches' loads sent ahead on a second connection (copy-ahead.ts), once `acceptsText` said yes to an atomic load. */
  private loadsAhead: LoadsAhead | undefined;
  /** The session `connect` began making, for `open` (or `close`) to take. */
  private connecting: Promise<SqlTargetSession> | undefined;

  constructor(
    private readonly ctx: WriterContext<unknown>,
    private readonly connectSession: () => Promise<SqlTargetSession>,
  ) {}

  connect(): void {
    if (this.connecting) return;
    this.connecting = this.connectSession();
    // Its failure is open()'s, if open is called at all.
    this.connecting.catch(() => undefined);
  }

  async open(): Promise<void> {
    const { task } = this.ctx;
    const t = task.target;
    if (!t.targetTable) throw new TaskConfigError('targetTable', 'is required');
    this.connect();
    const session = await (this.connecting as Promise<SqlTargetSession>);
    this.session = session;
    const ref = parseTableName(t.targetTable, 'targetTable', t.targetSchema, session.defaultSchema);
    const planned = plannedColumns(task);
    const batchColumn = t.batchNumber ? checkIdentifier(t.batchNumber, 'batchNumber') : undefined;
    if (batchColumn && planned.some((c) => c.name.toLowerCase() === batchColumn.toLowerCase())) {
      throw new TaskConfigError('batchNumber', `column ${batchColumn} is also a mapped target column`);
    }
    if (t.targetNeedCreateTable && !(await session.describe(ref))) {
      await session.exec(createTableSql(session.dialect, ref, planned, batchColumn));
    }
    const meta = await session.describe(ref);
    if (!meta) throw new TaskConfigError('targetTable', `table ${tableLabel(ref)} does not exist or is not visible to this user`);
    this.meta = meta;
    this.columns = planned.length > 0 ? planned.map((c) => resolveColumn(meta, c)) : null;

    if (batchColumn) {
      const col = findColumn(meta, batchColumn);
      if (!col) throw new TaskConfigError('batchNumber', `column ${batchColumn} does not exist in ${tableLabel(meta.ref)}`);
      if (col.length === null || col.length < BATCH_NUMBER_LENGTH) {
        throw new TaskConfigError('batchNumber', `column ${col.name} must be a string column of length > 14 (it is ${col.columnType})`);
      }
      this.batchNumber = { column: col.name, value: newBatchNumber() };
      this.ctx.log.info('batch number', { column: col.name, value: this.batchNumber.value });
    }
    const marked = planned.filter((c) => c.key).map((c) => resolveColumn(meta, c));
    const written = this.columns ? [...this.columns, ...(this.batchNumber ? [this.batchNumber.column] : [])] : null;
    this.key = chooseKey(meta, written, marked);
    if (this.key.length === 0) this.ctx.log.warn('target has no usable unique key: plain INSERT, a re-run writes rows again', { table: tableLabel(meta.ref) });

    if (t.isSupportClearTab) {
      await session.exec(session.dialect.name === 'postgresql' ? `TRUNCATE TABLE ${qualified(session.dialect, meta.ref)}` : `DELETE FROM ${qualified(session.dialect, meta.ref)}`);
    }
  }

  /** The bound parameters and bulk-load text of a batch the engine will write next (pure CPU work). */
  prepare(records: Row[]): void {
    if (!this.session || !this.meta || records.length === 0) return;
    try {
      this.preparedBatches.set(records, this.prepareBatch(records));
    } catch {
      // `write` encodes it again and meets the same failure there, where it counts.
    }
  }

  /**
   * Rows as the source's text go straight into a bulk load (PostgreSQL COPY, MySQL LOAD DATA LOCAL) when each
   * column's text lands as its record's value would (`SqlTargetSession.textColumn`), into the same table column,
   * with nothing added per row (no batch number).
   */
  acceptsText(rows: TextRows): boolean {
    const { session, meta } = this.opened();
    if (!session.textColumn || !session.bulkTextOfText || !session.copyRows || this.batchNumber) return false;
    if (this.columns && this.columns.length !== rows.columns.length) return false;
    const metas: ColumnMeta[] = [];
    const columns: TextCopyColumn[] = [];
    for (const [i, column] of rows.columns.entries()) {
      const target = findColumn(meta, this.columns ? (this.columns[i] as string) : column.name);
      if (!target || (this.columns && target.name.toLowerCase() !== column.name.toLowerCase())) return false;
      const how = session.textColumn(column, target, rows.zone);
      if (!how) return false;
      metas.push(target);
      columns.push(how);
    }
    if (new Set(metas.map((m) => m.name)).size !== metas.length) return false;
    this.text = { metas, columns };
    if (session.copyRowsAtomic === true) this.loadsAhead ??= new LoadsAhead(session, this.connectSession);
    return true;
  }

  /** The bulk text of the next batch; with an atomic load (PostgreSQL) that load is sent ahead (copy-ahead.ts). */
  prepareText(rows: TextRows): void {
    const { session, meta } = this.opened();
    if (!this.text || !this.copyFirst || !session.bulkTextOfText || rows.count === 0) return;
    const bulk = session.bulkTextOfText(rows, this.text.columns, this.spareBuffers.pop());
    if (this.loadsAhead?.send(rows, bulk, meta.ref, this.text.metas)) return;
    this.preparedTexts.set(rows, bulk);
  }

  /**
   * One bulk load of the text: a COPY on its own (it lands whole or not at all), a LOAD DATA in a transaction. When
   * the target refuses it, the batch's records take the record path without a second bulk load, which rejects
   * exactly the refused rows.
   */
  async writeText(rows: TextRows): Promise<WriteResult> {
    const { session } = this.opened();
    if (rows.count === 0) return { rejected: [] };
    const ahead = this.loadsAhead?.take(rows);
    if (ahead) return this.writeAhead(ahead, rows);
    // A load sent ahead for another batch (not one the engine writes next): rolled back, its text kept.
    await this.withdrawAhead();
    if (!this.text || !this.copyFirst || !session.copyRows || !session.bulkTextOfText) {
      this.loadsAhead?.loaded();
      return this.writeRecords(rows.records(), true);
    }
    const bulk = this.preparedTexts.get(rows) ?? session.bulkTextOfText(rows, this.text.columns, this.spareBuffers.pop());
    this.preparedTexts.delete(rows);
    return this.loadText(rows, bulk);
  }

  private async loadText(rows: TextRows, bulk: Buffer): Promise<WriteResult> {
    const { session, meta } = this.opened();
    const text = this.text as NonNullable<SqlWriter['text']>;
    const copyRows = session.copyRows as NonNullable<SqlTargetSession['copyRows']>;
    // A load that is not atomic by itself (LOAD DATA LOCAL commits rows it only warned about) runs in a transaction
    // that a refusal rolls back whole.
    const inTransaction = session.copyRowsAtomic !== true;
    if (inTransaction) await session.exec('BEGIN');
    try {
      const loaded = await copyRows.call(session, meta.ref, text.metas, bulk, rows.count).finally(() => this.loadsAhead?.loaded());
      if (loaded) {
        if (inTransaction) await session.exec('COMMIT');
        this.spareBuffer(bulk);
        return { rejected: [] };
      }
      // The server takes no bulk loads (MySQL's local_infile off): statements for the rest of the run.
      if (inTransaction) await session.exec('ROLLBACK');
      this.copyFirst = false;
    } catch (e) {
      if (inTransaction) await session.exec('ROLLBACK').catch(() => undefined);
      this.loadRefused(e);
    }
    return this.writeRowsAfterLoad(rows);
  }

  /** The write of a batch whose load was sent ahead: its COMMIT, or the record path when the load was refused. */
  private async writeAhead(ahead: LoadAhead, rows: TextRows): Promise<WriteResult> {
    if (!(await ahead.session.then(() => true, () => false))) {
      // The second connection could not be made (max_connections …): one connection, as without loads ahead. The
      // next batch may have been sent ahead on this one meanwhile: rolled back first, its text kept.
      await this.withdrawAhead();
      const loads = this.loadsAhead;
      this.loadsAhead = undefined;
      await loads?.close();
      return this.loadText(rows, ahead.bulk);
    }
    const failure = await (this.loadsAhead as LoadsAhead).commit(ahead);
    if (failure === null) {
      this.spareBuffer(ahead.bulk);
      return { rejected: [] };
    }
    this.loadRefused(failure);
    return this.writeRowsAfterLoad(rows);
  }

  /**
   * A bulk load failed with `err`: rethrown unless the target refused data (then the caller writes the rows through
   * the statements); after a key conflict the rest of the run upserts straight away (a re-run over existing rows
   * would otherwise pay for a failed bulk load per batch).
   */
  private loadRefused(err: unknown): void {
    const data = this.opened().session.dataError(err);
    if (!data) throw err;
    if (data.keyConflict) this.copyFirst = false;
  }

  /** Text rows whose bulk load did not land, through the statements: the load sent ahead is rolled back first. */
  private async writeRowsAfterLoad(rows: TextRows): Promise<WriteResult> {
    await this.withdrawAhead();
    return this.writeRecords(rows.records(), false);
  }

  /** Rolls back a load sent ahead, keeping its text for that batch's own write. */
  private async withdrawAhead(): Promise<void> {
    const back = await this.loadsAhead?.withdraw();
    if (back) this.preparedTexts.set(back.rows, back.bulk);
  }

  /**
   * The buffer of a load that completed, for the next batch's text. Not after a failure, when the socket may still
   * be sending it.
   */
  private spareBuffer(bulk: Buffer): void {
    const whole = ownedBuffer(bulk);
    if (whole && this.spareBuffers.length < MAX_SPARE_BUFFERS) this.spareBuffers.push(whole);
  }

  write(records: Row[]): Promise<WriteResult> {
    return this.writeRecords(records, true);
  }

  /** `write`; `bulk` false after a refused bulk load of these very rows: straight to the statements. */
  private async writeRecords(records: Row[], bulk: boolean): Promise<WriteResult> {
    const { session } = this.opened();
    if (records.length === 0) return { rejected: [] };
    const batch = this.preparedBatches.get(records) ?? this.prepareBatch(records);
    this.preparedBatches.delete(records);
    const { groups: prepared, rejected } = batch;

    // The common batch, new rows in one group, is one statement that needs no transaction of its own when the
    // bulk load is atomic: one round trip instead of five (BEGIN, SAVEPOINT, COPY, RELEASE, COMMIT).
    const only = prepared.length === 1 ? prepared[0] : undefined;
    const alone = bulk && only !== undefined && only.rows.length > 0 && session.copyRowsAtomic === true && this.copyFirst;
    if (alone && (await this.copied(only, false))) {
      return { rejected: rejected.sort((a, b) => a.index - b.index) };
    }

    await session.exec('BEGIN');
    try {
      for (const group of prepared) {
        const { columns, rows } = group;
        // After a refused bulk load of these very rows (alone), straight to the statements that find the refused.
        if (bulk && !alone && rows.length > 0 && (await this.copied(group, true))) continue;
        for (const chunk of this.chunks(rows, columns.length, records)) {
          rejected.push(...(await this.attempt(columns, chunk)));
        }
      }
      await session.exec('COMMIT');
    } catch (e) {
      await session.exec('ROLLBACK').catch(() => undefined);
      throw e;
    }
    rejected.sort((a, b) => a.index - b.index);
    return { rejected };
  }

  private prepareBatch(records: Row[]): PreparedBatch {
    const rejected: RejectedRecord[] = [];
    const groups = this.columns ? [{ columns: this.columns, indexes: records.map((_r, i) => i) }] : this.passThroughGroups(records, rejected);
    return { groups: groups.map((group) => this.prepareGroup(group, records, rejected)), rejected };
  }

  /** The group's rows as bound parameters (and bulk text); a value the target cannot take makes its row rejected here. */
  private prepareGroup(group: { columns: string[]; indexes: number[] }, records: Row[], rejected: RejectedRecord[]): PreparedGroup {
    const { session, meta } = this.opened();
    const columns = this.batchNumber ? [...group.columns, this.batchNumber.column] : group.columns;
    const metas = columns.map((c) => findColumn(meta, c) as ColumnMeta);
    const rows: PendingRow[] = [];
    for (const index of group.indexes) {
      const record = records[index] as Row;
      try {
        const params = group.columns.map((c, i) => session.toParam(record[c] ?? null, metas[i] as ColumnMeta));
        if (this.batchNumber) params.push(this.batchNumber.value);
        rows.push({ index, params });
      } catch (e) {
        rejected.push({ index, reason: e instanceof Error ? e.message : String(e) });
      }
    }
    const bulk = session.bulkText && session.copyRows && this.copyFirst && rows.length > 0 ? session.bulkText(metas, rows.map((r) => r.params)) : null;
    return { columns, metas, rows, bulk };
  }

  /** The integrity check asks the table by the upsert key; without one, rows cannot be told apart. */
  keyLookup(): TargetKeyLookup | undefined {
    const { session, meta } = this.opened();
    return this.key.length > 0 ? new SqlKeyLookup(session, meta, this.key) : undefined;
  }

  /** Each write commits before it returns: nothing is left to flush. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    const loads = this.loadsAhead;
    this.loadsAhead = undefined;
    await loads?.close();
    const connecting = this.connecting;
    this.connecting = undefined;
    this.session = undefined;
    const s = await connecting?.catch(() => undefined);
    if (s) await s.close();
  }

  /** Insert `rows`; on a data error split them until each refused row stands alone. */
  private async attempt(columns: readonly string[], rows: PendingRow[]): Promise<RejectedRecord[]> {
    const { session, meta } = this.opened();
    const update = columns.filter((c) => !this.key.includes(c));
    const sql = session.insertSql(meta.ref, columns, rows.length, this.key, update, this.ctx.task.target.supportPartUpdate);
    await session.exec(`SAVEPOINT ${SAVEPOINT}`);
    try {
      await session.exec(sql, rows.flatMap((r) => r.params));
      await session.exec(`RELEASE SAVEPOINT ${SAVEPOINT}`);
      return [];
    } catch (e) {
      const data = session.dataError(e);
      if (!data) throw e;
      await session.exec(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
      await session.exec(`RELEASE SAVEPOINT ${SAVEPOINT}`);
      if (rows.length === 1) {
        const only = rows[0] as PendingRow;
        return [data.column === undefined ? { index: only.index, reason: data.reason } : { index: only.index, reason: data.reason, column: data.column }];
      }
      const half = Math.ceil(rows.length / 2);
      return [...(await this.attempt(columns, rows.slice(0, half))), ...(await this.attempt(columns, rows.slice(half)))];
    }
  }

  /**
   * Bulk-loads `rows` when the session can (PostgreSQL COPY, MySQL LOAD DATA LOCAL): rows that are all new land
   * exactly as the upsert would land them, several times faster. A data error (a refused row, a key already there)
   * rolls the COPY back (to the savepoint, or, outside a transaction, the failed statement itself) and the caller
   * redoes the rows through `attempt`, which rejects exactly the refused ones; after a key conflict the rest
   * of the run upserts straight away (a re-run over existing rows would otherwise pay for a failed COPY per batch).
   */
  private async copied(group: PreparedGroup, inTransaction: boolean): Promise<boolean> {
    const { session, meta } = this.opened();
    if (!session.copyRows || !this.copyFirst || group.bulk === null) return false;
    // Outside a transaction (copyRowsAtomic) a failed load has changed nothing: no savepoint to return to.
    if (inTransaction) await session.exec(`SAVEPOINT ${SAVEPOINT}`);
    try {
      const done = await session.copyRows(meta.ref, group.metas, group.bulk, group.rows.length);
      if (inTransaction) await session.exec(`RELEASE SAVEPOINT ${SAVEPOINT}`);
      return done;
    } catch (e) {
      this.loadRefused(e);
      if (inTransaction) {
        await session.exec(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
        await session.exec(`RELEASE SAVEPOINT ${SAVEPOINT}`);
      }
      return false;
    }
  }

  private *chunks(rows: PendingRow[], columnCount: number, records: Row[]): Iterable<PendingRow[]> {
    const { session } = this.opened();
    const maxRows = Math.max(1, Math.floor(session.maxParams / Math.max(1, columnCount)));
    let chunk: PendingRow[] = [];
    let bytes = 0;
    for (const row of rows) {
      const size = rowBytes(records[row.index] as Row);
      if (chunk.length > 0 && (chunk.length >= maxRows || bytes + size > MAX_STATEMENT_BYTES)) {
        yield chunk;
        chunk = [];
        bytes = 0;
      }
      chunk.push(row);
      bytes += size;
    }
    if (chunk.length > 0) yield chunk;
  }

  /** Pass-through rows grouped by their set of fields; a field the table lacks makes the row dirty. */
  private passThroughGroups(records: Row[], rejected: RejectedRecord[]): { columns: string[]; indexes: number[] }[] {
    const { meta } = this.opened();
    const groups = new Map<string, { columns: string[]; indexes: number[] }>();
    records.forEach((record, index) => {
      const columns: string[] = [];
      if (Object.keys(record).length === 0) {
        rejected.push({ index, reason: 'the record has no fields to write' });
        return;
      }
      for (const field of Object.keys(record)) {
        const col = findColumn(meta, field);
        if (!col || (this.batchNumber && col.name === this.batchNumber.column)) {
          rejected.push({ index, reason: `column ${field} does not exist in ${tableLabel(meta.ref)}`, column: field });
          return;
        }
        columns.push(col.name);
      }
      const sig = columns.join('\u0000');
      const g = groups.get(sig) ?? { columns, indexes: [] };
      g.indexes.push(index);
      groups.set(sig, g);
    });
    return [...groups.values()];
  }

  private opened(): { session: SqlTargetSession; meta: TableMeta } {
    if (!this.session || !this.meta) throw new Error('writer is not open');
    return { session: this.session, meta: this.meta };
  }
}

/** Spare bulk-load buffers a writer keeps: one being written, one prepared ahead. */
const MAX_SPARE_BUFFERS = 2;
/** Smaller buffers may be slices of Node's shared pool, which must not be reused. */
const MIN_SPARE_BYTES = 64 * 1024;

/** The whole buffer `view` starts, when it has one of its own (not a slice of Node's shared pool). */
function ownedBuffer(view: Buffer): Buffer | undefined {
  return view.byteOffset === 0 && view.buffer.byteLength >= MIN_SPARE_BYTES && view.buffer instanceof ArrayBuffer ? Buffer.from(view.buffer) : undefined;
}

/** A random id for one run's `batchNumber` column: 15 characters, base 36. */
function newBatchNumber(): string {
  const bytes = randomBytes(BATCH_NUMBER_LENGTH);
  let out = '';
  for (const b of bytes) out += (b % 36).toString(36);
  return out;
}
