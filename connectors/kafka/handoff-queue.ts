/**
 * A bounded queue between kafkajs's fetch loop (producer side) and the reader's `batches()` (consumer side).
 * `push` waits for room, so a slow writer stops the fetching instead of filling memory; `end` and `fail`
 * finish the stream; `close` drops what is queued and releases a waiting `push` (it then reports false).
 */
export class HandoffQueue<T> {
  private readonly items: T[] = [];
  private ended = false;
  private closed = false;
  private error: Error | undefined;
  private wakeTaker: (() => void) | undefined;
  private wakePushers: (() => void)[] = [];

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be at least 1');
  }

  get size(): number {
    return this.items.length;
  }

  get isClosed(): boolean {
    return this.closed || this.ended;
  }

  /**
   * Enqueue once there is room; `whileWaiting` runs every `intervalMs` while the queue is full (heartbeats).
   * Resolves true when enqueued, false when the queue was ended or closed first.
   */
  async push(item: T, whileWaiting?: () => Promise<void>, intervalMs = 1_000): Promise<boolean> {
    while (!this.isClosed && this.items.length >= this.capacity) {
      const room = new Promise<void>((resolve) => this.wakePushers.push(resolve));
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<'tick'>((resolve) => {
        timer = setTimeout(() => resolve('tick'), intervalMs);
      });
      const woke = await Promise.race([room, tick]);
      clearTimeout(timer);
      if (woke === 'tick' && whileWaiting && !this.isClosed) await whileWaiting();
    }
    if (this.isClosed) return false;
    this.items.push(item);
    this.wakeTaker?.();
    return true;
  }

  /** The next item; undefined once ended (after the queued items) or closed; throws after `fail`. */
  async take(): Promise<T | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const item = this.items.shift();
      if (item !== undefined) {
        this.releasePushers();
        return item;
      }
      if (this.error) throw this.error;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => {
        this.wakeTaker = resolve;
      });
      this.wakeTaker = undefined;
    }
  }

  /** No more items will come; the queued ones are still taken. */
  end(): void {
    this.ended = true;
    this.releaseAll();
  }

  /** The source failed: the queued items are still taken, then `take` throws. */
  fail(error: Error): void {
    this.error ??= error;
    this.ended = true;
    this.releaseAll();
  }

  /** Stop now: queued items are dropped. */
  close(): void {
    this.closed = true;
    this.items.length = 0;
    this.releaseAll();
  }

  private releasePushers(): void {
    const pushers = this.wakePushers;
    this.wakePushers = [];
    for (const wake of pushers) wake();
  }

  private releaseAll(): void {
    this.releasePushers();
    this.wakeTaker?.();
  }
}
