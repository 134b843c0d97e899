/**
 * The settings of the BullMQ runtime (`fdi serve`, `fdi worker`), from the environment. A bad value is an
 * FdiError FDI.3002 naming the variable.
 */
import { FdiError } from '../core/fdi-error.ts';
import { DEFAULT_KEY_PREFIX } from '../core/redis-store.ts';
import type { MisfirePolicy } from '../worker/job-runner.ts';
import { defaultPlanTimeZone } from './plan/index.ts';

export interface RuntimeConfig {
  /** `REDIS_URL`: BullMQ and the store share it. */
  redisUrl: string;
  /** `FDI_KEY_PREFIX`: every Redis key of the deployment starts with it. */
  keyPrefix: string;
  /** `FDI_WORKER_CONCURRENCY`: executions at once per worker process (a realtime task holds one for as long as it runs). */
  concurrency: number;
  /** `FDI_TIME_ZONE`: the zone of plans that name none. */
  timeZone: string;
  /** `FDI_MISFIRE_POLICY`: `fire_once` (a fire missed while no worker ran runs once) or `skip`. */
  misfirePolicy: MisfirePolicy;
  /** `FDI_MISFIRE_THRESHOLD_MS`: under `skip`, how late a fire may start and still run. */
  misfireThresholdMs: number;
  /** `FDI_LOCK_MS`: job and task lock ttl; a vanished worker's runs are resumed after about this long. */
  lockMs: number;
  /** `FDI_STALLED_INTERVAL_MS`: how often workers look for jobs of vanished workers. */
  stalledIntervalMs: number;
  /** `FDI_MAX_STALLED_COUNT`: how often one job may be taken back from vanished workers before it ends with 915. */
  maxStalledCount: number;
  /** `FDI_WAITING_AFTER_MS`: a run not taken up this long after it was due shows WAITING (906/908). */
  waitingAfterMs: number;
  /** `FDI_SHUTDOWN_GRACE_MS`: on SIGTERM, how long timing runs may go on before they are cancelled. */
  shutdownGraceMs: number;
  /** `FDI_STOP_WAIT_MS`: how long stopping a realtime task waits for its run to drain. */
  stopWaitMs: number;
}

export const RUNTIME_DEFAULTS = {
  redisUrl: 'redis://127.0.0.1:6379',
  keyPrefix: DEFAULT_KEY_PREFIX,
  concurrency: 8,
  misfirePolicy: 'fire_once',
  misfireThresholdMs: 60_000,
  lockMs: 30_000,
  stalledIntervalMs: 15_000,
  maxStalledCount: 10,
  waitingAfterMs: 2_000,
  shutdownGraceMs: 30_000,
  stopWaitMs: 60_000,
} as const;

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new FdiError('FDI.3002', `${name}=${JSON.stringify(raw)} must be an integer ≥ ${min}.`, name);
  }
  return n;
}

function misfire(env: NodeJS.ProcessEnv): MisfirePolicy {
  const raw = env['FDI_MISFIRE_POLICY']?.trim().toLowerCase();
  if (!raw) return RUNTIME_DEFAULTS.misfirePolicy;
  if (raw === 'fire_once' || raw === 'skip') return raw;
  throw new FdiError('FDI.3002', `FDI_MISFIRE_POLICY=${JSON.stringify(raw)} must be fire_once or skip.`, 'FDI_MISFIRE_POLICY');
}

function redisUrl(env: NodeJS.ProcessEnv): string {
  const raw = env['REDIS_URL']?.trim() || RUNTIME_DEFAULTS.redisUrl;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FdiError('FDI.3002', `REDIS_URL=${JSON.stringify(raw)} is not a URL (redis://host:port/db).`, 'REDIS_URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new FdiError('FDI.3002', `REDIS_URL must start with redis:// or rediss://, got ${JSON.stringify(url.protocol)}.`, 'REDIS_URL');
  }
  return raw;
}

export function runtimeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const lockMs = int(env, 'FDI_LOCK_MS', RUNTIME_DEFAULTS.lockMs, 1000);
  return {
    redisUrl: redisUrl(env),
    keyPrefix: env['FDI_KEY_PREFIX'] ?? RUNTIME_DEFAULTS.keyPrefix,
    concurrency: int(env, 'FDI_WORKER_CONCURRENCY', RUNTIME_DEFAULTS.concurrency, 1),
    timeZone: defaultPlanTimeZone(env),
    misfirePolicy: misfire(env),
    misfireThresholdMs: int(env, 'FDI_MISFIRE_THRESHOLD_MS', RUNTIME_DEFAULTS.misfireThresholdMs, 0),
    lockMs,
    stalledIntervalMs: int(env, 'FDI_STALLED_INTERVAL_MS', Math.min(RUNTIME_DEFAULTS.stalledIntervalMs, lockMs), 500),
    maxStalledCount: int(env, 'FDI_MAX_STALLED_COUNT', RUNTIME_DEFAULTS.maxStalledCount, 1),
    waitingAfterMs: int(env, 'FDI_WAITING_AFTER_MS', RUNTIME_DEFAULTS.waitingAfterMs, 0),
    shutdownGraceMs: int(env, 'FDI_SHUTDOWN_GRACE_MS', RUNTIME_DEFAULTS.shutdownGraceMs, 0),
    stopWaitMs: int(env, 'FDI_STOP_WAIT_MS', RUNTIME_DEFAULTS.stopWaitMs, 0),
  };
}
