/**
 * Listing a data source's tables and columns through a real `fdi serve` process, over HTTP, against the real
 * MariaDB and PostgreSQL test servers: `GET …/datasources/{id}/tables` (4.1.6), `GET …/datasources/{id}/columns
 * ?table_name=` (4.1.7, the route the spec documents) and its path form `GET …/datasources/{id}/tables/{table}/columns`,
 * each answering the FDI ColumnInfo shape (datasources.md §1.9).
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlContent } from '../support/datasources.ts';
import { dropPrefix, FdiProcess, freePort, uniquePrefix } from '../support/processes.ts';
import { testServices } from '../support/services.ts';

const services = testServices();
const prefix = uniquePrefix('catalog');
const BASE = '/v2/p-cat/fdi/instances/i-cat';
const MY_DB = new URL(services.mysqlUrl).pathname.slice(1);
const PG_SCHEMA = 'api_cat_schema';

let serve: FdiProcess;
let apiUrl = '';
let myConn: mysql.Connection;
let pgClient: pg.Client;
let mysqlId = '';
let pgId = '';

interface Answer {
  status: number;
  // The API's answers are read field by field.
  body: { [key: string]: unknown };
  text: string;
}

async function get(path: string): Promise<Answer> {
  const res = await fetch(apiUrl + path);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as { [key: string]: unknown }) : {}, text };
}

async function tablesOf(id: string, query = ''): Promise<string[]> {
  const res = await get(`${BASE}/datasources/${id}/tables${query}`);
  expect(res.status, res.text).toBe(200);
  expect(Object.keys(res.body)).toEqual(['tables']);
  return res.body['tables'] as string[];
}

type ColumnInfo = Record<string, unknown>;

/** The columns of `table` by both routes; they must answer the same. */
async function columnsOf(id: string, table: string): Promise<ColumnInfo[]> {
  const byQuery = await get(`${BASE}/datasources/${id}/columns?direction_type=SOURCE&table_name=${encodeURIComponent(table)}`);
  expect(byQuery.status, byQuery.text).toBe(200);
  const byPath = await get(`${BASE}/datasources/${id}/tables/${encodeURIComponent(table)}/columns`);
  expect(byPath.status, byPath.text).toBe(200);
  expect(byPath.body).toEqual(byQuery.body);
  expect(Object.keys(byQuery.body)).toEqual(['columns']);
  const columns = byQuery.body['columns'] as ColumnInfo[];
  for (const c of columns) {
    // Every field of the ColumnInfo table, in its order; strings where the spec says String, is_partition Boolean.
    expect(Object.keys(c)).toEqual(['field_name', 'field_type', 'field_length', 'null_able', 'is_partition', 'primary', 'unique', 'decimal_digits']);
    for (const f of ['field_name', 'field_type', 'field_length', 'null_able', 'primary', 'unique']) expect(typeof c[f], `${String(c['field_name'])}.${f}`).toBe('string');
    expect(['0', '1']).toContain(c['null_able']);
    expect(['0', '1']).toContain(c['primary']);
    expect(['0', '1']).toContain(c['unique']);
    expect(c['is_partition']).toBe(false);
    expect(c['decimal_digits'] === null || /^\d+$/.test(String(c['decimal_digits']))).toBe(true);
  }
  return columns;
}

const byName = (columns: ColumnInfo[]): Record<string, ColumnInfo> => Object.fromEntries(columns.map((c) => [String(c['field_name']), c]));

beforeAll(async () => {
  myConn = await mysql.createConnection(services.mysqlUrl);
  await myConn.query('DROP TABLE IF EXISTS api_cat_orders');
  await myConn.query('DROP TABLE IF EXISTS api_cat_lines');
  await myConn.query(`CREATE TABLE api_cat_orders (
    id INT NOT NULL PRIMARY KEY, code VARCHAR(20) NOT NULL UNIQUE, amount DECIMAL(10,2) NULL, note TEXT NULL, placed_at DATETIME NULL)`);
  await myConn.query('CREATE TABLE api_cat_lines (order_id INT NOT NULL, line SMALLINT NOT NULL, sku CHAR(8) NOT NULL, PRIMARY KEY (order_id, line))');
  pgClient = new pg.Client({ connectionString: services.pgUrl });
  await pgClient.connect();
  await pgClient.query('DROP TABLE IF EXISTS public.api_cat_orders');
  await pgClient.query(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE`);
  await pgClient.query(`CREATE TABLE public.api_cat_orders (
    id int4 PRIMARY KEY, code varchar(20) NOT NULL UNIQUE, amount numeric(12,3), note text, placed_at timestamptz)`);
  await pgClient.query(`CREATE SCHEMA ${PG_SCHEMA}`);
  await pgClient.query(`CREATE TABLE ${PG_SCHEMA}.events (tenant varchar(16) NOT NULL, seq int8 NOT NULL, payload jsonb, UNIQUE (tenant, seq))`);

  const port = await freePort();
  serve = await FdiProcess.serve(prefix, port);
  apiUrl = `http://127.0.0.1:${port}`;
  for (const [name, type, url] of [['cat-mysql', 'MYSQL', services.mysqlUrl], ['cat-pg', 'POSTGRESQL', services.pgUrl]] as const) {
    const res = await fetch(`${apiUrl}${BASE}/datasources`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ datasource_name: name, datasource_type: type, content: { ...sqlContent(url), mode: 'default' } }),
    });
    const body = (await res.json()) as { datasource_id: string };
    expect(res.status, JSON.stringify(body)).toBe(201);
    if (type === 'MYSQL') mysqlId = body.datasource_id;
    else pgId = body.datasource_id;
  }
});

afterAll(async () => {
  await serve?.stop();
  await dropPrefix(prefix);
  await myConn?.query('DROP TABLE IF EXISTS api_cat_orders');
  await myConn?.query('DROP TABLE IF EXISTS api_cat_lines');
  await myConn?.end();
  await pgClient?.query('DROP TABLE IF EXISTS public.api_cat_orders');
  await pgClient?.query(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE`);
  await pgClient?.end();
});

describe('a spawned fdi serve lists the tables of', () => {
  it('MySQL: database.table names, with the fuzzy filter', async () => {
    const all = await tablesOf(mysqlId, '?direction_type=SOURCE');
    expect(all).toEqual(expect.arrayContaining([`${MY_DB}.api_cat_orders`, `${MY_DB}.api_cat_lines`]));
    const filtered = await tablesOf(mysqlId, '?direction_type=SOURCE&filter=API_CAT_');
    expect([...filtered].sort()).toEqual([`${MY_DB}.api_cat_lines`, `${MY_DB}.api_cat_orders`]);
    expect(await tablesOf(mysqlId, '?direction_type=TARGET&filter=no_table_has_this_name')).toEqual([]);
  });

  it('PostgreSQL: schema.table names across schemas, with the fuzzy filter', async () => {
    const all = await tablesOf(pgId, '?direction_type=TARGET');
    expect(all).toEqual(expect.arrayContaining(['public.api_cat_orders', `${PG_SCHEMA}.events`]));
    expect(all.some((t) => t.startsWith('pg_catalog.') || t.startsWith('information_schema.'))).toBe(false);
    expect(await tablesOf(pgId, `?direction_type=SOURCE&filter=${PG_SCHEMA}.EV`)).toEqual([`${PG_SCHEMA}.events`]);
  });
});

describe('a spawned fdi serve lists the columns of', () => {
  it('a MySQL table in the FDI shape: types, lengths, nullability, primary and unique keys, decimal digits', async () => {
    const columns = await columnsOf(mysqlId, 'api_cat_orders');
    expect(columns.map((c) => c['field_name'])).toEqual(['id', 'code', 'amount', 'note', 'placed_at']);
    const c = byName(columns);
    expect(c['id']).toEqual({ field_name: 'id', field_type: 'int', field_length: '10', null_able: '0', is_partition: false, primary: '1', unique: '1', decimal_digits: '0' });
    expect(c['code']).toEqual({ field_name: 'code', field_type: 'varchar', field_length: '20', null_able: '0', is_partition: false, primary: '0', unique: '1', decimal_digits: null });
    expect(c['amount']).toEqual({ field_name: 'amount', field_type: 'decimal', field_length: '10', null_able: '1', is_partition: false, primary: '0', unique: '0', decimal_digits: '2' });
    expect(c['note']).toMatchObject({ field_type: 'text', field_length: '65535', null_able: '1', primary: '0', unique: '0', decimal_digits: null });
    expect(c['placed_at']).toMatchObject({ field_type: 'datetime', null_able: '1', primary: '0', unique: '0', decimal_digits: null });

    // A composite primary key: each of its columns is primary (and so unique); the qualified name works too.
    const lines = byName(await columnsOf(mysqlId, `${MY_DB}.api_cat_lines`));
    expect(lines['order_id']).toMatchObject({ field_type: 'int', null_able: '0', primary: '1', unique: '1' });
    expect(lines['line']).toMatchObject({ field_type: 'smallint', null_able: '0', primary: '1', unique: '1', decimal_digits: '0' });
    expect(lines['sku']).toEqual({ field_name: 'sku', field_type: 'char', field_length: '8', null_able: '0', is_partition: false, primary: '0', unique: '0', decimal_digits: null });
  });

  it('a PostgreSQL table in the FDI shape, by bare name (current schema) and by schema.table', async () => {
    const columns = await columnsOf(pgId, 'api_cat_orders');
    expect(await columnsOf(pgId, 'public.api_cat_orders')).toEqual(columns);
    expect(columns.map((c) => c['field_name'])).toEqual(['id', 'code', 'amount', 'note', 'placed_at']);
    const c = byName(columns);
    // Decimal digits, as MySQL and JDBC give them (information_schema has the bits of integer types: 32).
    expect(c['id']).toEqual({ field_name: 'id', field_type: 'integer', field_length: '10', null_able: '0', is_partition: false, primary: '1', unique: '1', decimal_digits: '0' });
    expect(c['code']).toEqual({ field_name: 'code', field_type: 'character varying', field_length: '20', null_able: '0', is_partition: false, primary: '0', unique: '1', decimal_digits: null });
    expect(c['amount']).toEqual({ field_name: 'amount', field_type: 'numeric', field_length: '12', null_able: '1', is_partition: false, primary: '0', unique: '0', decimal_digits: '3' });
    expect(c['note']).toMatchObject({ field_type: 'text', null_able: '1', primary: '0', unique: '0', decimal_digits: null });
    expect(c['placed_at']).toMatchObject({ field_type: 'timestamp with time zone', null_able: '1', primary: '0', unique: '0', decimal_digits: null });

    // A table outside the current schema, with a composite unique key and no primary key.
    const events = byName(await columnsOf(pgId, `${PG_SCHEMA}.events`));
    expect(Object.keys(events)).toEqual(['tenant', 'seq', 'payload']);
    expect(events['tenant']).toEqual({ field_name: 'tenant', field_type: 'character varying', field_length: '16', null_able: '0', is_partition: false, primary: '0', unique: '1', decimal_digits: null });
    expect(events['seq']).toMatchObject({ field_type: 'bigint', field_length: '19', null_able: '0', primary: '0', unique: '1' });
    expect(events['payload']).toMatchObject({ field_type: 'jsonb', null_able: '1', primary: '0', unique: '0', decimal_digits: null });
  });

  it('answers 500 FDI.3126 with the reason for a table that does not exist, on both databases and both routes', async () => {
    for (const id of [mysqlId, pgId]) {
      for (const path of [`${BASE}/datasources/${id}/columns?table_name=api_cat_missing`, `${BASE}/datasources/${id}/tables/api_cat_missing/columns`]) {
        const res = await get(path);
        expect(res.status, res.text).toBe(500);
        expect(res.body).toMatchObject({ error_code: 'FDI.3126' });
        expect(String(res.body['error_msg'])).toContain('api_cat_missing');
        expect(res.text).not.toMatch(/\bat .+\.ts:\d+/);
      }
    }
    const noName = await get(`${BASE}/datasources/${mysqlId}/columns?direction_type=SOURCE`);
    expect(noName.status).toBe(400);
    expect(noName.body).toMatchObject({ error_code: 'FDI.3033' });
  });
});
