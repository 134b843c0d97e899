import { defineConnector, type ConnectorDataSource, type ConnectorLogger } from '../sdk/index.ts';
import { createKafka } from './client.ts';
import { parseKafkaOptions, type KafkaOptions } from './options.ts';
import { KafkaReader } from './reader.ts';
import { KafkaWriter } from './writer.ts';

export type { KafkaOptions } from './options.ts';
export { KafkaReader, consumerGroupOf } from './reader.ts';
export { KafkaWriter } from './writer.ts';

/** Connectivity checks and listings have no run logger: kafkajs's own lines are dropped. */
const QUIET: ConnectorLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Kafka topics as a source (timing and realtime) and a target (timing and realtime), through kafkajs. */
export const kafkaConnector = defineConnector<KafkaOptions>({
  type: 'kafka',
  serves: { source: ['TIMING', 'REALTIME'], target: ['TIMING', 'REALTIME'] },
  readerStage: 'kafkareader',
  writerStage: 'kafkawriter',
  parseOptions: parseKafkaOptions,
  async test(ds) {
    await withAdmin(ds, async (admin) => {
      await admin.describeCluster();
    });
  },
  async listTables(ds) {
    return withAdmin(ds, async (admin) => (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort());
  },
  reader: (ctx) => new KafkaReader(ctx),
  writer: (ctx) => new KafkaWriter(ctx),
});

export default kafkaConnector;

async function withAdmin<T>(
  ds: ConnectorDataSource<KafkaOptions>,
  fn: (admin: ReturnType<ReturnType<typeof createKafka>['admin']>) => Promise<T>,
): Promise<T> {
  const admin = createKafka(ds.options, QUIET).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
