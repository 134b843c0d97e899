import type { SourceZone } from '../../core/normalise/time-zone.ts';
import type { Checkpoint, KeyRange, Reader, ReaderContext, Row, SourceBatch } from '../sdk/index.ts';
import { rowBytes } from '../sdk/index.ts';
import { integerBound, splitKeyRange } from './key-ranges.ts';
import { planRead, splitHidden, type ReadPlan } from './read-plan.ts';
import type { SqlSourceSession } from './session.ts';

/**
 * The relational reader shared by MySQL and PostgreSQL: plans the SELECT (table or custom SQL, where, incremental
 * window), streams it in batches, and says after each batch where it stands.
 */
export class SqlReader implements Reader {
  private session: SqlSourceSession | undefined;
  private plan: ReadPlan | undefined;

  /** `zone` is resolved in `open`, so a bad `timeZone` is a start failure (911) like any other. */
  constructor(
    private readonly ctx: ReaderContext<unknown>,
    private readonly zone: () => SourceZone,
    private readonly connect: (zone: SourceZone) => Promise<SqlSourceSession>,
  ) {}

  async open(): Promise<void> {
    const zone = this.zone();
    this.session = await this.connect(zone);
    this.plan = await planRead({ task: this.ctx.task, session: this.session, checkpoint: this.ctx.checkpoint, zone });
    if (this.plan.window) this.ctx.log.info('incremental window', { begin: this.plan.window.begin, end: this.plan.window.end });
  }

  batches(): AsyncIterable<SourceBatch> {
    return this.readPlan();
  }

  /** The same statement with the same bound window: the rows the integrity check compares with the target. */
  rereadWindow(): AsyncIterable<SourceBatch> {
    return this.readPlan();
  }

  private async *readPlan(): AsyncIterable<SourceBatch> {
    const { session, plan } = this.opened();
    const keyCount = plan.tieBreak?.keyColumns.length ?? 0;
    const zone = plan.tieBreak?.zone;
    const { batchSize, textBatchSize } = this.ctx.task.runtime;
    // Rows as their text only where each row is just its columns (no hidden tie-break columns to split off).
    const pages =
      this.ctx.takesText === true && keyCount === 0 && session.textPages
        ? session.textPages(plan.sql, plan.params, batchSize, textBatchSize, plan.jsonColumns, this.ctx.signal)
        : session.pages(plan.sql, plan.params, batchSize, plan.jsonColumns, this.ctx.signal);
    for await (const page of pages) {
      if (!Array.isArray(page)) {
        yield { records: [], text: page.rows, bytes: page.bytes, recordBytes: page.sizes };
        continue;
      }
      let bytes = 0;
      let checkpoint: Checkpoint | undefined;
      const recordBytes: number[] = [];
      const records = page.map((raw) => {
        const split = splitHidden(raw, keyCount, zone);
        if (split.checkpoint) checkpoint = split.checkpoint;
        const size = rowBytes(split.row);
        recordBytes.push(size);
        bytes += size;
        return split.row;
      });
      yield checkpoint === undefined ? { records, bytes, recordBytes } : { records, bytes, recordBytes, checkpoint };
    }
  }

  async splitKeyRanges(parts: number): Promise<KeyRange[] | null> {
    const { session, plan } = this.opened();
    if (!plan.split || parts < 2) return null;
    let bounds: Row | undefined;
    for await (const page of session.pages(plan.split.boundsSql, plan.split.boundsParams, 1, new Set(), this.ctx.signal)) bounds ??= page[0];
    const lo = integerBound(bounds?.['lo']);
    const hi = integerBound(bounds?.['hi']);
    if (lo === null || hi === null) return null;
    const ranges = splitKeyRange(plan.split.column, lo, hi, parts);
    return ranges.length > 1 ? ranges : null;
  }

  finalCheckpoint(): Checkpoint | undefined {
    return this.plan?.final;
  }

  async count(): Promise<number> {
    const { session, plan } = this.opened();
    return session.count(plan.countSql, plan.countParams);
  }

  async close(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s) await s.close();
  }

  private opened(): { session: SqlSourceSession; plan: ReadPlan } {
    if (!this.session || !this.plan) throw new Error('reader is not open');
    return { session: this.session, plan: this.plan };
  }
}
