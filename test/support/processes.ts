/**
 * Helpers for the runtime suites: an in-process deployment (TaskControl and/or worker) on the test Redis under a
 * key prefix of its own, `fdi worker` child processes (started, waited for, killed), tasks put straight into
 * the store, and polling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { Producer } from 'kafkajs';
import type { ConnectorRegistry } from '../../connectors/registry/index.ts';
import type { DataSourceRecord } from '../../core/datasource.ts';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import type { DispatchPlan } from '../../core/plan.ts';
import { SecretBox } from '../../core/secret-box.ts';
import type { Store, TaskRecord } from '../../core/store.ts';
import type { JsonValue } from '../../core/values.ts';
import { openDeployment, type Deployment } from '../../scheduler/deployment.ts';
import { validatePlan } from '../../scheduler/plan/index.ts';
import { runtimeConfigFromEnv } from '../../scheduler/runtime-config.ts';
import { testServices } from './services.ts';

const REPO = resolve(import.meta.dirname, '../..');
export const TEST_SECRET_KEY = 'runtime test suites: a passphrase long enough';
export const PROJECT = 'p-rt';
export const INSTANCE = 'i-rt';

export function uniquePrefix(label: string): string {
  return `fdi-t-${label}-${randomUUID().slice(0, 8)}:`;
}

/** The runtime environment of the tests: short lock and stalled checks so a vanished worker is noticed in seconds. */
export function runtimeEnv(prefix: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    REDIS_URL: testServices().redisUrl,
    FDI_KEY_PREFIX: prefix,
    FDI_SECRET_KEY: TEST_SECRET_KEY,
    FDI_API_AUTH: 'none',
    FDI_LOCK_MS: '4000',
    FDI_STALLED_INTERVAL_MS: '1000',
    FDI_WAITING_AFTER_MS: '1500',
    FDI_SHUTDOWN_GRACE_MS: '10000',
    FDI_STOP_WAIT_MS: '20000',
    FDI_LOG_LEVEL: 'warn',
    ...extra,
  };
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

export async function openTestDeployment(
  prefix: string,
  opts: { worker: boolean; control: boolean; env?: Record<string, string>; registry?: ConnectorRegistry; onFire?: (ms: number) => void },
): Promise<Deployment> {
  const env = runtimeEnv(prefix, opts.env);
  return openDeployment({
    config: runtimeConfigFromEnv(env),
    secrets: SecretBox.fromText(TEST_SECRET_KEY),
    logger: silent,
    control: opts.control,
    worker: opts.worker,
    ...(opts.registry ? { registry: opts.registry } : {}),
    ...(opts.onFire ? { onFire: opts.onFire } : {}),
  });
}

/** Deletes every key under the prefix. */
export async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(testServices().redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

// ---- tasks in the store ----

export async function putDatasource(store: Store, ds: DataSourceRecord): Promise<void> {
  await store.putDatasource(PROJECT, INSTANCE, ds);
}

export async function putTask(
  store: Store,
  t: { taskId?: string; name: string; type: 'TIMING' | 'REALTIME'; source: string; target: string; detail: { [key: string]: JsonValue } },
): Promise<TaskRecord> {
  const now = Date.now();
  const record: TaskRecord = {
    task_id: t.taskId ?? randomUUID().replaceAll('-', ''),
    project_id: PROJECT,
    instance_id: INSTANCE,
    task: { task_name: t.name, task_type: t.type, source_datasource_id: t.source, target_datasource_id: t.target },
    task_detail: t.detail,
    status: 'stop',
    execute_status: 'UNSTARTED',
    created_date: now,
    last_modified_date: now,
  };
  await store.putTask(record);
  return record;
}

export async function putPlan(store: Store, taskId: string, body: Record<string, unknown>): Promise<DispatchPlan> {
  const now = Date.now();
  const plan: DispatchPlan = { ...validatePlan(body, { defaultTimeZone: 'UTC', now }), dispatch_id: `plan-${taskId}`, task_id: taskId, create_time: now, update_time: now };
  await store.putPlan(plan);
  return plan;
}

export async function allLogs(store: Store, taskId: string): Promise<TaskMonitorLog[]> {
  const page = await store.listMonitorLogs(taskId, { offset: 1, limit: 999 });
  return page.entities;
}

export const codesOf = (log: TaskMonitorLog): number[] => log.detail_logs.map((d) => d.status);

/**
 * `task_detail` of a realtime task: JSON records `{id, name}` of a Kafka topic upserted on `id` into a PostgreSQL
 * table `(id int4 PRIMARY KEY, name text)`, in batches of 10.
 */
export function kafkaIdNameToPgDetail(topic: string, table: string, progressIntervalMs: number): { [key: string]: JsonValue } {
  return {
    sourceSelectedDatasource: {
      sourceTopicName: topic,
      kafka_data_type: 'json',
      isParse: 'true',
      offset_reset: 'earliest',
      sourceMetaData: { mode: 'keyValue', dataSource: [{ index: '0', name: 'id', path: 'id' }, { index: '1', name: 'name', path: 'name' }] },
    },
    targetSelectedDatasource: {
      targetTable: table,
      targetSelectedColumnList: [
        { field_name: 'id', field_type: 'int4', null_able: '0', unique: '1' },
        { field_name: 'name', field_type: 'text', null_able: '1', unique: '0' },
      ],
    },
    mappingInput: { mode: 'keyValue', dataSource: [{ sourceKey: 'id', targetKey: 'id' }, { sourceKey: 'name', targetKey: 'name' }] },
    mappingRequired: true,
    runtime: { batch_size: 10, progress_interval_ms: progressIntervalMs },
  };
}

/** Sends `{id, name: "n<id>"}` keyed by id for every id from `from` to `to`, in one batch. */
export async function produceIdNames(producer: Producer, topic: string, from: number, to: number): Promise<void> {
  const messages = [];
  for (let id = from; id <= to; id++) messages.push({ key: String(id), value: JSON.stringify({ id, name: `n${id}` }) });
  await producer.send({ topic, acks: -1, messages });
}

// ---- waiting ----

/** Polls until `probe` gives a value (not null/undefined/false); fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== null && v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The monitor log of run `runId` once it has ended (its end_time is set). */
export function runEnded(store: Store, taskId: string, runId: string, what = `run ${runId} to end`, timeoutMs?: number): Promise<TaskMonitorLog> {
  return waitFor(what, async () => {
    const l = await store.getMonitorLog(taskId, runId);
    return l && l.end_time !== null ? l : null;
  }, timeoutMs);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- `fdi worker` child processes ----

/** An `fdi worker` or `fdi serve` child process with the runtime env of a prefix; its output lines are kept. */
export class FdiProcess {
  readonly output: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private constructor(readonly child: ChildProcess) {
    // A chunk may end in the middle of a line: keep the tail of each stream until its newline comes.
    const collector = (): ((chunk: Buffer) => void) => {
      let partial = '';
      return (chunk) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        this.output.push(...lines.filter((l) => l.trim() !== ''));
      };
    };
    child.stdout?.on('data', collector());
    child.stderr?.on('data', collector());
    this.exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('the process has no pid');
    return this.child.pid;
  }

  /** `fdi worker`; resolves once it logged "worker ready". */
  static worker(prefix: string, env: Record<string, string> = {}, args: string[] = []): Promise<FdiProcess> {
    return FdiProcess.spawn(prefix, ['worker', ...args], env, '"worker ready"');
  }

  /** `fdi serve --port <port>`; resolves once it logged "serving". */
  static serve(prefix: string, port: number, env: Record<string, string> = {}, args: string[] = []): Promise<FdiProcess> {
    return FdiProcess.spawn(prefix, ['serve', '--port', String(port), ...args], env, '"serving"');
  }

  private static async spawn(prefix: string, args: string[], env: Record<string, string>, readyMarker: string): Promise<FdiProcess> {
    const child = spawn(process.execPath, [resolve(REPO, 'bin/fdi.mjs'), ...args], {
      cwd: REPO,
      env: { ...process.env, ...runtimeEnv(prefix, { FDI_LOG_LEVEL: 'info', ...env }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = new FdiProcess(child);
    await Promise.race([
      waitFor(`fdi ${args[0]} to say it is ready`, async () => proc.output.some((l) => l.includes(readyMarker)), 30_000, 50),
      proc.exited.then((e) => {
        throw new Error(`fdi ${args[0]} exited early (${JSON.stringify(e)}): ${proc.output.slice(-10).join('\n')}`);
      }),
    ]);
    return proc;
  }

  /** The ids of the runs this process said it finished. */
  finishedRuns(): string[] {
    return this.output.filter((l) => l.includes('"run finished"')).map((l) => (JSON.parse(l) as { runId: string }).runId);
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not left after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => res(port));
    });
  });
}
