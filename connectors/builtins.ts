/**
 * The built-in connectors. Each connector adds one import and one `register` line here.
 */
import { ConnectorRegistry } from './registry/index.ts';
import type { ConnectorDefinition } from './sdk/index.ts';
import { fileConnector } from './file/index.ts';
import { kafkaConnector } from './kafka/index.ts';
import { mysqlConnector } from './mysql/index.ts';
import { postgresqlConnector } from './postgresql/index.ts';
import { sftpConnector } from './sftp/index.ts';

const BUILTIN_CONNECTORS: readonly ConnectorDefinition<unknown>[] = [fileConnector, kafkaConnector, mysqlConnector, postgresqlConnector, sftpConnector];

export function createDefaultRegistry(): ConnectorRegistry {
  const registry = new ConnectorRegistry();
  for (const def of BUILTIN_CONNECTORS) registry.register(def);
  return registry;
}

/** True for a connector of this list (a worker thread's `createDefaultRegistry` has it too), false for a plugin's. */
export function isBuiltinConnector(def: ConnectorDefinition<unknown>): boolean {
  return (BUILTIN_CONNECTORS as readonly unknown[]).includes(def);
}
