/**
 * One process's share of a served deployment, assembled from the runtime config: the Redis store, the connector
 * registry, the TaskControl (for the API) and/or a worker. `fdi serve` opens both, `fdi worker` only the worker.
 */
import { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { createDefaultRegistry } from '../connectors/builtins.ts';
import type { ConnectorRegistry } from '../connectors/registry/index.ts';
import type { ConnectorLogger } from '../connectors/sdk/index.ts';
import type { TaskMonitorLog } from '../core/monitor-log.ts';
import { RedisStore, type RetentionPolicy } from '../core/redis-store.ts';
import type { SecretBox } from '../core/secret-box.ts';
import { FdiWorker } from '../worker/bullmq-worker.ts';
import { planRepeatStrategy } from './plan-strategy.ts';
import type { RuntimeConfig } from './runtime-config.ts';
import { BullTaskControl } from './runtime.ts';

export interface DeploymentOptions {
  config: RuntimeConfig;
  secrets: SecretBox;
  /** Monitor-log retention (default: the store's). */
  retention?: Partial<RetentionPolicy>;
  logger: ConnectorLogger;
  /** Default: the built-in connectors. */
  registry?: ConnectorRegistry;
  /** Open the TaskControl (the API's side). */
  control: boolean;
  /** Open a worker that runs executions. */
  worker: boolean;
  workerName?: string;
  onFire?(latenessMs: number): void;
  onRunFinished?(log: TaskMonitorLog): void;
}

export interface Deployment {
  config: RuntimeConfig;
  store: RedisStore;
  registry: ConnectorRegistry;
  control: BullTaskControl | null;
  worker: FdiWorker | null;
  /** Every Redis connection answers PING (readiness). */
  ping(): Promise<void>;
  /** Graceful: the worker first (realtime runs hand over, timing runs finish within the grace), then the rest. */
  close(): Promise<void>;
}

/** Redis connections as BullMQ wants them: commands wait through a reconnect instead of failing. */
export function redisConnector(url: string, onError: (err: Error) => void): () => Redis {
  return () => {
    const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
    redis.on('error', onError);
    return redis;
  };
}

export async function openDeployment(opts: DeploymentOptions): Promise<Deployment> {
  const { config, logger } = opts;
  let lastErrorLog = 0;
  const connect = redisConnector(config.redisUrl, (err) => {
    // A Redis restart makes every connection complain at once; one line a few seconds is enough.
    if (Date.now() - lastErrorLog > 5000) {
      lastErrorLog = Date.now();
      logger.warn('Redis connection error; reconnecting', { error: err.message });
    }
  });
  const storeRedis = connect();
  const store = new RedisStore({ redis: storeRedis, secrets: opts.secrets, prefix: config.keyPrefix, ...(opts.retention ? { retention: opts.retention } : {}) });
  const registry = opts.registry ?? createDefaultRegistry();
  const control = opts.control
    ? new BullTaskControl({ connect, store, keyPrefix: config.keyPrefix, lockMs: config.lockMs, stopWaitMs: config.stopWaitMs, logger })
    : null;
  const worker = opts.worker
    ? new FdiWorker({
        connect,
        store,
        registry,
        keyPrefix: config.keyPrefix,
        repeatStrategy: planRepeatStrategy,
        concurrency: config.concurrency,
        lockMs: config.lockMs,
        stalledIntervalMs: config.stalledIntervalMs,
        maxStalledCount: config.maxStalledCount,
        misfirePolicy: config.misfirePolicy,
        misfireThresholdMs: config.misfireThresholdMs,
        waitingAfterMs: config.waitingAfterMs,
        shutdownGraceMs: config.shutdownGraceMs,
        name: opts.workerName ?? `${hostname()}:${process.pid}`,
        logger,
        ...(opts.onFire ? { onFire: opts.onFire } : {}),
        ...(opts.onRunFinished ? { onRunFinished: opts.onRunFinished } : {}),
      })
    : null;
  await worker?.start();
  let closing: Promise<void> | null = null;
  return {
    config,
    store,
    registry,
    control,
    worker,
    ping: async () => {
      await store.ping();
    },
    close: () => {
      closing ??= (async () => {
        await worker?.close();
        await control?.close();
        await storeRedis.quit().catch(() => storeRedis.disconnect());
      })();
      return closing;
    },
  };
}
