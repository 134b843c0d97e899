/**
 * A task's execute_status is its latest execution's; fires rejected with 914 (the previous run still goes) are not
 * executions, so they do not turn a task whose long run goes on into ERROR.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveExecuteStatus, latestLog } from '../../api/task-state.ts';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { RedisStore } from '../../core/redis-store.ts';
import { SecretBox } from '../../core/secret-box.ts';
import type { ExecuteStatus, StatusCode } from '../../core/status-codes.ts';
import type { TaskRecord } from '../../core/store.ts';
import { testServices } from '../support/services.ts';

const PREFIX = `fdi-test-taskstate-${randomUUID().slice(0, 8)}:`;
let redis: Redis;
let store: RedisStore;

const task: TaskRecord = {
  task_id: 'task-state-1',
  project_id: 'p1',
  instance_id: 'i1',
  task: { task_name: 'long-runner', task_type: 'TIMING', source_datasource_id: 'a', target_datasource_id: 'b' },
  task_detail: {},
  status: 'running',
  execute_status: 'UNSTARTED',
  created_date: 1,
  last_modified_date: 1,
};

function log(id: string, startTime: number, status: StatusCode, executeStatus: ExecuteStatus, ended: boolean): TaskMonitorLog {
  return {
    id, task_id: task.task_id, start_time: startTime, dispatch_time: startTime, end_time: ended ? startTime + 10 : null,
    execute_status: executeStatus, position: 'ADAPTER', position_status: executeStatus === 'ERROR' ? 'RUNTIME_ERR' : 'NORMAL',
    status, dirty_data_count: 0, data_count: 0, data_size: 0, data_size_unit: 'B', spend_time: 0, write_spend_time: 0,
    remarks: '', detail_logs: [],
  };
}

beforeAll(async () => {
  redis = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
  store = new RedisStore({ redis, secrets: SecretBox.fromText('a passphrase that is long enough'), prefix: PREFIX });
  await store.putTask(task);
});

afterAll(async () => {
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('task execute_status', () => {
  it('stays RUNNING while fires are rejected with 914 during a long run, and follows the next real execution', async () => {
    await store.saveMonitorLog(log('run-long-0001', 1_000, 102, 'RUNNING', false));
    await store.saveMonitorLog(log('rejected-0001', 2_000, 914, 'ERROR', true));
    await store.saveMonitorLog(log('rejected-0002', 3_000, 914, 'ERROR', true));
    const latest = await latestLog(store, task.task_id);
    expect(latest?.id).toBe('run-long-0001');
    expect(deriveExecuteStatus(task, latest)).toBe('RUNNING');

    await store.saveMonitorLog(log('run-next-0001', 4_000, 901, 'SUCCESS', true));
    expect(deriveExecuteStatus(task, await latestLog(store, task.task_id))).toBe('SUCCESS');
  });
});
