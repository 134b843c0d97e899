import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSizeUnit, TaskMonitorLog } from '../core/monitor-log.ts';

/**
 * Prometheus metrics of one process, served at `/metrics`. The runtime reports through the plain functions
 * below: `recordRunMetrics` once per finished execution, `recordFireLateness` once per scheduled fire.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'fdi_' });

const runs = new Counter({
  name: 'fdi_runs_total',
  help: 'Finished executions by execute_status.',
  labelNames: ['execute_status'] as const,
  registers: [metricsRegistry],
});

const rows = new Counter({
  name: 'fdi_rows_total',
  help: 'Records written by finished executions (data_count).',
  registers: [metricsRegistry],
});

const bytes = new Counter({
  name: 'fdi_bytes_total',
  help: 'Bytes moved by finished executions (data_size converted back to bytes).',
  registers: [metricsRegistry],
});

const dirtyRows = new Counter({
  name: 'fdi_dirty_rows_total',
  help: 'Dirty records of finished executions (dirty_data_count).',
  registers: [metricsRegistry],
});

const runDuration = new Histogram({
  name: 'fdi_run_duration_seconds',
  help: 'Duration of finished executions (spend_time).',
  labelNames: ['execute_status'] as const,
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14400],
  registers: [metricsRegistry],
});

const fireLateness = new Histogram({
  name: 'fdi_fire_lateness_seconds',
  help: 'How late a scheduled fire started compared with its planned instant (start_time - dispatch_time).',
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300],
  registers: [metricsRegistry],
});

const httpRequests = new Counter({
  name: 'fdi_http_requests_total',
  help: 'HTTP requests answered by the API, by method, route pattern and status.',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [metricsRegistry],
});

let queueDepthSource: (() => Promise<number>) | null = null;

new Gauge({
  name: 'fdi_queue_depth',
  help: 'Jobs waiting in the task queue.',
  registers: [metricsRegistry],
  async collect() {
    if (queueDepthSource) this.set(await queueDepthSource());
  },
});

/** The API wires this to TaskControl.queueDepth. */
export function setQueueDepthSource(source: (() => Promise<number>) | null): void {
  queueDepthSource = source;
}

const UNIT_BYTES: Readonly<Record<DataSizeUnit, number>> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** Call once when an execution has ended (execute_status SUCCESS, ERROR or CANCELLED). */
export function recordRunMetrics(log: TaskMonitorLog): void {
  runs.inc({ execute_status: log.execute_status });
  rows.inc(Math.max(0, log.data_count));
  dirtyRows.inc(Math.max(0, log.dirty_data_count));
  bytes.inc(Math.max(0, Math.round(log.data_size * (UNIT_BYTES[log.data_size_unit] ?? 1))));
  runDuration.observe({ execute_status: log.execute_status }, Math.max(0, log.spend_time) / 1000);
}

export function recordFireLateness(latenessMs: number): void {
  fireLateness.observe(Math.max(0, latenessMs) / 1000);
}

export function recordHttpRequest(method: string, route: string, status: number): void {
  httpRequests.inc({ method, route, status: String(status) });
}
