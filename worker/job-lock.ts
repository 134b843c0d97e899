/**
 * The one-run-at-a-time guard of a task: `SET <prefix>lock:<task> <job id>|<run id> NX PX <ttl>`, renewed while the
 * run lives and released with a compare-and-delete, so a run never removes a lock that is no longer its own.
 * A worker that dies leaves the lock to expire after one ttl.
 */
import type { Redis } from 'ioredis';
import { parseLockHolder, type RuntimeKeys } from './job-keys.ts';

/** Renew when still ours, and say whether the run was asked to stop. KEYS: lock, cancel. ARGV: holder, ttl. */
const RENEW_LUA = `
local owned = 0
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  owned = 1
end
local cancel = redis.call('GET', KEYS[2])
if not cancel then cancel = '' end
return {owned, cancel}
`;

/** Delete only when still ours. KEYS: lock. ARGV: holder. */
const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Replace a given holder (a vanished earlier attempt of the same job). KEYS: lock. ARGV: expected, new, ttl. */
const TAKEOVER_LUA = `
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
`;

export interface RenewResult {
  /** False when the lock expired or another run holds it now: this run must stop at once. */
  owned: boolean;
  /** `terminate`, `stop` or '' (nothing asked). */
  cancel: string;
}

export class TaskLock {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RuntimeKeys,
    readonly ttlMs: number,
  ) {}

  /** Take the lock; on failure, the current holder (null if it vanished in between). */
  async acquire(taskId: string, holder: string): Promise<{ ok: true } | { ok: false; holder: string | null }> {
    const set = await this.redis.set(this.keys.lock(taskId), holder, 'PX', this.ttlMs, 'NX');
    if (set === 'OK') return { ok: true };
    return { ok: false, holder: await this.redis.get(this.keys.lock(taskId)) };
  }

  /** Take the lock when it is free or held by `expected`. */
  async takeover(taskId: string, expected: string, holder: string): Promise<boolean> {
    const r = await this.redis.eval(TAKEOVER_LUA, 1, this.keys.lock(taskId), expected, holder, this.ttlMs);
    return r === 1;
  }

  async renew(taskId: string, holder: string): Promise<RenewResult> {
    const { runId } = parseLockHolder(holder);
    const r = (await this.redis.eval(RENEW_LUA, 2, this.keys.lock(taskId), this.keys.cancel(runId), holder, this.ttlMs)) as [
      number,
      string,
    ];
    return { owned: r[0] === 1, cancel: r[1] };
  }

  async release(taskId: string, holder: string): Promise<void> {
    await this.redis.eval(RELEASE_LUA, 1, this.keys.lock(taskId), holder);
  }

  /** The run holding the task, if any. */
  async holder(taskId: string): Promise<{ jobId: string; runId: string } | null> {
    const value = await this.redis.get(this.keys.lock(taskId));
    return value === null ? null : parseLockHolder(value);
  }
}
