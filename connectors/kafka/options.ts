import { readBoolean, readPositiveInt, readString } from '../sdk/content-fields.ts';
import { OptionsError, type DataSourceContent } from '../sdk/index.ts';

/** SASL mechanisms kafkajs speaks; the spec's `ssl_username`/`ssl_password` are SASL/PLAIN credentials. */
export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** A KAFKA data source's `content`, validated. Keys beyond the spec are marked in docs/connectors-kafka.md. */
export interface KafkaOptions {
  /** `broker`: "h1:9092,h2:9092". */
  brokers: string[];
  /** `ssl_enable` (v1: `ssl`): TLS to the brokers. */
  ssl: boolean;
  /** `ssl_username`/`ssl_password` when `ssl_enable`: SASL over TLS. */
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  /** Beyond the spec: `client_id`, default `fdi-worker`. */
  clientId: string;
  /** Beyond the spec: `idempotent`, default true (falls back with a warning when the broker refuses). */
  idempotent: boolean;
  /** Beyond the spec: `connection_timeout_ms`, default 5000. */
  connectionTimeoutMs: number;
  /** Beyond the spec: `request_timeout_ms`, default 30000. */
  requestTimeoutMs: number;
  /** Beyond the spec: `session_timeout_ms` of the consumer group, default 30000. */
  sessionTimeoutMs: number;
  /** Beyond the spec: `heartbeat_interval_ms`, default 3000. */
  heartbeatIntervalMs: number;
  /** Beyond the spec: `max_message_bytes`, default 1000000 (the broker's default `message.max.bytes`). */
  maxMessageBytes: number;
}

export const KAFKA_DEFAULTS = {
  clientId: 'fdi-worker',
  connectionTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  maxMessageBytes: 1_000_000,
} as const;

/** A number in a text field of a Kafka data source is taken as its decimal text (`ssl_password: 123456`). */
const NUMBERS_AS_TEXT = { numbers: true };

const SASL_MECHANISMS: readonly SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512'];

export function parseKafkaOptions(content: DataSourceContent): KafkaOptions {
  const brokers = parseBrokers(content['broker'] ?? content['brokers']);
  const ssl = readBoolean(content, 'ssl_enable', readBoolean(content, 'ssl', false));
  const username = readString(content, 'ssl_username', NUMBERS_AS_TEXT);
  const password = readString(content, 'ssl_password', NUMBERS_AS_TEXT);
  const options: KafkaOptions = {
    brokers,
    ssl,
    clientId: readString(content, 'client_id', NUMBERS_AS_TEXT) ?? KAFKA_DEFAULTS.clientId,
    idempotent: readBoolean(content, 'idempotent', true),
    connectionTimeoutMs: readPositiveInt(content, 'connection_timeout_ms', KAFKA_DEFAULTS.connectionTimeoutMs),
    requestTimeoutMs: readPositiveInt(content, 'request_timeout_ms', KAFKA_DEFAULTS.requestTimeoutMs),
    sessionTimeoutMs: readPositiveInt(content, 'session_timeout_ms', KAFKA_DEFAULTS.sessionTimeoutMs),
    heartbeatIntervalMs: readPositiveInt(content, 'heartbeat_interval_ms', KAFKA_DEFAULTS.heartbeatIntervalMs),
    maxMessageBytes: readPositiveInt(content, 'max_message_bytes', KAFKA_DEFAULTS.maxMessageBytes),
  };
  if (options.heartbeatIntervalMs >= options.sessionTimeoutMs) {
    throw new OptionsError('heartbeat_interval_ms', `must be below session_timeout_ms (${options.sessionTimeoutMs})`);
  }
  if (ssl && username !== undefined) {
    if (password === undefined) throw new OptionsError('ssl_password', 'is required when ssl_username is set');
    const mechanism = (readString(content, 'sasl_mechanism', NUMBERS_AS_TEXT) ?? 'plain').toLowerCase();
    if (!SASL_MECHANISMS.includes(mechanism as SaslMechanism)) {
      throw new OptionsError('sasl_mechanism', `must be one of ${SASL_MECHANISMS.join(', ')}, got "${mechanism}"`);
    }
    options.sasl = { mechanism: mechanism as SaslMechanism, username, password };
  }
  return options;
}

function parseBrokers(value: unknown): string[] {
  if (value === undefined || value === null || value === '') {
    throw new OptionsError('broker', 'is required: a comma-separated list of host:port');
  }
  if (typeof value !== 'string') throw new OptionsError('broker', 'must be a string "host:port,host:port"');
  const brokers = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (brokers.length === 0) throw new OptionsError('broker', 'is required: a comma-separated list of host:port');
  for (const b of brokers) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(b);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 1 || port > 65535) throw new OptionsError('broker', `"${b}" is not host:port`);
  }
  return brokers;
}
