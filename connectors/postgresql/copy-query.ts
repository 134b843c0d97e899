import type pg from 'pg';

/**
 * A COPY run on node-postgres's connection as a query of our own (pg.Submittable): it ends once, with the server's
 * error or at ReadyForQuery. node-postgres hands every backend message to the active query, so the ones a COPY never
 * gets are answered here with nothing.
 */
export abstract class CopyQuery implements pg.Submittable {
  /** node-postgres calls it on a query-timeout of its own; the outcome goes to `ended`. */
  callback: () => void = () => undefined;
  private settled = false;

  abstract submit(connection: pg.Connection): void;

  /** The COPY ended, once: null when it completed (ReadyForQuery), else the server's or the connection's error. */
  protected abstract ended(err: Error | null): void;

  /** Failure to report at ReadyForQuery when the server itself reported none (a line the consumer could not take). */
  protected failure(): Error | null {
    return null;
  }

  handleReadyForQuery(): void {
    this.settle(this.failure());
  }

  handleError(err: Error): void {
    this.settle(err);
  }

  handleCommandComplete(_msg?: { text?: string }): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(_msg: { chunk: Buffer }): void {}
  handlePortalSuspended(): void {}

  protected get isSettled(): boolean {
    return this.settled;
  }

  private settle(err: Error | null): void {
    if (this.settled) return;
    this.settled = true;
    this.ended(err);
  }
}
