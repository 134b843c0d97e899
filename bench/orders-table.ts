/**
 * The benchmark's table: an order line of a shop, 20 columns with integers, decimals, short and long text, date-times,
 * JSON and NULLs. The same shape exists in MySQL and PostgreSQL; the data file (`dataset.ts`) is in the text format
 * both bulk loaders read (tab-separated, `\N` for NULL, backslash escapes).
 */

export const ORDERS_TABLE = 'orders';

export interface OrdersColumn {
  name: string;
  mysql: string;
  postgresql: string;
}

export const ORDERS_COLUMNS: readonly OrdersColumn[] = [
  { name: 'id', mysql: 'BIGINT NOT NULL PRIMARY KEY', postgresql: 'bigint NOT NULL PRIMARY KEY' },
  { name: 'customer_id', mysql: 'INT NOT NULL', postgresql: 'integer NOT NULL' },
  { name: 'order_no', mysql: 'VARCHAR(32) NOT NULL', postgresql: 'varchar(32) NOT NULL' },
  { name: 'status', mysql: 'VARCHAR(16) NOT NULL', postgresql: 'varchar(16) NOT NULL' },
  { name: 'quantity', mysql: 'SMALLINT NOT NULL', postgresql: 'smallint NOT NULL' },
  { name: 'unit_price', mysql: 'DECIMAL(12,2) NOT NULL', postgresql: 'numeric(12,2) NOT NULL' },
  { name: 'total_amount', mysql: 'DECIMAL(14,2) NOT NULL', postgresql: 'numeric(14,2) NOT NULL' },
  { name: 'discount', mysql: 'DECIMAL(5,4) NULL', postgresql: 'numeric(5,4) NULL' },
  { name: 'currency', mysql: 'CHAR(3) NOT NULL', postgresql: 'char(3) NOT NULL' },
  { name: 'customer_email', mysql: 'VARCHAR(120) NOT NULL', postgresql: 'varchar(120) NOT NULL' },
  { name: 'customer_name', mysql: 'VARCHAR(80) NOT NULL', postgresql: 'varchar(80) NOT NULL' },
  { name: 'shipping_address', mysql: 'VARCHAR(200) NULL', postgresql: 'varchar(200) NULL' },
  { name: 'note', mysql: 'TEXT NULL', postgresql: 'text NULL' },
  { name: 'created_at', mysql: 'DATETIME(3) NOT NULL', postgresql: 'timestamp(3) NOT NULL' },
  { name: 'updated_at', mysql: 'DATETIME(6) NULL', postgresql: 'timestamp(6) NULL' },
  { name: 'shipped_on', mysql: 'DATE NULL', postgresql: 'date NULL' },
  { name: 'attributes', mysql: 'JSON NULL', postgresql: 'jsonb NULL' },
  { name: 'weight_kg', mysql: 'DOUBLE NULL', postgresql: 'double precision NULL' },
  { name: 'is_gift', mysql: 'TINYINT(1) NOT NULL', postgresql: 'smallint NOT NULL' },
  { name: 'version', mysql: 'INT NOT NULL', postgresql: 'integer NOT NULL' },
];

export const ORDERS_COLUMN_NAMES: readonly string[] = ORDERS_COLUMNS.map((c) => c.name);

export function mysqlCreateOrders(database: string, table: string): string {
  const cols = ORDERS_COLUMNS.map((c) => `\`${c.name}\` ${c.mysql}`).join(',\n  ');
  return `CREATE TABLE \`${database}\`.\`${table}\` (\n  ${cols}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
}

/**
 * A copy's target is written once and dropped before the next run: no autovacuum of it, which would otherwise start
 * within a minute of the load and run through the next contender's timing.
 */
export const PG_NO_AUTOVACUUM = 'autovacuum_enabled = off';

export function postgresCreateOrders(schema: string, table: string): string {
  const cols = ORDERS_COLUMNS.map((c) => `"${c.name}" ${c.postgresql}`).join(',\n  ');
  return `CREATE TABLE "${schema}"."${table}" (\n  ${cols}\n) WITH (${PG_NO_AUTOVACUUM})`;
}
