import type { Checkpoint } from '../sdk/index.ts';

/**
 * Where a Kafka reader stands: for each partition of the topic, the offset of the next record to read
 * (Kafka's own convention for committed offsets). Cumulative: every batch carries all partitions seen so far.
 */
export interface KafkaCheckpoint {
  topic: string;
  partitions: { [partition: string]: number };
}

export function kafkaCheckpoint(topic: string, positions: ReadonlyMap<number, number>): KafkaCheckpoint {
  const partitions: { [partition: string]: number } = {};
  for (const [p, next] of [...positions].sort((a, b) => a[0] - b[0])) partitions[String(p)] = next;
  return { topic, partitions };
}

export function isKafkaCheckpoint(value: Checkpoint | null | undefined): value is KafkaCheckpoint & Checkpoint {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { topic, partitions } = value as { topic?: unknown; partitions?: unknown };
  if (typeof topic !== 'string' || typeof partitions !== 'object' || partitions === null || Array.isArray(partitions)) {
    return false;
  }
  return Object.entries(partitions).every(([p, o]) => /^\d+$/.test(p) && Number.isSafeInteger(o) && (o as number) >= 0);
}
