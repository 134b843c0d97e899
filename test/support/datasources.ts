/** `content` of data sources on the real test services, for tests that create data sources themselves. */
import type { DataSourceContent } from '../../core/datasource.ts';
import { testServices } from './services.ts';

export type SqlContent = { host: string; port: string; database_name: string; user_name: string; password: string };

/** `content` of a MYSQL or POSTGRESQL data source on the test server of `url`, database as the URL names it. */
export function sqlContent(url: string): SqlContent {
  const u = new URL(url);
  return { host: u.hostname, port: u.port, database_name: u.pathname.slice(1), user_name: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

/** `content` of a KAFKA data source on the test broker, with a short group session so a dead consumer is noticed soon. */
export function kafkaContent(): DataSourceContent {
  return { broker: testServices().kafkaBrokers.join(','), ssl_enable: false, session_timeout_ms: 6000, heartbeat_interval_ms: 1000 };
}
