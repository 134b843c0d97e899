/**
 * Before each timed run, both databases finish what the runs before it left them: a run that loaded a million rows
 * leaves PostgreSQL a checkpoint's worth of dirty buffers and an autovacuum of the new table to do, and InnoDB dirty
 * pages to flush. Measured without this, the same `psql COPY` took 4.6 s or 7.7 s depending on what ran before it.
 */
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import type pg from 'pg';

const POLL_MS = 250;
/** Waiting stops here: a database that never quiets down slows the run after, it does not stop the benchmark. */
const MAX_WAIT_MS = 60_000;
/** InnoDB keeps a few pages dirty at all times; this many (16 KiB each, of a 64 MiB pool) is quiet. */
const QUIET_DIRTY_PAGES = 64;

export async function settleDatabases(my: mysql.Connection, pgc: pg.Client): Promise<void> {
  const deadline = Date.now() + MAX_WAIT_MS;
  await pgc.query('CHECKPOINT');
  while (Date.now() < deadline && (await autovacuumWorkers(pgc)) > 0) await sleep(POLL_MS);
  if ((await innodbDirtyPages(my)) <= QUIET_DIRTY_PAGES) return;
  // MariaDB 10.5+ with innodb_max_dirty_pages_pct_lwm = 0 (its default) leaves dirty pages unflushed while idle: the
  // wait ran into MAX_WAIT_MS twice in one run. A limit of 0 makes the page cleaner flush them all at once.
  const restore = await flushInnodbNow(my);
  try {
    while (Date.now() < deadline && (await innodbDirtyPages(my)) > QUIET_DIRTY_PAGES) await sleep(POLL_MS);
  } finally {
    await restore();
  }
}

/** Sets innodb_max_dirty_pages_pct to 0 and returns what puts it back; a no-op where the user may not set it. */
async function flushInnodbNow(my: mysql.Connection): Promise<() => Promise<void>> {
  const [rows] = await my.query<RowDataPacket[]>(`SELECT @@GLOBAL.innodb_max_dirty_pages_pct AS pct`);
  const pct = Number(rows[0]?.pct);
  try {
    await my.query('SET GLOBAL innodb_max_dirty_pages_pct = 0');
  } catch {
    return async () => {};
  }
  return async () => {
    await my.query('SET GLOBAL innodb_max_dirty_pages_pct = ?', [Number.isFinite(pct) ? pct : 90]);
  };
}

async function autovacuumWorkers(pgc: pg.Client): Promise<number> {
  const r = await pgc.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'`);
  return r.rows[0]?.n ?? 0;
}

async function innodbDirtyPages(my: mysql.Connection): Promise<number> {
  const [rows] = await my.query<RowDataPacket[]>(`SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'`);
  return Number(rows[0]?.Value ?? 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
