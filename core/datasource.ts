import type { JsonValue } from './values.ts';

/**
 * An FDI data source (spec datasources.md §1.1/§1.5), normalised: `datasource_type` upper-cased as the spec
 * spells it (`MYSQL`, `POSTGRESQL`, `KAFKA`, `FTP` …), `content` kept as given (each connector validates its own
 * fields with its options schema). Secrets are in clear text here; the store encrypts them at rest.
 */
export interface DataSourceRecord {
  datasource_id: string;
  datasource_name: string;
  datasource_type: string;
  app_id?: string;
  description?: string;
  content: DataSourceContent;
  create_time?: number;
  update_time?: number;
}

/** The type-specific connection details; every documented field is optional in the spec. */
export type DataSourceContent = { [key: string]: JsonValue | undefined };

/** Content fields that are secrets: never returned by the API (masked as `******`), encrypted at rest. */
export const SECRET_CONTENT_FIELDS: readonly string[] = [
  'password',
  'sk',
  'ssl_password',
  'trust_store_password',
  'key_store_password',
  'key_store_key_password',
  'app_secret',
  'snmp_community',
  'config_file_content',
  'private_key',
  'passphrase',
  // api_auth_detail secrets (spec datasources.md §1.4)
  'secret',
  'client_secret',
];

export const MASKED_SECRET = '******';
