/**
 * Each real test service answers a real round trip, through the same client libraries the connectors use.
 * If one of these fails, every integration test that needs that service would fail for the same reason.
 */
import { randomUUID } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { Redis } from 'ioredis';
import { Queue, Worker, QueueEvents } from 'bullmq';
import { Kafka, logLevel } from 'kafkajs';
import SftpClient from 'ssh2-sftp-client';
import { redisRestartable, testServices } from '../support/services.ts';

const services = testServices();
const SCRIPT = resolve(import.meta.dirname, '../../scripts/test-services.sh');

/** Asynchronous, so that the test's own listeners keep answering while the script runs. */
function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

const unique = `infra_smoke_${randomUUID().slice(0, 8)}`;
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('MariaDB / MySQL', () => {
  it('creates a table, inserts with a prepared statement and selects the rows back', async () => {
    const conn = await mysql.createConnection(services.mysqlUrl);
    cleanups.push(() => conn.end());
    await conn.query(`CREATE TABLE ${unique} (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, doc JSON)`);
    cleanups.push(() => conn.query(`DROP TABLE IF EXISTS ${unique}`));
    await conn.execute(`INSERT INTO ${unique} (id, name, doc) VALUES (?, ?, ?), (?, ?, ?)`, [
      1, 'ä-ünïcode', JSON.stringify({ a: 1 }), 2, 'two', null,
    ]);
    const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT id, name, doc FROM ${unique} ORDER BY id`);
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { id: 1, name: 'ä-ünïcode', doc: { a: 1 } },
      { id: 2, name: 'two', doc: null },
    ]);
  });
});

describe('PostgreSQL', () => {
  it('creates a table, inserts with parameters and selects the rows back', async () => {
    const client = new pg.Client({ connectionString: services.pgUrl });
    await client.connect();
    cleanups.push(() => client.end());
    await client.query(`CREATE TABLE ${unique} (id int PRIMARY KEY, name text NOT NULL, doc jsonb)`);
    cleanups.push(() => client.query(`DROP TABLE IF EXISTS ${unique}`));
    await client.query(`INSERT INTO ${unique} (id, name, doc) VALUES ($1, $2, $3), ($4, $5, $6)`, [
      1, 'ä-ünïcode', { a: 1 }, 2, 'two', null,
    ]);
    const { rows } = await client.query(`SELECT id, name, doc FROM ${unique} ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, name: 'ä-ünïcode', doc: { a: 1 } },
      { id: 2, name: 'two', doc: null },
    ]);
  });
});

describe('Redis + BullMQ', () => {
  it('sets and gets a key', async () => {
    const redis = new Redis(services.redisUrl);
    cleanups.push(() => redis.quit());
    const key = `${unique}:key`;
    cleanups.push(() => redis.del(key));
    expect(await redis.set(key, 'value-1', 'EX', 60)).toBe('OK');
    expect(await redis.get(key)).toBe('value-1');
  });

  it.skipIf(!redisRestartable())('keeps its data across `test-services.sh restart redis` (append-only)', async () => {
    const redis = new Redis(services.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
    await redis.connect();
    cleanups.push(() => redis.quit());
    const key = `${unique}:durable`;
    cleanups.push(() => redis.del(key));
    await redis.hset(key, { written: 'before restart', n: '7' });
    const pidBefore = (await redis.info('server')).match(/process_id:(\d+)/)?.[1];

    execFileSync(SCRIPT, ['restart', 'redis'], { stdio: 'pipe' });

    const pidAfter = (await redis.info('server')).match(/process_id:(\d+)/)?.[1];
    expect(pidAfter).toBeDefined();
    expect(pidAfter).not.toBe(pidBefore);
    expect(await redis.hgetall(key)).toEqual({ written: 'before restart', n: '7' });
  });

  it('moves off a port a stranger holds, records the port for later commands, and forgets it at `down`', async () => {
    // A private state directory whose recorded Redis port is held by a listener that is not Redis: the same path
    // as a default port taken by another checkout's server that is shutting down.
    const state = mkdtempSync(join(tmpdir(), 'fdi-services-'));
    const stranger = createServer((socket) => socket.destroy());
    await new Promise<void>((done) => stranger.listen(0, '127.0.0.1', done));
    const held = (stranger.address() as AddressInfo).port;
    mkdirSync(join(state, 'ports'));
    writeFileSync(join(state, 'ports', 'redis'), `${held}\n`);
    const env = { ...process.env, FDI_TEST_SERVICES_DIR: state, FDI_TEST_SERVICES_REDIS_PORT: '' };
    const script = (...args: string[]) => run(SCRIPT, args, env);
    try {
      const up = await script('up', 'redis');
      expect(up.status, up.stderr).toBe(0);
      expect(up.stderr).toContain(`port 127.0.0.1:${held} (for redis) is taken by a process this script did not start`);
      const moved = Number(readFileSync(join(state, 'ports', 'redis'), 'utf8'));
      expect(moved).not.toBe(held);
      expect(up.stdout).toContain(`FDI_TEST_REDIS_URL=redis://127.0.0.1:${moved}\n`);
      expect((await script('env')).stdout).toContain(`FDI_TEST_REDIS_URL=redis://127.0.0.1:${moved}\n`);
      const redis = new Redis(`redis://127.0.0.1:${moved}`, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
      await redis.quit();
    } finally {
      const down = await script('down', 'redis');
      await new Promise((done) => stranger.close(done));
      expect(down.status, down.stderr).toBe(0);
      expect(existsSync(join(state, 'ports', 'redis'))).toBe(false);
      rmSync(state, { recursive: true, force: true });
    }
  });

  it('stops with the variable\'s name when an explicitly chosen port is taken', async () => {
    const state = mkdtempSync(join(tmpdir(), 'fdi-services-'));
    const stranger = createServer((socket) => socket.destroy());
    await new Promise<void>((done) => stranger.listen(0, '127.0.0.1', done));
    const held = (stranger.address() as AddressInfo).port;
    try {
      const up = await run(SCRIPT, ['up', 'redis'], { ...process.env, FDI_TEST_SERVICES_DIR: state, FDI_TEST_SERVICES_REDIS_PORT: String(held) });
      expect(up.status).toBe(1);
      expect(up.stderr).toContain(`port 127.0.0.1:${held} (for redis) is taken`);
      expect(up.stderr).toContain('FDI_TEST_SERVICES_REDIS_PORT');
    } finally {
      await new Promise((done) => stranger.close(done));
      rmSync(state, { recursive: true, force: true });
    }
  });

  it('runs one job through a BullMQ Queue and Worker', async () => {
    const connection = { url: services.redisUrl, maxRetriesPerRequest: null };
    const name = `${unique}_queue`;
    const queue = new Queue(name, { connection });
    const events = new QueueEvents(name, { connection });
    const worker = new Worker<{ n: number }, { doubled: number }>(name, async (job) => ({ doubled: job.data.n * 2 }), {
      connection,
    });
    cleanups.push(async () => {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    });
    await events.waitUntilReady();
    const job = await queue.add('double', { n: 21 });
    expect(await job.waitUntilFinished(events, 30_000)).toEqual({ doubled: 42 });
  });
});

describe('Kafka', () => {
  it('an idempotent producer sends a message that a consumer in a fresh group receives', async () => {
    const kafka = new Kafka({ clientId: unique, brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING });
    const topic = `${unique}_topic`;
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const [meta] = await producer.send({
      topic,
      messages: [{ key: 'k1', value: 'hello kafka', headers: { origin: 'smoke' } }],
    });
    expect(meta?.errorCode).toBe(0);

    const consumer = kafka.consumer({ groupId: `${unique}_group`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    await consumer.connect();
    cleanups.push(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<{ key: string; value: string; origin: string }>((resolveMessage, reject) => {
      const timer = setTimeout(() => reject(new Error('no message consumed within 30s')), 30_000);
      void consumer
        .run({
          eachMessage: async ({ message }) => {
            clearTimeout(timer);
            resolveMessage({
              key: message.key?.toString() ?? '',
              value: message.value?.toString() ?? '',
              origin: message.headers?.origin?.toString() ?? '',
            });
          },
        })
        .catch(reject);
    });
    expect(received).toEqual({ key: 'k1', value: 'hello kafka', origin: 'smoke' });
  });
});

describe('SFTP', () => {
  const { host, port, user, password, privateKeyFile, root } = services.sftp;

  async function roundTrip(client: SftpClient, tag: string): Promise<void> {
    const dir = `${root}/${unique}_${tag}`;
    await client.mkdir(dir, true);
    const body = Buffer.from(`line 1\nline 2 ${tag}\n`);
    await client.put(body, `${dir}/a.csv`);
    expect((await client.get(`${dir}/a.csv`)) as Buffer).toEqual(body);
    await client.rename(`${dir}/a.csv`, `${dir}/b.csv`);
    expect((await client.list(dir)).map((f) => [f.name, f.size])).toEqual([['b.csv', body.length]]);
    await client.delete(`${dir}/b.csv`);
    expect(await client.list(dir)).toEqual([]);
    await client.rmdir(dir);
    expect(await client.exists(dir)).toBe(false);
  }

  it('puts, gets, lists, renames and deletes a file with password auth', async () => {
    const client = new SftpClient();
    await client.connect({ host, port, username: user, password });
    cleanups.push(() => client.end());
    await roundTrip(client, 'password');
  });

  it('does the same with private-key auth', async () => {
    const client = new SftpClient();
    await client.connect({ host, port, username: user, privateKey: readFileSync(privateKeyFile) });
    cleanups.push(() => client.end());
    await roundTrip(client, 'key');
  });

  it('refuses a wrong password', async () => {
    const client = new SftpClient();
    await expect(client.connect({ host, port, username: user, password: `${password}-wrong` })).rejects.toThrow(
      /authentication/i,
    );
    await client.end().catch(() => undefined);
  });
});
