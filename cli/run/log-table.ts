import type { TaskMonitorDetailLog, TaskMonitorLog } from '../../core/monitor-log.ts';
import { STATUS } from '../../core/status-codes.ts';

const COLUMNS = ['status', 'position', 'position_status', 'stage', 'data_count', 'dirty', 'size', 'spend_ms', 'remarks'] as const;
const NUMERIC = new Set<string>(['status', 'data_count', 'dirty', 'size', 'spend_ms']);

function cells(d: TaskMonitorDetailLog): Record<(typeof COLUMNS)[number], string> {
  return {
    status: String(d.status),
    position: d.position,
    position_status: d.position_status,
    stage: d.stage,
    data_count: String(d.data_count),
    dirty: String(d.dirty_data_count),
    size: `${d.data_size} ${d.data_size_unit}`,
    spend_ms: String(d.spend_time),
    remarks: d.remarks.replace(/\s+/g, ' '),
  };
}

/** The steps of a run as an aligned text table, one row per detail step, in the order they happened. */
export function formatStepTable(log: TaskMonitorLog): string {
  const rows = log.detail_logs.map(cells);
  const width = (c: (typeof COLUMNS)[number]): number => Math.max(c.length, ...rows.map((r) => r[c].length));
  const widths = Object.fromEntries(COLUMNS.map((c) => [c, width(c)])) as Record<(typeof COLUMNS)[number], number>;
  const line = (r: Record<(typeof COLUMNS)[number], string>): string =>
    COLUMNS.map((c, i) => (i === COLUMNS.length - 1 ? r[c] : NUMERIC.has(c) ? r[c].padStart(widths[c]) : r[c].padEnd(widths[c]))).join('  ').trimEnd();
  const header = Object.fromEntries(COLUMNS.map((c) => [c, c])) as Record<(typeof COLUMNS)[number], string>;
  return [line(header), ...rows.map(line)].join('\n');
}

/** Records read in the run: the reader's latest count (102/104 carry it). */
export function readCount(log: TaskMonitorLog): number {
  let n = 0;
  for (const d of log.detail_logs) {
    if (d.status === STATUS.READING || d.status === STATUS.READ_FINISHED) n = Math.max(n, d.data_count);
  }
  return n;
}

/** One line: how the run ended and its totals. */
export function formatSummary(log: TaskMonitorLog): string {
  const spend = log.spend_time >= 1000 ? `${(log.spend_time / 1000).toFixed(1)} s` : `${log.spend_time} ms`;
  const parts = [
    `run ${log.id} ${log.execute_status}`,
    `read ${readCount(log)}`,
    `written ${log.data_count}`,
    `dirty ${log.dirty_data_count}`,
    `size ${log.data_size} ${log.data_size_unit}`,
    `time ${spend}`,
  ];
  const remarks = log.remarks.trim();
  return parts.join(', ') + (remarks && log.execute_status !== 'SUCCESS' ? `\n${remarks}` : '');
}
