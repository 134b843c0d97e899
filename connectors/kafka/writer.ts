import type { ICustomPartitioner, Kafka, Message, Producer } from 'kafkajs';
import {
  jsonFieldValue,
  TaskConfigError,
  type RejectedRecord,
  type Row,
  type WriteResult,
  type Writer,
  type WriterContext,
} from '../sdk/index.ts';
import { createKafka, kafkaErrorMessage, kafkajsModule } from './client.ts';
import { kafkaDataTypeOf, DEFAULT_TEXT_DELIMITER, type KafkaDataType } from './decode.ts';
import { expandTemplate, fieldText, rowToJson, rowToText } from './encode.ts';
import type { KafkaOptions } from './options.ts';

/** acks=-1: a batch counts as written only once every in-sync replica has it. */
const ACKS_ALL = -1;
/**
 * Keyed messages go to murmur2(key) mod partitions, as the Java client's default partitioner sends them, so records
 * with one key land in one partition whichever client (or the DataX/ROMA tasks this replaces) wrote the others.
 * Chosen explicitly: kafkajs warns on every process that leaves the choice to it.
 */
const partitioner = (): ICustomPartitioner => kafkajsModule().Partitioners.DefaultPartitioner;
/** Room kept for the record batch framing around a message when checking max_message_bytes. */
const MESSAGE_OVERHEAD_BYTES = 128;

/**
 * Sends each record as one message: the value is the record as a JSON object (`kafka_data_type` json, the
 * default) or its values joined by the delimiter (`text`); the key is the field named by `targetKafkaKey`;
 * headers come from `taegetHeaders`/`targetHeaders` with `${field}` placeholders. With a pass-through target
 * (`isParse` false) a record read pass-through from Kafka is sent as it came: its `value`, `key` and `headers`.
 * `write` resolves after the broker acknowledged the batch (acks=all); the idempotent producer is used where
 * the broker grants a producer id.
 */
export class KafkaWriter implements Writer {
  private readonly topic: string;
  private readonly dataType: KafkaDataType;
  private readonly passThrough: boolean;
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private textColumns: string[] | undefined;

  constructor(private readonly ctx: WriterContext<KafkaOptions>) {
    const topic = ctx.task.target.topic?.trim();
    if (!topic) throw new TaskConfigError('topic', 'is required for a Kafka target');
    this.topic = topic;
    this.dataType = kafkaDataTypeOf('kafka_data_type', ctx.task.target.kafkaDataType);
    this.passThrough = isFalse(ctx.task.target.extra['isParse'] ?? ctx.task.target.extra['is_parse']);
    this.kafka = createKafka(ctx.datasource.options, ctx.log);
  }

  async open(): Promise<void> {
    const options = this.ctx.datasource.options;
    if (options.idempotent) {
      const idempotent = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: partitioner() });
      try {
        await idempotent.connect();
        this.producer = idempotent;
        return;
      } catch (e) {
        await idempotent.disconnect().catch(() => undefined);
        this.ctx.log.warn('kafka writer: the broker refused an idempotent producer; writing without idempotence (a retried send may duplicate)', {
          error: kafkaErrorMessage(e),
        });
      }
    }
    const producer = this.kafka.producer({ allowAutoTopicCreation: true, createPartitioner: partitioner() });
    await producer.connect();
    this.producer = producer;
  }

  async write(records: Row[]): Promise<WriteResult> {
    const producer = this.producer;
    if (!producer) throw new Error('KafkaWriter.write() before open()');
    const rejected: RejectedRecord[] = [];
    const messages: Message[] = [];
    const limit = this.ctx.datasource.options.maxMessageBytes;
    this.checkKeyField(records[0]);
    records.forEach((row, index) => {
      const message = this.toMessage(row);
      const size = messageBytes(message);
      if (size + MESSAGE_OVERHEAD_BYTES > limit) {
        rejected.push({ index, reason: `message of ${size} bytes exceeds max_message_bytes ${limit}` });
        return;
      }
      messages.push(message);
    });
    if (messages.length > 0) {
      await producer.send({ topic: this.topic, messages, acks: ACKS_ALL });
    }
    return { rejected };
  }

  /** `write` already awaited the broker's acknowledgement of every message it accepted. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    try {
      await this.producer?.disconnect();
    } catch (e) {
      this.ctx.log.warn('kafka writer: disconnect failed', { error: kafkaErrorMessage(e) });
    }
  }

  private toMessage(row: Row): Message {
    const target = this.ctx.task.target;
    if (this.passThrough && 'value' in row) {
      const message: Message = { value: fieldText(row['value']), key: fieldText(row['key']) };
      const headers = row['headers'];
      if (headers && typeof headers === 'object' && !Array.isArray(headers) && !(headers instanceof Date) && !(headers instanceof Uint8Array)) {
        message.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, fieldText(jsonFieldValue(v)) ?? '']));
      }
      return message;
    }
    const value = this.dataType === 'json'
      ? rowToJson(row)
      : rowToText(row, this.columnsOf(row), target.fieldDelimiter || DEFAULT_TEXT_DELIMITER, target.nullFormat ?? '');
    const message: Message = { value };
    if (target.kafkaKey) message.key = fieldText(row[target.kafkaKey]);
    if (target.kafkaHeaders.length > 0) {
      message.headers = Object.fromEntries(target.kafkaHeaders.map((h) => [h.key, expandTemplate(h.value, row)]));
    }
    return message;
  }

  /** A key field that the records do not have is a task error, not a silent null key on every message. */
  private checkKeyField(first: Row | undefined): void {
    const key = this.ctx.task.target.kafkaKey;
    if (!key || !first || this.passThrough || key in first) return;
    throw new TaskConfigError('targetKafkaKey', `field "${key}" is not in the records (fields: ${Object.keys(first).join(', ')})`);
  }

  /** `text` columns: the target's metadata or selected columns in order, else the first record's fields. */
  private columnsOf(row: Row): string[] {
    if (!this.textColumns) {
      const target = this.ctx.task.target;
      const declared = target.metaData.length > 0
        ? [...target.metaData].sort((a, b) => a.index - b.index).map((m) => m.name)
        : target.selectedColumns.map((c) => c.name);
      this.textColumns = declared.length > 0 ? declared : Object.keys(row);
    }
    return this.textColumns;
  }
}

function isFalse(v: unknown): boolean {
  return v === false || v === 'false';
}

function messageBytes(m: Message): number {
  let n = byteLength(m.value) + byteLength(m.key);
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    n += Buffer.byteLength(k) + (Array.isArray(v) ? v.reduce((s, x) => s + byteLength(x), 0) : byteLength(v));
  }
  return n;
}

function byteLength(v: Buffer | string | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'string' ? Buffer.byteLength(v) : v.byteLength;
}
