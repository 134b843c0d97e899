/**
 * copyIn: a COPY whose data is sent with the statement, before the server's CopyInResponse. Against the real server:
 * the rows land, a refused row or a missing table fails the whole COPY with the server's error, the data sent ahead
 * of a failed COPY is dropped (the next statements on the same connection run normally), and a backend that dies
 * mid-COPY fails it instead of hanging.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyIn } from '../../connectors/postgresql/copy-in.ts';
import { createSqlScratch, dropSqlScratch, pgUrl, uniqueName, type SqlAdmins } from './sql-helpers.ts';

const schema = uniqueName('copyin');
let admins: SqlAdmins;
let client: pg.Client;

const table = (name: string): string => `"${schema}"."${name}"`;
const lines = (from: number, count: number, text = (id: number) => `row ${id}`): Buffer =>
  Buffer.from(Array.from({ length: count }, (_v, i) => `${from + i}\t${text(from + i)}\n`).join(''));

async function ids(name: string): Promise<number[]> {
  const r = await admins.pgc.query<{ id: number }>(`SELECT id FROM ${table(name)} ORDER BY id`);
  return r.rows.map((row) => Number(row.id));
}

beforeAll(async () => {
  admins = await createSqlScratch(schema);
  await admins.pgc.query(`CREATE TABLE ${table('t')} (id integer PRIMARY KEY, s varchar(12) NOT NULL)`);
  client = new pg.Client({ connectionString: pgUrl().toString() });
  await client.connect();
});

afterAll(async () => {
  await client?.end().catch(() => undefined);
  await dropSqlScratch(schema, admins);
});

describe('copyIn against PostgreSQL', () => {
  it('copies the rows and resolves to the count the server reports; an empty input copies none', async () => {
    await expect(copyIn(client, `COPY ${table('t')} (id, s) FROM STDIN`, lines(1, 500))).resolves.toBe(500);
    await expect(copyIn(client, `COPY ${table('t')} (id, s) FROM STDIN`, Buffer.alloc(0))).resolves.toBe(0);
    expect(await ids('t')).toEqual(Array.from({ length: 500 }, (_v, i) => i + 1));
  });

  it('copies megabytes in one go', async () => {
    await admins.pgc.query(`CREATE TABLE ${table('big')} (id integer PRIMARY KEY, s text NOT NULL)`);
    const data = lines(1, 40_000, (id) => `${'x'.repeat(200)} ${id}`);
    expect(data.length).toBeGreaterThan(8_000_000);
    await expect(copyIn(client, `COPY ${table('big')} (id, s) FROM STDIN`, data)).resolves.toBe(40_000);
    const r = await admins.pgc.query<{ n: string; total: string }>(`SELECT count(*) AS n, sum(length(s)) AS total FROM ${table('big')}`);
    expect(r.rows[0]).toEqual({ n: '40000', total: String(40_000 * 201 + [...Array(40_000).keys()].reduce((a, i) => a + String(i + 1).length, 0)) });
  });

  it('a refused row fails the whole COPY with the server error; the data sent ahead is dropped and the connection goes on', async () => {
    const data = Buffer.concat([lines(1001, 100), Buffer.from('1101\tfar too long for twelve\n'), lines(1102, 100)]);
    const err = await copyIn(client, `COPY ${table('t')} (id, s) FROM STDIN`, data).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { code?: string }).code).toBe('22001');
    expect((await ids('t')).filter((id) => id > 1000)).toEqual([]);
    // The same connection: a query and another COPY run as if nothing had been sent ahead.
    const one = await client.query<{ one: number }>('SELECT 1 AS one');
    expect(one.rows).toEqual([{ one: 1 }]);
    await expect(copyIn(client, `COPY ${table('t')} (id, s) FROM STDIN`, lines(1001, 10))).resolves.toBe(10);
    expect((await ids('t')).filter((id) => id > 1000)).toHaveLength(10);
  });

  it('a COPY the server cannot start (no such table) fails with its error; the connection goes on', async () => {
    const err = await copyIn(client, `COPY ${table('missing')} (id, s) FROM STDIN`, lines(1, 50)).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('42P01');
    const one = await client.query<{ one: number }>('SELECT 1 AS one');
    expect(one.rows).toEqual([{ one: 1 }]);
  });

  it('COPYs one after another on one connection: a failed one between two good ones fails alone', async () => {
    await admins.pgc.query(`CREATE TABLE ${table('q')} (id integer PRIMARY KEY, s varchar(12) NOT NULL)`);
    const sql = `COPY ${table('q')} (id, s) FROM STDIN`;
    await expect(copyIn(client, sql, lines(1, 10))).resolves.toBe(10);
    const err = await copyIn(client, sql, lines(5, 10)).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('23505');
    await expect(copyIn(client, sql, lines(11, 10))).resolves.toBe(10);
    expect(await ids('q')).toEqual(Array.from({ length: 20 }, (_v, i) => i + 1));
  });

  it('a backend that dies mid-COPY fails it instead of hanging', async () => {
    const victim = new pg.Client({ connectionString: pgUrl().toString(), application_name: `${schema}-victim` });
    victim.on('error', () => undefined);
    await victim.connect();
    await admins.pgc.query(`CREATE TABLE ${table('k')} (id integer PRIMARY KEY, s text NOT NULL)`);
    // Holds the COPY at its first row until the backend is gone.
    await admins.pgc.query(`CREATE FUNCTION "${schema}".hold() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(30); RETURN NEW; END $$`);
    await admins.pgc.query(`CREATE TRIGGER hold BEFORE INSERT ON ${table('k')} FOR EACH ROW EXECUTE FUNCTION "${schema}".hold()`);
    const copying = copyIn(victim, `COPY ${table('k')} (id, s) FROM STDIN`, lines(1, 1000)).catch((e: unknown) => e);
    for (let i = 0; i < 100; i++) {
      const r = await admins.pgc.query(`SELECT pg_terminate_backend(pid) AS gone FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'COPY%'`, [`${schema}-victim`]);
      if (r.rows.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const err = await copying;
    expect(err).toBeInstanceOf(Error);
    expect(await ids('k')).toEqual([]);
    await victim.end().catch(() => undefined);
  });
});
