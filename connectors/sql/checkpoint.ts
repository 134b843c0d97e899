import type { Checkpoint, JsonValue } from '../sdk/index.ts';
import { TaskConfigError } from '../sdk/index.ts';
import { isoToMicros, type Micros } from './instant.ts';

/**
 * Where an incremental relational read stands. `watermark` is an ISO 8601 instant (microseconds, with the offset of
 * the task's zone). `key` null: every row with timestamp ≤ watermark is done. `key` set: rows with timestamp <
 * watermark, and rows at the watermark whose tie-break key (primary key, in order) is ≤ `key`, are done.
 */
export interface SqlCheckpoint {
  watermark: string;
  key: JsonValue[] | null;
}

export function toCheckpoint(cp: SqlCheckpoint): Checkpoint {
  return { watermark: cp.watermark, key: cp.key };
}

/** A stored checkpoint back to its parts; a shape this reader did not write is an error naming it. */
export function parseCheckpoint(value: Checkpoint): { at: Micros; key: JsonValue[] | null; stored: SqlCheckpoint } {
  const bad = (why: string): never => {
    throw new TaskConfigError('checkpoint', `${why}; set reset_incr_begin_time to start again from dataTimestamp`);
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return bad('the stored checkpoint is not an object');
  const watermark = value.watermark;
  const key = value.key ?? null;
  if (typeof watermark !== 'string') return bad('the stored checkpoint has no watermark');
  if (key !== null && !Array.isArray(key)) return bad('the stored checkpoint key is not a list');
  let at: Micros;
  try {
    at = isoToMicros(watermark);
  } catch {
    return bad(`the stored watermark "${watermark}" is not an ISO instant`);
  }
  return { at, key, stored: { watermark, key } };
}
