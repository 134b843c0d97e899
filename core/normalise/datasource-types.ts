/** `datasource_type` (spec datasources.md §1.2): the 40 documented values, plus `FILE` (our local file connector). */
export const SPEC_DATASOURCE_TYPES = [
  'DB2', 'GAUSS100', 'OPENGAUSS', 'MYSQL', 'ORACLE', 'POSTGRESQL', 'SQLSERVER', 'TAURUS', 'DIS', 'DWS',
  'HIVE', 'MRSHBASE', 'MRSHDFS', 'MRSHIVE', 'MRSKAFKA', 'MRSREDIS', 'MRSCLICKHOUSE', 'FTP', 'OBS', 'ACTIVEMQ',
  'ARTEMISMQ', 'IBMMQ', 'KAFKA', 'MQS', 'RABBITMQ', 'HANA', 'MONGODB', 'REDIS', 'API', 'WEBSOCKET',
  'LDAP', 'SAP', 'SNMP', 'AOMDP', 'ROCKETMQ', 'DM', 'CLICKHOUSE', 'HL7', 'ROMA20MQS', 'IMF',
] as const;

export const DATASOURCE_TYPES: readonly string[] = [...SPEC_DATASOURCE_TYPES, 'FILE'];

/**
 * A plugin may serve a type of its own (`UPMEM`, `ORACLE19` …), so any upper-case name of this form is accepted
 * here; whether a connector serves it is the registry's question (FDI.3443 when none does, at create and at run).
 */
export const DATASOURCE_TYPE_PATTERN = /^[A-Z][A-Z0-9_]{1,31}$/;

export function isDataSourceTypeName(type: string): boolean {
  return DATASOURCE_TYPES.includes(type) || DATASOURCE_TYPE_PATTERN.test(type);
}
