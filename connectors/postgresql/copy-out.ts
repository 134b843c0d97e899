import type pg from 'pg';

/** Where the lines of a `COPY … TO STDOUT` go as they arrive. */
export interface CopyOutSink {
  /** One CopyData message: PostgreSQL sends each row's line as one. Its bytes are valid only during the call. */
  line(data: Buffer): void;
  /** The COPY ended: null when it completed, else why it failed. */
  done(err: Error | null): void;
}

/**
 * A `COPY … TO STDOUT` on node-postgres's connection, its data handed to `sink` message by message. `pause` and
 * `resume` hold the socket (and so the server, through TCP) while the consumer is behind.
 */
export class CopyOutQuery implements pg.Submittable {
  /** node-postgres calls it on a query-timeout of its own; the outcome goes to the sink. */
  callback: () => void = () => undefined;
  private stream: pg.Connection['stream'] | undefined;
  private settled = false;
  private failure: Error | null = null;

  constructor(
    private readonly sql: string,
    private readonly sink: CopyOutSink,
  ) {}

  submit(connection: pg.Connection): void {
    this.stream = connection.stream;
    connection.query(this.sql);
  }

  pause(): void {
    this.stream?.pause();
  }

  resume(): void {
    this.stream?.resume();
  }

  /** Ends the connection under a COPY the consumer no longer wants (the server would send all of it first). */
  abort(): void {
    this.stream?.destroy();
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    if (this.settled || this.failure) return;
    try {
      this.sink.line(msg.chunk);
    } catch (e) {
      // A line the sink cannot take: the rest of the COPY is dropped and the query fails with it once it ends.
      this.failure = e instanceof Error ? e : new Error(String(e));
    }
  }

  handleReadyForQuery(): void {
    this.settle(this.failure);
  }

  handleError(err: Error): void {
    this.settle(err);
  }

  // A COPY TO answers with none of these; node-postgres dispatches them to whatever query is active.
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handleCopyInResponse(): void {}
  handlePortalSuspended(): void {}

  private settle(err: Error | null): void {
    if (this.settled) return;
    this.settled = true;
    this.stream?.resume();
    this.sink.done(err);
  }
}
