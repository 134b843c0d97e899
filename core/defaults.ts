import type { RuntimeOptions } from './task-spec.ts';

export const DEFAULT_RUNTIME_OPTIONS: Readonly<RuntimeOptions> = {
  batchSize: 1000,
  channelCapacity: 4,
  dirtyMaxCount: null,
  dirtyMaxRatio: null,
  dirtyMinSample: 100,
  integrityCheck: false,
  parallelism: 1,
  progressIntervalMs: 2000,
  textBatchSize: 5000,
  textTransfer: true,
};

/** Most pipelines one run may split into (`runtime.parallelism`): each holds a reader and a writer connection. */
export const MAX_PARALLELISM = 16;

/** `timeZone` when a task gives none: the spec's documented default. */
export const DEFAULT_SOURCE_TIME_ZONE = 'GMT+08:00';
