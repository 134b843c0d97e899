import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSourceRecord } from '../../core/datasource.ts';
import { isFdiError } from '../../core/fdi-error.ts';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { RedisStore } from '../../core/redis-store.ts';
import { SecretBox } from '../../core/secret-box.ts';
import type { DirtyRecord, TaskRecord } from '../../core/store.ts';
import { testServices } from '../support/services.ts';

const PREFIX = `fdi-test-store-${randomUUID().slice(0, 8)}:`;
const DAY = 86_400_000;

let redis: Redis;
let store: RedisStore;
const now = Date.UTC(2026, 0, 31);
const box = SecretBox.fromText('a passphrase that is long enough');

function task(id: string, name: string, over: Partial<TaskRecord> = {}): TaskRecord {
  return {
    task_id: id,
    project_id: 'p1',
    instance_id: 'i1',
    task: { task_name: name, task_type: 'TIMING', source_datasource_id: 'ds-a', target_datasource_id: 'ds-b' },
    task_detail: { sourceSelectedDatasource: { sourceTable: 't' } },
    status: 'stop',
    execute_status: 'UNSTARTED',
    created_date: 1,
    last_modified_date: 1,
    ...over,
  };
}

function log(taskId: string, id: string, start: number, ended = true): TaskMonitorLog {
  return {
    id,
    task_id: taskId,
    start_time: start,
    dispatch_time: start,
    end_time: ended ? start + 1000 : null,
    execute_status: ended ? 'SUCCESS' : 'RUNNING',
    position: 'ADAPTER',
    position_status: ended ? 'TASK_END' : 'NORMAL',
    status: ended ? 901 : 99,
    dirty_data_count: 0,
    data_count: 3,
    data_size: 10,
    data_size_unit: 'B',
    spend_time: 1000,
    read_spend_time: 10,
    write_spend_time: 10,
    remarks: '',
    detail_logs: [],
  };
}

function dirty(taskId: string, runId: string, n: number): DirtyRecord {
  return { run_id: runId, task_id: taskId, stage: 'mysqlwriter', column: 'c', reason: `bad ${n}`, record: { n }, time: n };
}

beforeAll(async () => {
  redis = new Redis(testServices().redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  store = new RedisStore({ redis, secrets: box, prefix: PREFIX, retention: { maxLogsPerTask: 5, maxAgeDays: 7 }, now: () => now });
});

afterAll(async () => {
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('RedisStore data sources', () => {
  const ds: DataSourceRecord = {
    datasource_id: 'ds-1',
    datasource_name: 'orders-db',
    datasource_type: 'MYSQL',
    app_id: 'app',
    content: { host: '127.0.0.1', port: '3306', user_name: 'u', password: 's3cret!', api_auth_detail: { password: 'nested' } },
  };

  it('stores secrets sealed and returns them in clear text', async () => {
    await store.putDatasource('p1', 'i1', ds);
    const raw = await redis.get(`${PREFIX}ds:ds-1`);
    expect(raw).not.toBeNull();
    expect(raw).not.toContain('s3cret!');
    expect(raw).not.toContain('nested');
    expect(raw).toContain('127.0.0.1');
    expect(await store.getDatasource('p1', 'i1', 'ds-1')).toEqual(ds);
    expect(await store.getDatasourceById('ds-1')).toEqual(ds);
  });

  it('scopes data sources by project and instance', async () => {
    expect(await store.getDatasource('p2', 'i1', 'ds-1')).toBeNull();
    expect(await store.getDatasource('p1', 'i2', 'ds-1')).toBeNull();
    expect((await store.listDatasources('p1', 'i1')).map((d) => d.datasource_id)).toEqual(['ds-1']);
    expect(await store.listDatasources('p2', 'i1')).toEqual([]);
    expect(await store.deleteDatasource('p2', 'i1', 'ds-1')).toBe(false);
  });

  it('refuses to open secrets with another key', async () => {
    const other = new RedisStore({ redis, secrets: SecretBox.fromText('another passphrase, also long'), prefix: PREFIX });
    await expect(other.getDatasourceById('ds-1')).rejects.toThrow(/FDI_SECRET_KEY/);
  });

  it('deletes a data source', async () => {
    expect(await store.deleteDatasource('p1', 'i1', 'ds-1')).toBe(true);
    expect(await store.getDatasourceById('ds-1')).toBeNull();
    expect(await store.listDatasources('p1', 'i1')).toEqual([]);
  });
});

describe('RedisStore tasks', () => {
  it('keeps task names unique per project + instance, atomically', async () => {
    await store.putTask(task('t1', 'orders_sync'));
    const err = await store.putTask(task('t2', 'orders_sync')).catch((e: unknown) => e);
    expect(isFdiError(err) && err.code).toBe('FDI.3058');
    // the same name in another project is fine
    await store.putTask(task('t3', 'orders_sync', { project_id: 'p2' }));
    expect((await store.findTaskByName('p1', 'i1', 'orders_sync'))?.task_id).toBe('t1');
    expect((await store.findTaskByName('p2', 'i1', 'orders_sync'))?.task_id).toBe('t3');
    expect(await store.getTask('t2')).toBeNull();
  });

  it('frees the old name on rename and tracks the started switch', async () => {
    await store.putTask(task('t1', 'orders_sync_v2', { status: 'running' }));
    expect(await store.findTaskByName('p1', 'i1', 'orders_sync')).toBeNull();
    await store.putTask(task('t4', 'orders_sync'));
    expect((await store.listStartedTasks()).map((t) => t.task_id)).toEqual(['t1']);
    await store.putTask(task('t1', 'orders_sync_v2', { status: 'stop' }));
    expect(await store.listStartedTasks()).toEqual([]);
    expect((await store.listTasks('p1', 'i1')).map((t) => t.task_id).sort()).toEqual(['t1', 't4']);
  });

  it('delete removes the plan, logs, dirty records and checkpoint with the task', async () => {
    await store.putPlan({ dispatch_id: 'd1', task_id: 't4', use_quartz_cron: false, period: 'DAY', dispatch_interval: 1, start_datetime: 0, time_zone: 'UTC', create_time: 1, update_time: 1 });
    await store.saveMonitorLog(log('t4', 'run-a', now));
    await store.addDirtyRecords([dirty('t4', 'run-a', 1)]);
    await store.putCheckpoint('t4', { watermark: 5 });
    await store.deleteTask('t4');
    expect(await store.getTask('t4')).toBeNull();
    expect(await store.getPlan('t4')).toBeNull();
    expect(await store.getCheckpoint('t4')).toBeNull();
    expect((await store.listMonitorLogs('t4', { offset: 1, limit: 10 })).total).toBe(0);
    expect((await store.listDirtyRecords('t4', 'run-a', 1, 10)).total).toBe(0);
    expect(await store.findTaskByName('p1', 'i1', 'orders_sync')).toBeNull();
    expect(await redis.keys(`${PREFIX}*t4*`)).toEqual([]);
  });
});

describe('RedisStore monitor logs', () => {
  const T = 'tlogs';

  it('lists newest first with time window and 1-based pages', async () => {
    for (let i = 0; i < 4; i++) await store.saveMonitorLog(log(T, `run-${i}`, now - (4 - i) * 1000));
    const all = await store.listMonitorLogs(T, { offset: 1, limit: 10 });
    expect(all.total).toBe(4);
    expect(all.entities.map((l) => l.id)).toEqual(['run-3', 'run-2', 'run-1', 'run-0']);
    const page2 = await store.listMonitorLogs(T, { offset: 2, limit: 3 });
    expect(page2.entities.map((l) => l.id)).toEqual(['run-0']);
    expect((await store.listMonitorLogs(T, { offset: 0, limit: 1 })).entities.map((l) => l.id)).toEqual(['run-3']);
    const window = await store.listMonitorLogs(T, { beginTime: now - 3000, endTime: now - 2000, offset: 1, limit: 10 });
    expect(window.total).toBe(2);
    expect(window.entities.map((l) => l.id)).toEqual(['run-2', 'run-1']);
  });

  it('updates a log in place (same run id)', async () => {
    const running = log(T, 'run-3', now - 1000, false);
    await store.saveMonitorLog(running);
    expect((await store.getMonitorLog(T, 'run-3'))?.execute_status).toBe('RUNNING');
    await store.saveMonitorLog(log(T, 'run-3', now - 1000));
    expect((await store.getMonitorLog(T, 'run-3'))?.execute_status).toBe('SUCCESS');
    expect((await store.listMonitorLogs(T, { offset: 1, limit: 10 })).total).toBe(4);
  });

  it('keeps at most N logs per task, dropping the oldest with their dirty records', async () => {
    await store.addDirtyRecords([dirty(T, 'run-0', 1)]);
    for (let i = 4; i < 7; i++) await store.saveMonitorLog(log(T, `run-${i}`, now + i * 1000));
    const page = await store.listMonitorLogs(T, { offset: 1, limit: 100 });
    expect(page.total).toBe(5);
    expect(page.entities.map((l) => l.id)).toEqual(['run-6', 'run-5', 'run-4', 'run-3', 'run-2']);
    expect((await store.listDirtyRecords(T, 'run-0', 1, 10)).total).toBe(0);
  });

  it('drops finished logs older than the age limit but never a running one', async () => {
    const U = 'tage';
    await store.saveMonitorLog(log(U, 'old-done', now - 10 * DAY));
    await store.saveMonitorLog(log(U, 'old-running', now - 9 * DAY, false));
    await store.saveMonitorLog(log(U, 'fresh', now - DAY));
    const ids = (await store.listMonitorLogs(U, { offset: 1, limit: 10 })).entities.map((l) => l.id);
    expect(ids).toEqual(['fresh', 'old-running']);
  });

  it('caps the page size at 999', async () => {
    const V = 'tcap';
    const base = now;
    const tx = redis.multi();
    for (let i = 0; i < 1005; i++) {
      tx.hset(`${PREFIX}logs:${V}`, `r${i}`, JSON.stringify(log(V, `r${i}`, base + i)));
      tx.zadd(`${PREFIX}log-index:${V}`, base + i, `r${i}`);
    }
    await tx.exec();
    const page = await store.listMonitorLogs(V, { offset: 1, limit: 5000 });
    expect(page.total).toBe(1005);
    expect(page.entities).toHaveLength(999);
  });
});

describe('RedisStore dirty records and checkpoints', () => {
  it('pages dirty records of one run in write order', async () => {
    await store.addDirtyRecords([dirty('td', 'r1', 1), dirty('td', 'r1', 2), dirty('td', 'r2', 3)]);
    await store.addDirtyRecords([dirty('td', 'r1', 4)]);
    const p1 = await store.listDirtyRecords('td', 'r1', 1, 2);
    expect(p1.total).toBe(3);
    expect(p1.entities.map((r) => r.reason)).toEqual(['bad 1', 'bad 2']);
    expect((await store.listDirtyRecords('td', 'r1', 2, 2)).entities.map((r) => r.reason)).toEqual(['bad 4']);
    expect((await store.listDirtyRecords('td', 'r2', 1, 10)).entities[0]).toEqual(dirty('td', 'r2', 3));
  });

  it('round-trips checkpoints', async () => {
    expect(await store.getCheckpoint('tc')).toBeNull();
    await store.putCheckpoint('tc', { watermark: '2026-01-01 00:00:00', pk: [1, 'a'] });
    expect(await store.getCheckpoint('tc')).toEqual({ watermark: '2026-01-01 00:00:00', pk: [1, 'a'] });
    await store.deleteCheckpoint('tc');
    expect(await store.getCheckpoint('tc')).toBeNull();
  });
});
