/**
 * A bounded async channel between the reader and the writer of one execution. `send` waits while the channel
 * holds `capacity` items, so a fast reader never gets more than capacity + 1 batches ahead of what the writer holds
 * (capacity queued plus the one it is trying to hand over) and memory stays flat however large the source.
 */
export class ChannelClosedError extends Error {
  constructor() {
    super('channel closed');
    this.name = 'ChannelClosedError';
  }
}

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

export class BoundedChannel<T> {
  readonly capacity: number;
  private readonly items: T[] = [];
  private readonly senders: Waiter[] = [];
  private readonly receivers: Waiter[] = [];
  private closed = false;
  private cancelled: unknown = undefined;
  private isCancelled = false;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`channel capacity must be an integer ≥ 1, got ${capacity}`);
    this.capacity = capacity;
  }

  get size(): number {
    return this.items.length;
  }

  /** Hand over an item; waits while the channel is full. Rejects when `signal` aborts or the channel is cancelled/closed. */
  async send(item: T, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (this.isCancelled) throw this.cancelled;
      if (this.closed) throw new ChannelClosedError();
      signal?.throwIfAborted();
      if (this.items.length < this.capacity) {
        this.items.push(item);
        this.wake(this.receivers);
        return;
      }
      await this.wait(this.senders, signal);
    }
  }

  /** The next item, or `done` once the channel is closed and drained. Rejects when `signal` aborts or on cancel. */
  async receive(signal?: AbortSignal): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      if (this.isCancelled) throw this.cancelled;
      signal?.throwIfAborted();
      if (this.items.length > 0) return { done: false, value: this.take() };
      if (this.closed) return { done: true, value: undefined };
      await this.wait(this.receivers, signal);
    }
  }

  /** The next item if one is queued now (undefined otherwise, also once closed or cancelled); never waits. */
  tryReceive(): T | undefined {
    if (this.isCancelled || this.items.length === 0) return undefined;
    return this.take();
  }

  /** No more items will be sent; the receiver drains what is queued, then sees `done`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wakeAll();
  }

  /** Stop both sides now: queued items are dropped, every pending and later call rejects with `reason`. */
  cancel(reason: unknown): void {
    if (this.isCancelled) return;
    this.isCancelled = true;
    this.cancelled = reason;
    this.items.length = 0;
    this.wakeAll();
  }

  /** The oldest item, which makes room for a waiting sender. */
  private take(): T {
    const item = this.items.shift() as T;
    this.wake(this.senders);
    return item;
  }

  private wait(queue: Waiter[], signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = queue.indexOf(waiter);
        if (i >= 0) queue.splice(i, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private wake(queue: Waiter[]): void {
    queue.shift()?.resolve();
  }

  private wakeAll(): void {
    for (const w of this.senders.splice(0)) w.resolve();
    for (const w of this.receivers.splice(0)) w.resolve();
  }
}
