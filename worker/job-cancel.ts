/**
 * Terminate and stop reach the worker that runs an execution, whichever machine it is on: a message on the cancel
 * channel for the fast path, and a `cancel:<run id>` key the run's lock renewal reads every tick in case the
 * message was missed (the worker was reconnecting).
 */
import type { Redis } from 'ioredis';
import type { RuntimeKeys } from './job-keys.ts';

/** `terminate`: cancel now (CANCELLED). `stop`: a realtime run drains and commits, then ends. */
export type CancelKind = 'terminate' | 'stop';

export interface CancelMessage {
  runId: string;
  kind: CancelKind;
}

/** How long an unread cancel request is kept. */
const CANCEL_KEY_TTL_SECONDS = 3600;

export function isCancelKind(value: string): value is CancelKind {
  return value === 'terminate' || value === 'stop';
}

export async function requestCancel(redis: Redis, keys: RuntimeKeys, msg: CancelMessage): Promise<void> {
  await redis.set(keys.cancel(msg.runId), msg.kind, 'EX', CANCEL_KEY_TTL_SECONDS);
  await redis.publish(keys.cancelChannel, JSON.stringify(msg));
}

export async function clearCancel(redis: Redis, keys: RuntimeKeys, runId: string): Promise<void> {
  await redis.del(keys.cancel(runId));
}

function parseMessage(text: string): CancelMessage | null {
  try {
    const v = JSON.parse(text) as { runId?: unknown; kind?: unknown };
    if (typeof v.runId === 'string' && typeof v.kind === 'string' && isCancelKind(v.kind)) return { runId: v.runId, kind: v.kind };
  } catch {
    // not ours
  }
  return null;
}

/** Subscribes on its own connection (a subscribed connection can do nothing else). */
export class CancelSubscriber {
  constructor(
    private readonly subscriber: Redis,
    private readonly keys: RuntimeKeys,
  ) {}

  async start(onMessage: (msg: CancelMessage) => void): Promise<void> {
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.keys.cancelChannel) return;
      const msg = parseMessage(text);
      if (msg) onMessage(msg);
    });
    await this.subscriber.subscribe(this.keys.cancelChannel);
  }

  async close(): Promise<void> {
    try {
      await this.subscriber.quit();
    } catch {
      this.subscriber.disconnect();
    }
  }
}
