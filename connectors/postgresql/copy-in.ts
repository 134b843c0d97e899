import type pg from 'pg';
import { CopyQuery } from './copy-query.ts';

/** Frontend message types of the protocol (PostgreSQL docs, "Message Formats"). */
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]); // 'c', length 4
/** A CopyData message's length field counts itself; one message holds at most 1 GiB − 1 of data. */
const MAX_COPY_DATA = 0x3fff_ffff - 4;

/**
 * A `COPY … FROM STDIN` whose data leaves with the statement, in one write: the Query message, the data as CopyData
 * messages and CopyDone. The server reads the data as soon as it has parsed the statement. pg-copy-streams sends it
 * only on the server's CopyInResponse, a round trip in which the server idles until the client's event loop comes
 * round to the answer (measured: 0.95 s of a 7 s MySQL → PostgreSQL copy of 1M rows, in 200 batches).
 *
 * Sending ahead is safe by the protocol: when the COPY fails, before or during the data, the server answers with
 * ErrorResponse and ReadyForQuery and drops any CopyData and CopyDone that follow ("Copy Operations").
 */
class CopyInQuery extends CopyQuery {
  private rowCount = 0;

  constructor(
    private readonly sql: string,
    private readonly data: Buffer,
    private readonly done: (err: Error | null, rowCount: number) => void,
  ) {
    super();
  }

  submit(connection: pg.Connection): void {
    const { stream } = connection;
    stream.cork();
    connection.query(this.sql);
    for (let at = 0; at < this.data.length; at += MAX_COPY_DATA) {
      const part = this.data.subarray(at, at + MAX_COPY_DATA);
      const header = Buffer.allocUnsafe(5);
      header[0] = COPY_DATA;
      header.writeUInt32BE(part.length + 4, 1);
      stream.write(header);
      stream.write(part);
    }
    stream.write(COPY_DONE);
    stream.uncork();
  }

  // CopyInResponse needs no answer: the data is on its way already.

  override handleCommandComplete(msg: { text?: string } | undefined): void {
    const count = /^COPY (\d+)/.exec(msg?.text ?? '');
    if (count) this.rowCount = Number(count[1]);
  }

  protected ended(err: Error | null): void {
    this.done(err, this.rowCount);
  }
}

/** Runs `sql` (a `COPY … FROM STDIN`) with `data` as its input; resolves to the rows the server reports copied. */
export function copyIn(client: pg.Client, sql: string, data: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const query = new CopyInQuery(sql, data, (err, rowCount) => (err ? reject(err) : resolve(rowCount)));
    client.query(query);
  });
}
