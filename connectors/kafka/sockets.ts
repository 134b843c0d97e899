import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

/** kafkajs's own keep-alive delay for broker sockets. */
const KEEP_ALIVE_DELAY_MS = 60_000;

/**
 * The broker sockets of one kafkajs client, so that closing the client is final. kafkajs's `disconnect` waits for
 * the requests in flight (a JoinGroup can wait a whole session timeout) and its consumer reconnects on its own
 * after a failure; `destroyAll` fails what is in flight at once, and every socket asked for afterwards fails
 * before it connects, so nothing of the client can come back.
 */
export class ClientSockets {
  private readonly open = new Set<net.Socket>();
  private closed = false;

  readonly factory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    if (this.closed) {
      const refused = new net.Socket();
      process.nextTick(() => refused.destroy(new Error('the Kafka client was closed')));
      return refused;
    }
    const socket = ssl
      ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    return socket;
  };

  /** Sockets not closed yet. */
  get size(): number {
    return this.open.size;
  }

  /** Fails every open socket (and so the requests waiting on it); refuses every socket asked for from now on. */
  destroyAll(): void {
    this.closed = true;
    for (const socket of this.open) socket.destroy(new Error('the Kafka client was closed'));
  }
}
