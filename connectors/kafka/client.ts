import { createRequire } from 'node:module';
import type { ISocketFactory, Kafka, KafkaConfig, LogEntry } from 'kafkajs';
import type { ConnectorLogger } from '../sdk/index.ts';
import type { KafkaOptions } from './options.ts';

const require = createRequire(import.meta.url);
type Kafkajs = typeof import('kafkajs');
let kafkajs: Kafkajs | undefined;

/** kafkajs, loaded on first use: a run that touches no Kafka does not pay for loading it (a tenth of a second). */
export function kafkajsModule(): Kafkajs {
  kafkajs ??= require('kafkajs') as Kafkajs;
  return kafkajs;
}

/** Retries of one request before the error surfaces (kafkajs default: 5 with up to 30 s each). */
const CLIENT_RETRY = { retries: 3, initialRetryTime: 300, maxRetryTime: 3_000 } as const;

/** kafkajs's idempotent producer warns about bounded retries; the writer chooses them on purpose. */
const SILENCED_MESSAGES = ['Limiting retries for the idempotent producer'];

/**
 * A kafkajs client for a data source, its log lines going to the run's logger; `socketFactory` when the caller
 * must own the broker sockets (see ClientSockets).
 */
export function createKafka(options: KafkaOptions, log: ConnectorLogger, socketFactory?: ISocketFactory): Kafka {
  const { Kafka, logLevel } = kafkajsModule();
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    retry: { ...CLIENT_RETRY },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => forward(log, entry),
  };
  if (socketFactory) config.socketFactory = socketFactory;
  if (options.ssl) config.ssl = true;
  if (options.sasl) {
    const { mechanism, username, password } = options.sasl;
    config.sasl = mechanism === 'plain'
      ? { mechanism, username, password }
      : mechanism === 'scram-sha-256'
        ? { mechanism, username, password }
        : { mechanism, username, password };
  }
  return new Kafka(config);
}

function forward(log: ConnectorLogger, entry: LogEntry): void {
  const { logLevel } = kafkajsModule();
  const { message, timestamp: _timestamp, logger: _logger, ...data } = entry.log;
  if (SILENCED_MESSAGES.some((m) => message.startsWith(m))) return;
  const text = entry.namespace ? `kafka ${entry.namespace}: ${message}` : `kafka: ${message}`;
  switch (entry.level) {
    case logLevel.ERROR:
      // kafkajs logs retried failures as errors; the connector decides what is fatal.
      log.warn(text, data);
      break;
    case logLevel.WARN:
      log.warn(text, data);
      break;
    case logLevel.INFO:
      log.info(text, data);
      break;
    default:
      log.debug(text, data);
  }
}

/** The message of a kafkajs error, with its cause when kafkajs wraps one (retries exhausted). */
export function kafkaErrorMessage(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as Error & { originalError?: unknown }).originalError;
  if (cause instanceof Error && cause.message && !e.message.includes(cause.message)) {
    return `${e.message}: ${cause.message}`;
  }
  return e.message;
}
