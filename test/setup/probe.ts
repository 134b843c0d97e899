/**
 * Protocol-level "does it answer?" checks for the test services, without credentials: a bare TCP connect would
 * pass for a half-started daemon or for the Kafka front whose mock has died; these wait for the server's own
 * first words (MySQL greeting, PostgreSQL SSL reply, Redis PONG, Kafka ApiVersions, SSH banner).
 */
import net from 'node:net';

const PROBE_TIMEOUT_MS = 3_000;

export interface Endpoint {
  host: string;
  port: number;
}

/**
 * Connects, optionally sends `request`, and resolves with `judge(received bytes)` once it returns a verdict
 * (true/false); `undefined` means "need more bytes". Any socket error, early close or timeout resolves false.
 */
function exchange(
  { host, port }: Endpoint,
  request: Buffer | undefined,
  judge: (received: Buffer) => boolean | undefined,
): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = net.connect({ host, port });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (verdict: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolvePromise(verdict);
    };
    const timer = setTimeout(() => finish(false), PROBE_TIMEOUT_MS);
    socket.on('connect', () => {
      if (request) socket.write(request);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const verdict = judge(received);
      if (verdict !== undefined) finish(verdict);
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

/** MySQL/MariaDB send a handshake first: protocol version 10; 0xff would be an error packet (e.g. host blocked). */
export function mysqlAnswers(endpoint: Endpoint): Promise<boolean> {
  return exchange(endpoint, undefined, (b) => (b.length < 5 ? undefined : b[4] === 0x0a));
}

/** PostgreSQL answers an SSLRequest with one byte: 'S' or 'N'. */
export function postgresAnswers(endpoint: Endpoint): Promise<boolean> {
  const sslRequest = Buffer.alloc(8);
  sslRequest.writeInt32BE(8, 0);
  sslRequest.writeInt32BE(80877103, 4);
  return exchange(endpoint, sslRequest, (b) => b[0] === 0x53 || b[0] === 0x4e);
}

/** Redis answers PING with +PONG, or -NOAUTH when it wants a password (it is up either way); -LOADING is not ready. */
export function redisAnswers(endpoint: Endpoint): Promise<boolean> {
  return exchange(endpoint, Buffer.from('PING\r\n'), (b) => {
    const text = b.toString('latin1');
    if (!text.includes('\r\n')) return undefined;
    return text.startsWith('+PONG') || text.startsWith('-NOAUTH');
  });
}

/** SSH servers speak first: "SSH-2.0-…". */
export function sshAnswers(endpoint: Endpoint): Promise<boolean> {
  return exchange(endpoint, undefined, (b) => (b.length < 4 ? undefined : b.subarray(0, 4).toString('latin1') === 'SSH-'));
}

/** A Kafka broker answers ApiVersions v0 with the same correlation id and error code 0. */
export function kafkaAnswers(endpoint: Endpoint): Promise<boolean> {
  const correlationId = 0x0fd1;
  const clientId = Buffer.from('fdi-probe');
  const request = Buffer.alloc(4 + 10 + clientId.length);
  request.writeInt32BE(10 + clientId.length, 0);
  request.writeInt16BE(18, 4); // ApiVersions
  request.writeInt16BE(0, 6); // version 0
  request.writeInt32BE(correlationId, 8);
  request.writeInt16BE(clientId.length, 12);
  clientId.copy(request, 14);
  return exchange(endpoint, request, (b) => {
    if (b.length < 10) return undefined;
    return b.readInt32BE(4) === correlationId && b.readInt16BE(8) === 0;
  });
}

/** host:port of a URL (mysql://, postgres://, redis://), with the scheme's default port. */
export function urlEndpoint(url: string, defaultPort: number): Endpoint {
  const parsed = new URL(url);
  return { host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: parsed.port ? Number(parsed.port) : defaultPort };
}

/** host:port of a Kafka broker address. */
export function brokerEndpoint(broker: string): Endpoint {
  const at = broker.lastIndexOf(':');
  if (at <= 0) throw new Error(`Kafka broker "${broker}" is not host:port`);
  return { host: broker.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(broker.slice(at + 1)) };
}
