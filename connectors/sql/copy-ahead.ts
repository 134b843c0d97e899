import type { TextRows } from '../sdk/index.ts';
import type { ColumnMeta } from './catalog.ts';
import type { TableRef } from './identifiers.ts';
import type { SqlTargetSession } from './session.ts';

/** The connections a batch can be loaded on: the writer's own, and the second one that loads ahead. */
type Slot = 0 | 1;

/** A batch whose load was sent ahead of its write. */
export interface LoadAhead {
  rows: TextRows;
  bulk: Buffer;
  slot: Slot;
  session: Promise<SqlTargetSession>;
  /** Settles once BEGIN and the load have run: null, or what failed (the connection, BEGIN, or the load). */
  outcome: Promise<unknown>;
}

/**
 * Bulk loads sent ahead, for a target whose load is one atomic statement (PostgreSQL's COPY). While the engine writes
 * text batch N, batch N+1 (handed over by `prepareText`) is already loading on the other of two connections, inside
 * a transaction that only its own write commits. Its load starts as soon as the batch before it has loaded, with no
 * further round trip to the engine, and that batch's COMMIT goes on the other connection meanwhile.
 *
 * What users rely on holds: batches still commit one at a time and in order (N+1's COMMIT is sent only when the
 * engine writes N+1, after N committed); rows of a batch the engine never writes (the run stopped, failed, was
 * cancelled) are never committed, and closing the connection rolls them back; a row of N+1 that has the key of a row
 * of N waits on N's transaction (N has loaded by then, so it never waits on N+1) and then fails N+1's load as a key
 * conflict, as it would have after N. When N fails,
 * N+1's load is withdrawn (rolled back) before N's rows are written one by one, so they cannot wait on each other.
 */
export class LoadsAhead {
  private second: Promise<SqlTargetSession> | undefined;
  private pending: LoadAhead | undefined;
  /** The connection of the batch being written; a batch loads ahead on the other one. */
  private writingOn: Slot = 0;
  /**
   * Settles once the load of the batch being written has run (committed or not). A batch sent ahead starts its load
   * only then: loading beside it, it could take a key that batch has yet to reach, and each would wait for the
   * other's transaction, which the engine ends only in order.
   */
  private writingLoaded: Promise<unknown> = Promise.resolve();
  private markLoaded: (() => void) | undefined;

  constructor(
    private readonly main: SqlTargetSession,
    private readonly connect: () => Promise<SqlTargetSession>,
  ) {}

  /** Starts loading `rows` (as `bulk`) now, uncommitted; false when another batch is loading ahead already. */
  send(rows: TextRows, bulk: Buffer, table: TableRef, columns: readonly ColumnMeta[]): boolean {
    if (this.pending) return false;
    const slot: Slot = this.writingOn === 0 ? 1 : 0;
    const session = slot === 0 ? Promise.resolve(this.main) : this.secondSession();
    const after = this.writingLoaded;
    const outcome = session
      .then(async (s) => {
        await s.exec('BEGIN');
        await after;
        await (s.copyRows as NonNullable<SqlTargetSession['copyRows']>).call(s, table, columns, bulk, rows.count);
      })
      .then(
        () => null,
        (e: unknown) => e ?? new Error('the load sent ahead failed'),
      );
    this.pending = { rows, bulk, slot, session, outcome };
    return true;
  }

  /** The load sent ahead for `rows`, now being written (its connection is then the one in use); else undefined. */
  take(rows: TextRows): LoadAhead | undefined {
    const pending = this.pending?.rows === rows ? this.pending : undefined;
    this.loaded();
    if (pending) {
      this.pending = undefined;
      this.writingOn = pending.slot;
      this.writingLoaded = pending.outcome;
    } else {
      // Written on the writer's own connection: `loaded` says when its load has run.
      this.writingOn = 0;
      this.writingLoaded = new Promise<void>((resolve) => (this.markLoaded = resolve));
    }
    return pending;
  }

  /** The load of the batch being written on the writer's own connection has run (or will not run). */
  loaded(): void {
    this.markLoaded?.();
    this.markLoaded = undefined;
  }

  /** Commits a taken load: null when its rows are in, else what failed (the transaction then rolled back). */
  async commit(load: LoadAhead): Promise<unknown> {
    const failure = await load.outcome;
    if (failure === null) {
      try {
        await (await load.session).exec('COMMIT');
        return null;
      } catch (e) {
        await rollBack(load);
        return e;
      }
    }
    await rollBack(load);
    return failure;
  }

  /**
   * Rolls back the load sent ahead, if any, and gives back its batch and text for a write of its own: the batch
   * being written failed, and its rows go in one by one next.
   */
  async withdraw(): Promise<LoadAhead | undefined> {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return undefined;
    await pending.outcome;
    await rollBack(pending);
    return pending;
  }

  /** Rolls back a load still pending and closes the second connection. */
  async close(): Promise<void> {
    this.loaded();
    await this.withdraw();
    const second = await this.second?.catch(() => undefined);
    this.second = undefined;
    await second?.close();
  }

  private secondSession(): Promise<SqlTargetSession> {
    if (!this.second) {
      this.second = this.connect();
      // Its failure is the outcome of the load that needed it.
      this.second.catch(() => undefined);
    }
    return this.second;
  }
}

/** Ends a load's transaction without its rows (a connection that was never made has none to end). */
async function rollBack(load: LoadAhead): Promise<void> {
  const session = await load.session.catch(() => undefined);
  await session?.exec('ROLLBACK').catch(() => undefined);
}
