/**
 * The pure parts of the BullMQ runtime: the plan carried in a job scheduler's pattern and its repeat strategy,
 * the runtime settings from the environment, and the names of runs and locks.
 */
import { describe, expect, it } from 'vitest';
import { decodePlanPattern, encodePlanPattern, nextFireOfPattern, planRepeatStrategy } from '../../scheduler/plan-strategy.ts';
import { RUNTIME_DEFAULTS, runtimeConfigFromEnv } from '../../scheduler/runtime-config.ts';
import { lockHolder, parseLockHolder, runIdOf } from '../../worker/job-keys.ts';

describe('the plan pattern of a job scheduler', () => {
  const cron = { use_quartz_cron: true, cron: '0 0 12 ? * 2#1', time_zone: 'Asia/Shanghai' } as const;

  it('round-trips a plan and keeps only its timing fields', () => {
    const withExtras = { ...cron, dispatch_id: 'd1', remark: 'x' };
    expect(decodePlanPattern(encodePlanPattern(withExtras))).toEqual(cron);
    expect(() => decodePlanPattern('* * * * *')).toThrow(/not an fdi plan pattern/);
  });

  it('evaluates Quartz, not cron-parser: 2#1 is the first Monday (Quartz 1 = SUN), at noon in the plan zone', () => {
    const pattern = encodePlanPattern(cron);
    const after = Date.UTC(2025, 0, 1);
    // 2025-01-06 is the first Monday of January; 12:00 in Shanghai is 04:00 UTC.
    expect(new Date(nextFireOfPattern(pattern, after) ?? 0).toISOString()).toBe('2025-01-06T04:00:00.000Z');
  });

  it('gives BullMQ the first fire strictly after the instant it passes, and undefined when the plan is over', async () => {
    const period = encodePlanPattern({ use_quartz_cron: false, period: 'MIN', dispatch_interval: 15, start_datetime: Date.UTC(2025, 0, 1), time_zone: 'UTC' });
    const at = Date.UTC(2025, 0, 1, 0, 15);
    expect(await planRepeatStrategy(at, { pattern: period })).toBe(Date.UTC(2025, 0, 1, 0, 30));
    expect(await planRepeatStrategy(at - 1, { pattern: period })).toBe(at);
    const over = encodePlanPattern({ use_quartz_cron: true, cron: '0 0 0 1 1 ? 2001', time_zone: 'UTC' });
    expect(await planRepeatStrategy(Date.UTC(2025, 0, 1), { pattern: over })).toBeUndefined();
  });
});

describe('runtime settings from the environment', () => {
  it('has documented defaults', () => {
    const c = runtimeConfigFromEnv({});
    expect(c).toMatchObject({
      redisUrl: RUNTIME_DEFAULTS.redisUrl,
      keyPrefix: 'fdi:',
      concurrency: 8,
      timeZone: 'UTC',
      misfirePolicy: 'fire_once',
      lockMs: 30_000,
      stalledIntervalMs: 15_000,
    });
  });

  it('reads every variable', () => {
    const c = runtimeConfigFromEnv({
      REDIS_URL: 'redis://10.0.0.1:6380/2',
      FDI_KEY_PREFIX: 'prod:',
      FDI_WORKER_CONCURRENCY: '3',
      FDI_TIME_ZONE: 'Asia/Shanghai',
      FDI_MISFIRE_POLICY: 'SKIP',
      FDI_MISFIRE_THRESHOLD_MS: '5000',
      FDI_LOCK_MS: '10000',
      FDI_MAX_STALLED_COUNT: '2',
    });
    expect(c).toMatchObject({
      redisUrl: 'redis://10.0.0.1:6380/2',
      keyPrefix: 'prod:',
      concurrency: 3,
      timeZone: 'Asia/Shanghai',
      misfirePolicy: 'skip',
      misfireThresholdMs: 5000,
      lockMs: 10_000,
      // The stalled check never waits longer than a lock lives.
      stalledIntervalMs: 10_000,
      maxStalledCount: 2,
    });
  });

  it.each([
    ['FDI_WORKER_CONCURRENCY', '0'],
    ['FDI_WORKER_CONCURRENCY', 'many'],
    ['FDI_LOCK_MS', '10'],
    ['FDI_MISFIRE_POLICY', 'burst'],
    ['REDIS_URL', 'http://localhost'],
    ['REDIS_URL', 'not a url'],
    ['FDI_TIME_ZONE', 'Mars/Olympus'],
  ])('refuses %s=%s with FDI.3002 naming the variable', (name, value) => {
    let error: unknown;
    try {
      runtimeConfigFromEnv({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'FDI.3002' });
    expect((error as Error).message).toContain(name);
  });
});

describe('run ids and lock holders', () => {
  it('names an attempt the same way in every process, and differently per attempt', () => {
    expect(runIdOf('repeat:timing:t1:1000', 1)).toBe(runIdOf('repeat:timing:t1:1000', 1));
    expect(runIdOf('repeat:timing:t1:1000', 1)).toMatch(/^[0-9a-f]{32}$/);
    expect(runIdOf('repeat:timing:t1:1000', 2)).not.toBe(runIdOf('repeat:timing:t1:1000', 1));
    expect(runIdOf('run-x', 1, 'given-run-id')).toBe('given-run-id');
    expect(runIdOf('run-x', 2, 'given-run-id')).not.toBe('given-run-id');
  });

  it('reads back a lock holder whose job id has colons', () => {
    expect(parseLockHolder(lockHolder('repeat:timing:t1:1000', 'abc'))).toEqual({ jobId: 'repeat:timing:t1:1000', runId: 'abc' });
  });
});
