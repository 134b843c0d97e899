/**
 * The built-in connectors. Each connector adds one import and one `register` line here.
 */
import { ConnectorRegistry } from './registry/index.ts';
import { fileConnector } from './file/index.ts';
import { kafkaConnector } from './kafka/index.ts';
import { mysqlConnector } from './mysql/index.ts';
import { postgresqlConnector } from './postgresql/index.ts';
import { sftpConnector } from './sftp/index.ts';

export function createDefaultRegistry(): ConnectorRegistry {
  const registry = new ConnectorRegistry();
  registry.register(fileConnector);
  registry.register(kafkaConnector);
  registry.register(mysqlConnector);
  registry.register(postgresqlConnector);
  registry.register(sftpConnector);
  return registry;
}
