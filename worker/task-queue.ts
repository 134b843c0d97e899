import { Queue, type RepeatStrategy } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TaskJobData } from './job-data.ts';
import { TASK_QUEUE_NAME, type RuntimeKeys } from './job-keys.ts';

/**
 * A handle on the one queue of task jobs, as the scheduler and every worker must open it: the same name, key
 * prefix and plan repeat strategy, or a job scheduler's next fire would be computed differently on each side.
 */
export function openTaskQueue(connection: Redis, keys: RuntimeKeys, repeatStrategy: RepeatStrategy): Queue<TaskJobData> {
  return new Queue<TaskJobData>(TASK_QUEUE_NAME, {
    connection,
    prefix: keys.bullPrefix,
    settings: { repeatStrategy },
  });
}
