/** What the benchmark ran on, printed above the table. */
import { cpus, totalmem } from 'node:os';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import type pg from 'pg';
import { toolVersion } from './system-tools.ts';

export async function describeMachine(my: mysql.Connection, pgc: pg.Client): Promise<string[]> {
  const [rows] = await my.query<RowDataPacket[]>('SELECT VERSION() AS v, @@innodb_buffer_pool_size AS bp');
  const { rows: pgRows } = await pgc.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  const cpu = cpus();
  return [
    `machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `node ${process.version}; MariaDB ${String(rows[0]?.v)} (buffer pool ${Math.round(Number(rows[0]?.bp) / 2 ** 20)} MiB); PostgreSQL ${pgRows[0]?.v ?? '?'}`,
    `pgloader: ${toolVersion('pgloader')}; ${toolVersion('mysql')}`,
  ];
}
