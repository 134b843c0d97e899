import type { FastifyBaseLogger } from 'fastify';
import type { ConnectorRegistry } from '../connectors/registry/index.ts';
import type { Store } from '../core/store.ts';
import type { TaskControl } from '../scheduler/control.ts';
import type { ApiConfig } from './config.ts';

/** What `buildApi` is given. */
export interface ApiDeps {
  store: Store;
  control: TaskControl;
  registry: ConnectorRegistry;
  config: ApiConfig;
  /** Serve `/metrics` (default true). */
  metrics?: boolean;
  /** Readiness probe for `/readyz` (Redis reachable); it throws when not ready. */
  ready?: () => Promise<void>;
  /** A pino logger; none: the API logs nothing. */
  logger?: FastifyBaseLogger;
  /** The clock of created/modified times (tests pass their own). */
  now?: () => number;
}
