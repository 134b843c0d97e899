import type pg from 'pg';
import { CopyQuery } from './copy-query.ts';

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
export class CopyOutQuery extends CopyQuery {
  private stream: pg.Connection['stream'] | undefined;
  private sinkFailure: Error | null = null;

  constructor(
    private readonly sql: string,
    private readonly sink: CopyOutSink,
  ) {
    super();
  }

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

  override handleCopyData(msg: { chunk: Buffer }): void {
    if (this.isSettled || this.sinkFailure) return;
    try {
      this.sink.line(msg.chunk);
    } catch (e) {
      // A line the sink cannot take: the rest of the COPY is dropped and the query fails with it once it ends.
      this.sinkFailure = e instanceof Error ? e : new Error(String(e));
    }
  }

  protected override failure(): Error | null {
    return this.sinkFailure;
  }

  protected ended(err: Error | null): void {
    this.stream?.resume();
    this.sink.done(err);
  }
}
