/**
 * The task files shipped in examples/ for MySQL → PostgreSQL and PostgreSQL → MySQL run as written (only the
 * connection settings are swapped for the test services'): tables created, rows copied, a second run idempotent.
 */
import { readFileSync } from 'node:fs';
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, harness, mysqlAdmin, mysqlDatasource, mysqlUrl, pgAdmin, pgDatasource, runTask } from './sql-helpers.ts';

let my: mysql.Connection;
let pgc: pg.Client;
const appDb = decodeURIComponent(mysqlUrl().pathname.slice(1)) || 'app';

function example(name: string): Record<string, unknown> {
  const file = JSON.parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
  const datasources = (file.datasources as { datasource_id: string; datasource_type: string; content: Record<string, unknown> }[]).map((d) => {
    const settings = d.datasource_type === 'MYSQL' ? mysqlDatasource(appDb) : pgDatasource();
    const time_zone = d.content.time_zone;
    return { ...d, content: { ...settings.content, ...(typeof time_zone === 'string' ? { time_zone } : {}) } };
  });
  return { ...file, datasources };
}

beforeAll(async () => {
  my = await mysqlAdmin();
  pgc = await pgAdmin();
});

afterAll(async () => {
  await my.query(`DROP TABLE IF EXISTS \`${appDb}\`.fdi_example_orders, \`${appDb}\`.fdi_example_customers`);
  await pgc.query('DROP TABLE IF EXISTS public.fdi_example_orders, public.fdi_example_customers');
  await my.end();
  await pgc.end();
});

describe('examples/', () => {
  it('mysql-to-postgresql.json: incremental, the target created with its key and batch-number column', async () => {
    await my.query(`DROP TABLE IF EXISTS \`${appDb}\`.fdi_example_orders`);
    await pgc.query('DROP TABLE IF EXISTS public.fdi_example_orders');
    await my.query(`CREATE TABLE \`${appDb}\`.fdi_example_orders (id BIGINT PRIMARY KEY, customer VARCHAR(100), amount DECIMAL(12,2),
      status VARCHAR(20), details JSON, updated_at DATETIME(6) NOT NULL)`);
    await my.query(`INSERT INTO \`${appDb}\`.fdi_example_orders VALUES
      (1, 'Ada', 10.00, 'PAID', '{"items": 2}', '2024-02-01 09:00:00'),
      (2, 'Bob', 5.50, 'DRAFT', NULL, '2024-02-01 09:00:00'),
      (3, 'Chloé 😀', 99.99, 'SHIPPED', '{"items": [1, 2]}', '2024-02-02 10:00:00')`);
    const h = harness();
    const first = await runTask(h, example('mysql-to-postgresql.json'), { taskId: 'sqlc-example-orders' });
    expect(first.execute_status, first.remarks).toBe('SUCCESS');
    expect(first.data_count).toBe(2);
    const { rows } = await pgc.query(`SELECT id::int, customer, amount::text, details, length(batch_no) AS batch FROM public.fdi_example_orders ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, customer: 'Ada', amount: '10.00', details: { items: 2 }, batch: 15 },
      { id: 3, customer: 'Chloé 😀', amount: '99.99', details: { items: [1, 2] }, batch: 15 },
    ]);
    const second = await runTask(h, example('mysql-to-postgresql.json'), { taskId: 'sqlc-example-orders' });
    expect(codes(second)).toContain(105);
  });

  it('postgresql-to-mysql.json: full copy of the filtered rows into a created, cleared table', async () => {
    await pgc.query('DROP TABLE IF EXISTS public.fdi_example_customers');
    await my.query(`DROP TABLE IF EXISTS \`${appDb}\`.fdi_example_customers`);
    await pgc.query(`CREATE TABLE public.fdi_example_customers (id int4 PRIMARY KEY, name varchar(100), status varchar(20), signed_up timestamptz)`);
    await pgc.query(`INSERT INTO public.fdi_example_customers VALUES (1, 'Ada', 'ACTIVE', '2024-01-01 00:00:00+00'), (2, 'Bob', 'GONE', NULL), (3, 'Cy', 'ACTIVE', NULL)`);
    for (let i = 0; i < 2; i++) {
      const log = await runTask(harness(), example('postgresql-to-mysql.json'));
      expect(log.execute_status, log.remarks).toBe('SUCCESS');
      expect(log.data_count).toBe(2);
    }
    const [rows] = await my.query(`SELECT id, name, DATE_FORMAT(signed_up, '%Y-%m-%d %H:%i:%s') AS signed_up FROM \`${appDb}\`.fdi_example_customers ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, name: 'Ada', signed_up: '2024-01-01 00:00:00' },
      { id: 3, name: 'Cy', signed_up: null },
    ]);
  });
});
