import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { DataSourceRecord } from './datasource.ts';
import { FdiError } from './fdi-error.ts';
import type { TaskMonitorLog } from './monitor-log.ts';
import type { DispatchPlan } from './plan.ts';
import { SecretBox } from './secret-box.ts';
import type { DirtyRecord, Page, Store, TaskRecord } from './store.ts';
import type { JsonValue } from './values.ts';

/**
 * The Store on Redis (ioredis). Every key starts with the configured prefix (default `fdi:`):
 *
 *   ds:<id>                      JSON {project_id, instance_id, record}; secrets sealed with the SecretBox
 *   ds-index:<project>:<inst>    SET of data-source ids
 *   task:<id>                    JSON TaskRecord
 *   task-index:<project>:<inst>  SET of task ids
 *   task-names:<project>:<inst>  HASH task_name → task id (names are unique per project + instance)
 *   tasks-started                SET of task ids whose switch is `running`
 *   plan:<task>                  JSON DispatchPlan
 *   logs:<task>                  HASH run id → JSON TaskMonitorLog
 *   log-index:<task>             ZSET run id scored by start_time
 *   dirty:<task>:<run>           LIST of JSON DirtyRecord, in the order written
 *   dirty-runs:<task>            SET of run ids that have a dirty list
 *   checkpoint:<task>            JSON checkpoint
 *
 * Paging everywhere: `offset` is the 1-based page number (0 behaves like 1, as the spec says of its monitor
 * APIs), `limit` the page size, capped at MAX_PAGE_LIMIT.
 */
export const DEFAULT_KEY_PREFIX = 'fdi:';
export const MAX_PAGE_LIMIT = 999;

export interface RetentionPolicy {
  /** Keep at most this many monitor logs per task (0: no count limit). */
  maxLogsPerTask: number;
  /** Drop finished logs that started more than this many days ago (0: keep forever). */
  maxAgeDays: number;
}

export const DEFAULT_RETENTION: Readonly<RetentionPolicy> = { maxLogsPerTask: 1000, maxAgeDays: 30 };

export interface RedisStoreOptions {
  redis: Redis;
  secrets: SecretBox;
  prefix?: string;
  retention?: Partial<RetentionPolicy>;
  /** The clock retention reads (tests pass their own). */
  now?: () => number;
}

interface StoredDatasource {
  project_id: string;
  instance_id: string;
  record: DataSourceRecord;
}

/** Page number and size → the index range of that page. */
export function pageRange(offset: number, limit: number): { start: number; count: number } {
  const page = Math.max(1, Math.floor(offset) || 1);
  const count = Math.min(MAX_PAGE_LIMIT, Math.max(0, Math.floor(limit)));
  return { start: (page - 1) * count, count };
}

/** Writes a task; refuses (returns 0) when its name belongs to another task of the same project + instance. */
const PUT_TASK_LUA = `
local owner = redis.call('HGET', KEYS[3], ARGV[3])
if owner and owner ~= ARGV[2] then return 0 end
local old = redis.call('GET', KEYS[1])
if old then
  local ok, prev = pcall(cjson.decode, old)
  if ok and prev.task and prev.task.task_name ~= ARGV[3] then
    if redis.call('HGET', KEYS[3], prev.task.task_name) == ARGV[2] then redis.call('HDEL', KEYS[3], prev.task.task_name) end
  end
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[3], ARGV[2])
if ARGV[4] == 'running' then redis.call('SADD', KEYS[4], ARGV[2]) else redis.call('SREM', KEYS[4], ARGV[2]) end
return 1
`;

/**
 * Saves one monitor log and applies retention to the task's other logs. A log that has not ended (a run
 * still going, a realtime run) is never dropped. KEYS: logs hash, log index, dirty-runs set.
 * ARGV: json, run id, start_time, max count (0 = none), age cutoff (-1 = none), dirty key prefix.
 */
const SAVE_LOG_LUA = `
redis.call('HSET', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
local maxCount = tonumber(ARGV[4])
local cutoff = tonumber(ARGV[5])
local victims = {}
local function finished(id)
  local raw = redis.call('HGET', KEYS[1], id)
  if not raw then return true end
  local ok, log = pcall(cjson.decode, raw)
  if not ok then return true end
  return log.end_time ~= nil and log.end_time ~= cjson.null
end
local function consider(id)
  if id ~= ARGV[2] and victims[id] == nil and finished(id) then victims[id] = true end
end
if cutoff >= 0 then
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. cutoff)) do consider(id) end
end
if maxCount > 0 then
  local n = redis.call('ZCARD', KEYS[2])
  if n > maxCount then
    for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, n - maxCount - 1)) do consider(id) end
  end
end
local dropped = 0
for id, _ in pairs(victims) do
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('DEL', ARGV[6] .. id)
  redis.call('SREM', KEYS[3], id)
  dropped = dropped + 1
end
return dropped
`;

class Script {
  readonly sha: string;
  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (e instanceof Error && e.message.includes('NOSCRIPT')) return redis.eval(this.lua, keys.length, ...keys, ...args);
      throw e;
    }
  }
}

const PUT_TASK = new Script(PUT_TASK_LUA);
const SAVE_LOG = new Script(SAVE_LOG_LUA);

export class RedisStore implements Store {
  readonly prefix: string;
  readonly retention: RetentionPolicy;
  readonly #redis: Redis;
  readonly #secrets: SecretBox;
  readonly #now: () => number;

  constructor(opts: RedisStoreOptions) {
    this.#redis = opts.redis;
    this.#secrets = opts.secrets;
    this.prefix = opts.prefix ?? DEFAULT_KEY_PREFIX;
    this.retention = { ...DEFAULT_RETENTION, ...opts.retention };
    this.#now = opts.now ?? Date.now;
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  #k(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  // ---- data sources ----

  async putDatasource(projectId: string, instanceId: string, ds: DataSourceRecord): Promise<void> {
    const stored: StoredDatasource = {
      project_id: projectId,
      instance_id: instanceId,
      record: { ...ds, content: this.#secrets.sealContent(ds.content) },
    };
    await this.#redis
      .multi()
      .set(this.#k('ds', ds.datasource_id), JSON.stringify(stored))
      .sadd(this.#k('ds-index', projectId, instanceId), ds.datasource_id)
      .exec()
      .then(assertExec);
  }

  async getDatasource(projectId: string, instanceId: string, id: string): Promise<DataSourceRecord | null> {
    const stored = await this.#readDatasource(id);
    if (!stored || stored.project_id !== projectId || stored.instance_id !== instanceId) return null;
    return this.#open(stored);
  }

  async getDatasourceById(id: string): Promise<DataSourceRecord | null> {
    const stored = await this.#readDatasource(id);
    return stored ? this.#open(stored) : null;
  }

  async listDatasources(projectId: string, instanceId: string): Promise<DataSourceRecord[]> {
    const ids = await this.#redis.smembers(this.#k('ds-index', projectId, instanceId));
    if (ids.length === 0) return [];
    const raws = await this.#redis.mget(ids.map((id) => this.#k('ds', id)));
    const out: DataSourceRecord[] = [];
    for (const raw of raws) {
      if (raw === null) continue;
      const stored = JSON.parse(raw) as StoredDatasource;
      if (stored.project_id === projectId && stored.instance_id === instanceId) out.push(this.#open(stored));
    }
    return out;
  }

  async deleteDatasource(projectId: string, instanceId: string, id: string): Promise<boolean> {
    const stored = await this.#readDatasource(id);
    if (!stored || stored.project_id !== projectId || stored.instance_id !== instanceId) return false;
    await this.#redis
      .multi()
      .del(this.#k('ds', id))
      .srem(this.#k('ds-index', projectId, instanceId), id)
      .exec()
      .then(assertExec);
    return true;
  }

  async #readDatasource(id: string): Promise<StoredDatasource | null> {
    const raw = await this.#redis.get(this.#k('ds', id));
    return raw === null ? null : (JSON.parse(raw) as StoredDatasource);
  }

  #open(stored: StoredDatasource): DataSourceRecord {
    return { ...stored.record, content: this.#secrets.openContent(stored.record.content) };
  }

  // ---- tasks ----

  async putTask(task: TaskRecord): Promise<void> {
    const written = await PUT_TASK.run(
      this.#redis,
      [
        this.#k('task', task.task_id),
        this.#k('task-index', task.project_id, task.instance_id),
        this.#k('task-names', task.project_id, task.instance_id),
        this.#k('tasks-started'),
      ],
      [JSON.stringify(task), task.task_id, task.task.task_name, task.status],
    );
    if (written === 0) {
      throw new FdiError('FDI.3058', `task_name "${task.task.task_name}" is used by another task.`, 'task.task_name');
    }
  }

  async getTask(taskId: string): Promise<TaskRecord | null> {
    const raw = await this.#redis.get(this.#k('task', taskId));
    return raw === null ? null : (JSON.parse(raw) as TaskRecord);
  }

  async listTasks(projectId: string, instanceId: string): Promise<TaskRecord[]> {
    const ids = await this.#redis.smembers(this.#k('task-index', projectId, instanceId));
    return this.#readTasks(ids);
  }

  async findTaskByName(projectId: string, instanceId: string, name: string): Promise<TaskRecord | null> {
    const id = await this.#redis.hget(this.#k('task-names', projectId, instanceId), name);
    return id === null ? null : this.getTask(id);
  }

  /** Removes the task with everything that belongs to it: plan, monitor logs, dirty records, checkpoint. */
  async deleteTask(taskId: string): Promise<void> {
    const task = await this.getTask(taskId);
    const dirtyRuns = await this.#redis.smembers(this.#k('dirty-runs', taskId));
    const tx = this.#redis.multi();
    if (task) {
      tx.srem(this.#k('task-index', task.project_id, task.instance_id), taskId);
      tx.hdel(this.#k('task-names', task.project_id, task.instance_id), task.task.task_name);
    }
    tx.srem(this.#k('tasks-started'), taskId);
    tx.del(
      this.#k('task', taskId),
      this.#k('plan', taskId),
      this.#k('logs', taskId),
      this.#k('log-index', taskId),
      this.#k('dirty-runs', taskId),
      this.#k('checkpoint', taskId),
      ...dirtyRuns.map((run) => this.#k('dirty', taskId, run)),
    );
    await tx.exec().then(assertExec);
  }

  async listStartedTasks(): Promise<TaskRecord[]> {
    return this.#readTasks(await this.#redis.smembers(this.#k('tasks-started')));
  }

  async #readTasks(ids: string[]): Promise<TaskRecord[]> {
    if (ids.length === 0) return [];
    const raws = await this.#redis.mget(ids.map((id) => this.#k('task', id)));
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as TaskRecord);
  }

  // ---- plans ----

  async putPlan(plan: DispatchPlan): Promise<void> {
    await this.#redis.set(this.#k('plan', plan.task_id), JSON.stringify(plan));
  }

  async getPlan(taskId: string): Promise<DispatchPlan | null> {
    const raw = await this.#redis.get(this.#k('plan', taskId));
    return raw === null ? null : (JSON.parse(raw) as DispatchPlan);
  }

  async deletePlan(taskId: string): Promise<void> {
    await this.#redis.del(this.#k('plan', taskId));
  }

  // ---- monitor logs ----

  async saveMonitorLog(log: TaskMonitorLog): Promise<void> {
    const { maxLogsPerTask, maxAgeDays } = this.retention;
    const cutoff = maxAgeDays > 0 ? this.#now() - maxAgeDays * 86_400_000 : -1;
    await SAVE_LOG.run(
      this.#redis,
      [this.#k('logs', log.task_id), this.#k('log-index', log.task_id), this.#k('dirty-runs', log.task_id)],
      [JSON.stringify(log), log.id, log.start_time, Math.max(0, maxLogsPerTask), cutoff, this.#k('dirty', log.task_id, '')],
    );
  }

  async getMonitorLog(taskId: string, runId: string): Promise<TaskMonitorLog | null> {
    const raw = await this.#redis.hget(this.#k('logs', taskId), runId);
    return raw === null ? null : (JSON.parse(raw) as TaskMonitorLog);
  }

  /** Newest first by start_time; `beginTime`/`endTime` bound start_time (inclusive). */
  async listMonitorLogs(
    taskId: string,
    query: { beginTime?: number; endTime?: number; offset: number; limit: number },
  ): Promise<Page<TaskMonitorLog>> {
    const index = this.#k('log-index', taskId);
    const max = query.endTime !== undefined ? String(query.endTime) : '+inf';
    const min = query.beginTime !== undefined ? String(query.beginTime) : '-inf';
    const { start, count } = pageRange(query.offset, query.limit);
    const [total, ids] = await Promise.all([
      this.#redis.zcount(index, min, max),
      count === 0 ? Promise.resolve([] as string[]) : this.#redis.zrevrangebyscore(index, max, min, 'LIMIT', start, count),
    ]);
    if (ids.length === 0) return { total, entities: [] };
    const raws = await this.#redis.hmget(this.#k('logs', taskId), ...ids);
    const entities = raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as TaskMonitorLog);
    return { total, entities };
  }

  async deleteMonitorLogs(taskId: string): Promise<void> {
    const dirtyRuns = await this.#redis.smembers(this.#k('dirty-runs', taskId));
    await this.#redis.del(
      this.#k('logs', taskId),
      this.#k('log-index', taskId),
      this.#k('dirty-runs', taskId),
      ...dirtyRuns.map((run) => this.#k('dirty', taskId, run)),
    );
  }

  // ---- checkpoints ----

  async getCheckpoint(taskId: string): Promise<JsonValue | null> {
    const raw = await this.#redis.get(this.#k('checkpoint', taskId));
    return raw === null ? null : (JSON.parse(raw) as JsonValue);
  }

  async putCheckpoint(taskId: string, checkpoint: JsonValue): Promise<void> {
    await this.#redis.set(this.#k('checkpoint', taskId), JSON.stringify(checkpoint));
  }

  async deleteCheckpoint(taskId: string): Promise<void> {
    await this.#redis.del(this.#k('checkpoint', taskId));
  }

  // ---- dirty records ----

  async addDirtyRecords(records: DirtyRecord[]): Promise<void> {
    if (records.length === 0) return;
    const byRun = new Map<string, DirtyRecord[]>();
    for (const r of records) {
      const key = `${r.task_id}\u0000${r.run_id}`;
      const list = byRun.get(key);
      if (list) list.push(r);
      else byRun.set(key, [r]);
    }
    const tx = this.#redis.multi();
    for (const list of byRun.values()) {
      const first = list[0];
      if (!first) continue;
      tx.rpush(this.#k('dirty', first.task_id, first.run_id), ...list.map((r) => JSON.stringify(r)));
      tx.sadd(this.#k('dirty-runs', first.task_id), first.run_id);
    }
    await tx.exec().then(assertExec);
  }

  async listDirtyRecords(taskId: string, runId: string, offset: number, limit: number): Promise<Page<DirtyRecord>> {
    const key = this.#k('dirty', taskId, runId);
    const { start, count } = pageRange(offset, limit);
    const [total, raws] = await Promise.all([
      this.#redis.llen(key),
      count === 0 ? Promise.resolve([] as string[]) : this.#redis.lrange(key, start, start + count - 1),
    ]);
    return { total, entities: raws.map((r) => JSON.parse(r) as DirtyRecord) };
  }
}

/** MULTI/EXEC reports a failed command in its results rather than rejecting. */
function assertExec(results: [Error | null, unknown][] | null): void {
  if (results === null) throw new Error('Redis transaction was aborted');
  for (const [err] of results) if (err) throw err;
}
