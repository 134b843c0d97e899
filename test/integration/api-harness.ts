/**
 * Test harness for the API suites (not the product): a real Fastify server on a loopback port over a real Redis
 * store, and a small in-process TaskControl that fires plans with the project's own plan engine and runs
 * executions with runExecution. The BullMQ runtime replaces this control in the end-to-end suite.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { buildApi } from '../../api/server.ts';
import type { ApiConfig } from '../../api/config.ts';
import { createDefaultRegistry } from '../../connectors/builtins.ts';
import type { ConnectorRegistry } from '../../connectors/registry/index.ts';
import { FdiError } from '../../core/fdi-error.ts';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { parseTaskBody } from '../../core/normalise/index.ts';
import { RedisStore, type RetentionPolicy } from '../../core/redis-store.ts';
import { SecretBox } from '../../core/secret-box.ts';
import type { Store, TaskRecord } from '../../core/store.ts';
import type { TaskControl } from '../../scheduler/control.ts';
import { nextFireTime } from '../../scheduler/plan/index.ts';
import { newId } from '../../worker/ids.ts';
import { runExecution, StoreCheckpointStore, StoreDirtySink, StoreMonitorLogSink, STOP_REASON } from '../../worker/index.ts';
import { testServices } from '../support/services.ts';

interface Running {
  runId: string;
  abort: AbortController;
  done: Promise<TaskMonitorLog>;
}

export class InProcessControl implements TaskControl {
  readonly #running = new Map<string, Running>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  /** Every execution this control started, in order (tests inspect them). */
  readonly started: string[] = [];

  constructor(
    private readonly store: Store,
    private readonly registry: ConnectorRegistry,
  ) {}

  async #task(taskId: string): Promise<TaskRecord> {
    const task = await this.store.getTask(taskId);
    if (!task) throw new FdiError('FDI.3081', `task ${taskId}`);
    return task;
  }

  async start(taskId: string): Promise<void> {
    const task = await this.#task(taskId);
    if (task.task.task_type === 'REALTIME') {
      this.#launch(task, Date.now());
      return;
    }
    if (!(await this.store.getPlan(taskId))) throw new FdiError('FDI.3083');
    await this.#arm(taskId);
  }

  async #arm(taskId: string): Promise<void> {
    const plan = await this.store.getPlan(taskId);
    if (!plan) return;
    const next = nextFireTime(plan, new Date());
    if (!next) return;
    const timer = setTimeout(() => {
      this.#timers.delete(taskId);
      void this.#fire(taskId, next.getTime());
    }, Math.max(0, next.getTime() - Date.now()));
    this.#timers.set(taskId, timer);
  }

  async #fire(taskId: string, dispatchTime: number): Promise<void> {
    const task = await this.store.getTask(taskId);
    if (!task || task.status !== 'running') return;
    if (!this.#running.has(taskId)) this.#launch(task, dispatchTime);
    await this.#arm(taskId);
  }

  #launch(task: TaskRecord, dispatchTime: number): string {
    const spec = parseTaskBody({ task: task.task, task_detail: task.task_detail }, { taskId: task.task_id });
    const runId = newId();
    const abort = new AbortController();
    const done = runExecution(
      { task: spec, runId, dispatchTime, signal: abort.signal },
      {
        registry: this.registry,
        resolveDatasource: async (id) => {
          const ds = await this.store.getDatasourceById(id);
          if (!ds) throw new FdiError('FDI.3147', id);
          return ds;
        },
        checkpoints: new StoreCheckpointStore(this.store),
        monitorSink: new StoreMonitorLogSink(this.store),
        dirtySink: new StoreDirtySink(this.store),
      },
    ).finally(() => {
      if (this.#running.get(task.task_id)?.runId === runId) this.#running.delete(task.task_id);
    });
    this.#running.set(task.task_id, { runId, abort, done });
    this.started.push(runId);
    return runId;
  }

  async stop(taskId: string): Promise<void> {
    const timer = this.#timers.get(taskId);
    if (timer) clearTimeout(timer);
    this.#timers.delete(taskId);
    const task = await this.store.getTask(taskId);
    const run = this.#running.get(taskId);
    if (task?.task.task_type === 'REALTIME' && run) {
      run.abort.abort(STOP_REASON);
      await run.done;
    }
  }

  async runNow(taskId: string): Promise<string> {
    if (this.#running.has(taskId)) throw new FdiError('FDI.3030');
    return this.#launch(await this.#task(taskId), Date.now());
  }

  async terminate(taskId: string): Promise<boolean> {
    const run = this.#running.get(taskId);
    if (!run) return false;
    run.abort.abort();
    await run.done;
    return true;
  }

  async reschedule(taskId: string): Promise<void> {
    const timer = this.#timers.get(taskId);
    if (!timer) return;
    clearTimeout(timer);
    this.#timers.delete(taskId);
    await this.#arm(taskId);
  }

  async isRunning(taskId: string): Promise<boolean> {
    return this.#running.has(taskId);
  }

  async queueDepth(): Promise<number> {
    return 0;
  }

  /** Waits for the run of a task to end (the run the control started last for it). */
  async waitIdle(taskId: string): Promise<void> {
    await this.#running.get(taskId)?.done;
  }

  async close(): Promise<void> {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    const runs = [...this.#running.values()];
    for (const r of runs) r.abort.abort();
    await Promise.allSettled(runs.map((r) => r.done));
  }
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestApi {
  baseUrl: string;
  prefix: string;
  redis: Redis;
  store: RedisStore;
  control: InProcessControl;
  registry: ConnectorRegistry;
  /** A raw request; `body` is JSON-encoded unless it is a string. Tests read answers field by field, hence `any`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call<T = any>(method: string, path: string, opts?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export const TEST_TOKEN = 'test-token-all-projects';
export const P1_TOKEN = 'test-token-project-p1';

export async function startTestApi(opts: { config?: Partial<ApiConfig>; retention?: Partial<RetentionPolicy>; control?: (store: Store, registry: ConnectorRegistry) => TaskControl } = {}): Promise<TestApi> {
  const prefix = `fdi-test-api-${randomUUID().slice(0, 8)}:`;
  const redis = new Redis(testServices().redisUrl, { maxRetriesPerRequest: 2 });
  const store = new RedisStore({ redis, secrets: SecretBox.ephemeral(), prefix, retention: opts.retention ?? {} });
  const registry = createDefaultRegistry();
  const control = new InProcessControl(store, registry);
  const config: ApiConfig = {
    auth: { mode: 'tokens', tokens: [{ token: TEST_TOKEN }, { token: P1_TOKEN, projectId: 'p1' }] },
    rateLimit: null,
    defaultTimeZone: 'UTC',
    bodyLimitBytes: 1024 * 1024,
    ...opts.config,
  };
  const app = buildApi({ store, control: opts.control ? opts.control(store, registry) : control, registry, config, ready: () => store.ping() });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  async function call<T>(method: string, path: string, o: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token === undefined ? TEST_TOKEN : o.token;
    if (token !== null) headers['x-auth-token'] = token;
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(baseUrl + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  return {
    baseUrl,
    prefix,
    redis,
    store,
    control,
    registry,
    call,
    async close() {
      await control.close();
      await app.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}

/** Polls until `probe` returns a value (not undefined/false), up to `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
