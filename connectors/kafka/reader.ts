import type { Admin, Batch, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import {
  STOP_REASON,
  TaskConfigError,
  type Checkpoint,
  type ConnectorLogger,
  type Reader,
  type ReaderContext,
  type Row,
  type SourceBatch,
  type UnreadableRecord,
} from '../sdk/index.ts';
import { isKafkaCheckpoint, kafkaCheckpoint } from './checkpoint.ts';
import { createKafka, kafkaErrorMessage } from './client.ts';
import { decodeMessage, decodeSettingsOf, type DecodeSettings } from './decode.ts';
import { HandoffQueue } from './handoff-queue.ts';
import type { KafkaOptions } from './options.ts';
import { ClientSockets } from './sockets.ts';

/** Batches the reader holds ahead of the engine (the engine's own channel does the real buffering). */
const QUEUE_CAPACITY = 2;
/** How long a fetch waits for new records; bounds how quickly a stop or a pause takes effect. */
const FETCH_MAX_WAIT_MS = 1_000;
/** Retries of a realtime consumer's request before it crashes and restarts (kafkajs's consumer default). */
const REALTIME_CONSUMER_RETRIES = 5;
/** Retries of a timing consumer's request before the run fails (103). */
const TIMING_CONSUMER_RETRIES = 3;
/** How long `close` waits for the consumer to leave its group before it cuts the connections. */
const GRACEFUL_CLOSE_MS = 5_000;

export function consumerGroupOf(ctx: ReaderContext<KafkaOptions>): string {
  return ctx.task.source.consumerGroup?.trim() || `fdi-${ctx.task.taskId}`;
}

/**
 * Consumes the task's topic in the task's consumer group. Offsets are committed only through `commit`, which the
 * engine calls once the writer has flushed the batch that carried the checkpoint: a run that dies resumes from
 * the last written batch (at-least-once; exactly-once with an upserting writer).
 *
 * Timing tasks read up to the high watermarks taken at `open` and end; realtime tasks read until the signal
 * aborts. A stop (`abort('stop')`) hands over what was already fetched, then ends; any other abort ends at once.
 *
 * `close` is final: the consumer is not restarted afterwards, a group join still in progress is abandoned (there is
 * no membership to leave yet, and the join can wait a whole session timeout), and no broker socket outlives it.
 */
export class KafkaReader implements Reader {
  private readonly topic: string;
  private readonly groupId: string;
  private readonly decode: DecodeSettings;
  private readonly timing: boolean;
  private readonly batchSize: number;
  private readonly sockets = new ClientSockets();
  private readonly kafka: Kafka;
  private admin: Admin | undefined;
  private consumer: Consumer | undefined;
  private readonly queue = new HandoffQueue<SourceBatch>(QUEUE_CAPACITY);
  /** Next offset to hand over, per partition. */
  private readonly positions = new Map<number, number>();
  /** Timing: the high watermark per partition at open (exclusive end). */
  private readonly ends = new Map<number, number>();
  /** Offsets this reader has committed. */
  private readonly committed = new Map<number, number>();
  private windowCount = 0;
  private groupReady: Promise<void> | undefined;
  private markGroupReady: (() => void) | undefined;
  private crashed: Error | undefined;
  /** Between the start of a (re)join and the group's answer: there is no membership to leave. */
  private joining = false;
  private closing = false;
  private closed: Promise<void> | undefined;

  constructor(private readonly ctx: ReaderContext<KafkaOptions>) {
    const topic = ctx.task.source.topic?.trim();
    if (!topic) throw new TaskConfigError('sourceTopicName', 'is required for a Kafka source');
    this.topic = topic;
    this.groupId = consumerGroupOf(ctx);
    this.decode = decodeSettingsOf(ctx.task.source);
    this.timing = ctx.task.taskType === 'TIMING';
    this.batchSize = ctx.task.runtime.batchSize;
    this.kafka = createKafka(ctx.datasource.options, this.clientLog(ctx.log), this.sockets.factory);
  }

  async open(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await this.plan(this.admin, await this.startOffsets(this.admin));
    const options = this.ctx.datasource.options;
    this.consumer = this.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      allowAutoTopicCreation: false,
      // A timing run is bounded: a consumer that failed ends it (103) and the next fire starts afresh from the
      // last commit. A realtime run keeps restarting, as a long-lived consumer should, until it is closed: kafkajs
      // would otherwise restart a consumer whose join failed because close() cut it (kafkajs#1462, #1571).
      retry: this.timing
        ? { retries: TIMING_CONSUMER_RETRIES, restartOnFailure: async () => false }
        : { retries: REALTIME_CONSUMER_RETRIES, restartOnFailure: async () => !this.closing },
    });
    this.watchConsumer(this.consumer);
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.topic], fromBeginning: this.offsetReset() === 'earliest' });
  }

  async *batches(): AsyncIterable<SourceBatch> {
    const consumer = this.consumer;
    if (!consumer) throw new Error('KafkaReader.batches() before open()');
    if (this.timing && this.allReached()) return;
    const signal = this.ctx.signal;
    const onAbort = (): void => this.stopReading(signal.reason === STOP_REASON && !this.timing);
    if (signal.aborted || this.closing) return;
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      // consumer.run() resolves only once the group is joined, which can take a session timeout; batches are
      // taken meanwhile so that a stop or a close during the join ends the iteration at once.
      this.joining = true;
      consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.onBatch(payload),
      }).catch((e: unknown) => this.queue.fail(new Error(`Kafka consumer failed: ${kafkaErrorMessage(e)}`)));
      for (;;) {
        const batch = await this.queue.take();
        if (batch === undefined) return;
        yield batch;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async commit(checkpoint: Checkpoint): Promise<void> {
    if (!isKafkaCheckpoint(checkpoint) || checkpoint.topic !== this.topic) {
      throw new Error(`not a checkpoint of topic ${this.topic}: ${JSON.stringify(checkpoint)}`);
    }
    const offsets = Object.entries(checkpoint.partitions)
      .map(([p, offset]) => ({ partition: Number(p), offset }))
      .filter(({ partition, offset }) => offset > (this.committed.get(partition) ?? -1));
    if (offsets.length === 0) return;
    const consumer = this.consumer;
    if (!consumer) throw new Error('KafkaReader.commit() before open()');
    await this.whenGroupReady();
    await consumer.commitOffsets(offsets.map(({ partition, offset }) => ({
      topic: this.topic,
      partition,
      offset: String(offset),
    })));
    for (const { partition, offset } of offsets) this.committed.set(partition, offset);
  }

  async count(): Promise<number> {
    return this.windowCount;
  }

  /** Idempotent: every call waits for the same, single shutdown. */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    this.queue.close();
    // A member leaves its group (the next start need not wait for its session to expire); a join in progress is
    // cut, and so is a leave that hangs.
    if (this.joining) this.sockets.destroyAll();
    const disconnects = Promise.all([this.consumer, this.admin].map(async (client) => {
      try {
        await client?.disconnect();
        return undefined;
      } catch (e) {
        return kafkaErrorMessage(e);
      }
    }));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, GRACEFUL_CLOSE_MS);
    });
    await Promise.race([disconnects, grace]);
    clearTimeout(timer);
    this.sockets.destroyAll();
    const errors = (await disconnects).filter((e) => e !== undefined);
    if (errors.length > 0) this.ctx.log.warn('kafka reader: disconnect failed', { errors });
  }

  /** kafkajs's lines; once closing, the errors of the connections close() cut are expected: debug, not warnings. */
  private clientLog(log: ConnectorLogger): ConnectorLogger {
    return {
      debug: (m, d) => log.debug(m, d),
      info: (m, d) => log.info(m, d),
      warn: (m, d) => (this.closing ? log.debug(m, d) : log.warn(m, d)),
      error: (m, d) => (this.closing ? log.debug(m, d) : log.error(m, d)),
    };
  }

  private offsetReset(): 'earliest' | 'latest' {
    return this.ctx.task.source.offsetReset ?? 'earliest';
  }

  /**
   * Where each partition starts: the group's committed offset; for a partition the group has none of (a new
   * group, or offsets expired by the broker's retention) the offset this task's stored checkpoint recorded, when
   * the reset policy is `earliest` (the consumer then starts there and skips what lies before). Partitions with
   * neither are left to the reset policy.
   */
  private async startOffsets(admin: Admin): Promise<Map<number, number>> {
    const [groupOffsets] = await admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
    const starts = new Map<number, number>();
    for (const p of groupOffsets?.partitions ?? []) {
      const offset = Number(p.offset);
      if (offset >= 0) {
        starts.set(p.partition, offset);
        this.committed.set(p.partition, offset);
      }
    }
    const stored = this.ctx.checkpoint;
    if (this.offsetReset() === 'earliest' && isKafkaCheckpoint(stored) && stored.topic === this.topic) {
      for (const [p, offset] of Object.entries(stored.partitions)) {
        if (!starts.has(Number(p))) starts.set(Number(p), offset);
      }
    }
    return starts;
  }

  /**
   * Each partition's first offset to hand over; for timing tasks also its end (the high watermark at open) and
   * the window's record count. A known offset outside the partition's range (a recreated topic, retention) is
   * dropped in favour of the reset policy.
   */
  private async plan(admin: Admin, starts: ReadonlyMap<number, number>): Promise<void> {
    const watermarks = await admin.fetchTopicOffsets(this.topic);
    for (const w of watermarks) {
      const low = Number(w.low);
      const high = Number(w.high);
      const known = starts.get(w.partition);
      const valid = known !== undefined && known <= high ? Math.max(known, low) : undefined;
      if (!this.timing) {
        if (valid !== undefined) this.positions.set(w.partition, valid);
        continue;
      }
      const start = valid ?? (this.offsetReset() === 'earliest' ? low : high);
      this.ends.set(w.partition, high);
      this.positions.set(w.partition, start);
      this.windowCount += high - start;
    }
    if (this.timing) {
      this.ctx.log.info('kafka reader: timing window', {
        topic: this.topic,
        groupId: this.groupId,
        from: Object.fromEntries(this.positions),
        to: Object.fromEntries(this.ends),
      });
    }
  }

  private allReached(): boolean {
    for (const [p, end] of this.ends) if ((this.positions.get(p) ?? 0) < end) return false;
    return true;
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const partition = batch.partition;
    const end = this.timing ? (this.ends.get(partition) ?? 0) : Infinity;
    const from = this.positions.get(partition) ?? 0;
    // After a rebalance kafkajs fetches again from the last commit; what this run already handed over is skipped.
    const messages = batch.messages.filter((m) => {
      const o = Number(m.offset);
      return o >= from && o < end;
    });
    if (Number(batch.firstOffset()) < from) resolveOffset(String(from - 1));
    for (let i = 0; i < messages.length; i += this.batchSize) {
      if (!isRunning() || isStale() || this.queue.isClosed) return;
      const chunk = messages.slice(i, i + this.batchSize);
      const last = Number(chunk[chunk.length - 1]?.offset);
      const isLastChunk = i + this.batchSize >= messages.length;
      const next = isLastChunk ? this.batchEnd(batch, last + 1, end) : last + 1;
      const records: Row[] = [];
      const unreadable: UnreadableRecord[] = [];
      let bytes = 0;
      for (const message of chunk) {
        const decoded = decodeMessage(message, partition, this.decode);
        bytes += decoded.bytes;
        if ('row' in decoded) records.push(decoded.row);
        else unreadable.push(decoded.unreadable);
      }
      const positions = new Map(this.positions).set(partition, next);
      const sourceBatch: SourceBatch = { records, bytes, checkpoint: { ...kafkaCheckpoint(this.topic, positions) } };
      if (unreadable.length > 0) sourceBatch.unreadable = unreadable;
      if (!(await this.queue.push(sourceBatch, heartbeat))) return;
      this.positions.set(partition, next);
      resolveOffset(String(next - 1));
    }
    if (messages.length === 0 && this.timing && Number(batch.lastOffset()) + 1 >= end) {
      this.positions.set(partition, Math.max(from, end));
    }
    if (this.timing && (this.positions.get(partition) ?? 0) >= end) {
      this.consumer?.pause([{ topic: this.topic, partitions: [partition] }]);
      if (this.allReached()) this.queue.end();
    }
  }

  /**
   * Where the partition stands once a batch's last record is handed over: past records the batch holds after
   * it that are not data (transaction markers, compacted gaps), but never past the timing window's end.
   */
  private batchEnd(batch: Batch, afterLast: number, end: number): number {
    return Math.min(end, Math.max(afterLast, Number(batch.lastOffset()) + 1));
  }

  private stopReading(drain: boolean): void {
    try {
      this.consumer?.pause([{ topic: this.topic }]);
    } catch {
      // Not running (between a crash and its restart): nothing is fetched, and the queue ends below.
    }
    if (drain) this.queue.end();
    else this.queue.close();
  }

  private watchConsumer(consumer: Consumer): void {
    this.resetGroupReady();
    consumer.on(consumer.events.REBALANCING, () => {
      this.joining = true;
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joining = false;
      this.ctx.log.info('kafka reader: joined group', {
        groupId: payload.groupId,
        memberId: payload.memberId,
        assignment: payload.memberAssignment,
      });
      this.markGroupReady?.();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      const message = kafkaErrorMessage(payload.error);
      if (payload.restart) {
        this.ctx.log.warn('kafka reader: consumer restarts after an error', { error: message });
        this.joining = true;
        this.resetGroupReady();
        return;
      }
      this.joining = false;
      this.crashed = new Error(`Kafka consumer failed: ${message}`);
      this.markGroupReady?.();
      this.queue.fail(this.crashed);
    });
  }

  private resetGroupReady(): void {
    this.groupReady = new Promise<void>((resolve) => {
      this.markGroupReady = resolve;
    });
  }

  /** Offsets can be committed only by a member of the group: wait for the (re)join, within a session timeout. */
  private async whenGroupReady(): Promise<void> {
    const timeoutMs = this.ctx.datasource.options.sessionTimeoutMs * 2;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([this.groupReady, timeout]);
    clearTimeout(timer);
    if (this.crashed) throw this.crashed;
    if (result === 'timeout') {
      throw new Error(`Kafka consumer of group ${this.groupId} did not rejoin within ${timeoutMs} ms; offsets not committed`);
    }
  }
}
