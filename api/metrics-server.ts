/**
 * The metrics endpoint of a process that serves no API (`fdi worker --metrics-port N`): `/metrics` from the same
 * registry `fdi serve` exposes (so each worker's runs and fire lateness can be scraped), `/healthz` and `/readyz`
 * answering as the API's do. Plain `node:http`: three read-only routes need no framework.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FdiError } from '../core/fdi-error.ts';
import { errorBody } from './errors.ts';
import { metricsRegistry, setQueueDepthSource } from './metrics.ts';

export interface MetricsServerOptions {
  host: string;
  /** 0 picks a free port (see `port` of the result). */
  port: number;
  /** Resolves when the process can work (Redis answers); `/readyz` is 503 while it rejects. */
  ready(): Promise<void>;
  /** Jobs waiting in the queue, for `fdi_queue_depth`. */
  queueDepth?(): Promise<number>;
}

export interface MetricsServer {
  /** The port it listens on. */
  port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const json = (res: ServerResponse, status: number, body: unknown): void => send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

async function answer(req: IncomingMessage, res: ServerResponse, opts: MetricsServerOptions): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  // As the API answers a route it does not have: 404 FDI.1004 (only GET and HEAD are served).
  const route = req.method === 'GET' || req.method === 'HEAD' ? path : null;
  switch (route) {
    case '/metrics':
      send(res, 200, metricsRegistry.contentType, await metricsRegistry.metrics());
      return;
    case '/healthz':
      json(res, 200, { status: 'ok' });
      return;
    case '/readyz':
      try {
        await opts.ready();
        json(res, 200, { status: 'ready' });
      } catch (e) {
        json(res, 503, { status: 'unavailable', ...errorBody(new FdiError('FDI.9999', `Not ready: ${e instanceof Error ? e.message : String(e)}`)) });
      }
      return;
    default:
      json(res, 404, errorBody(new FdiError('FDI.1004', 'Only GET /metrics, /healthz and /readyz are served here.')));
  }
}

/** Listens on `host:port`; rejects when it cannot (the port is taken). */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  if (opts.queueDepth) setQueueDepthSource(opts.queueDepth);
  const server = createServer((req, res) => {
    answer(req, res, opts).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, errorBody(new FdiError('FDI.9999', e instanceof Error ? e.message : String(e))));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
