/** The one results table: a row per scenario and tool, medians of the runs, in fixed-width columns. */
import type { ContenderResult } from './contender.ts';
import { median } from './stats.ts';

export interface ResultRow {
  scenario: string;
  tool: string;
  seconds?: number;
  rowsPerSecond?: number;
  mbPerSecond?: number;
  peakRssMb?: number;
  /** Latency (Kafka) or fire lateness (scheduler), milliseconds. */
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  note?: string;
}

const MB = 1_000_000;

export function copyRow(r: ContenderResult): ResultRow {
  if (r.skipped) return { scenario: r.scenario, tool: r.tool, note: `skipped: ${r.skipped}` };
  if (r.failed) return { scenario: r.scenario, tool: r.tool, note: `FAILED: ${r.failed}` };
  const seconds = median(r.runs.map((m) => m.seconds));
  return {
    scenario: r.scenario,
    tool: r.tool,
    seconds,
    rowsPerSecond: r.rows / seconds,
    mbPerSecond: r.bytes / MB / seconds,
    peakRssMb: median(r.runs.map((m) => m.peakRssMb)),
    note: [`median of ${r.runs.length}`, ...r.notes].join('; '),
  };
}

interface Column {
  title: string;
  width: number;
  align: 'left' | 'right';
  cell: (r: ResultRow) => string;
}

const num = (v: number | undefined, digits: number): string =>
  v === undefined || !Number.isFinite(v) ? '' : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const COLUMNS: readonly Column[] = [
  { title: 'scenario', width: 29, align: 'left', cell: (r) => r.scenario },
  { title: 'tool', width: 34, align: 'left', cell: (r) => r.tool },
  { title: 'time s', width: 8, align: 'right', cell: (r) => num(r.seconds, 2) },
  { title: 'rows/s', width: 10, align: 'right', cell: (r) => num(r.rowsPerSecond, 0) },
  { title: 'MB/s', width: 7, align: 'right', cell: (r) => num(r.mbPerSecond, 1) },
  { title: 'peak RSS MB', width: 11, align: 'right', cell: (r) => num(r.peakRssMb, 0) },
  { title: 'p50 ms', width: 8, align: 'right', cell: (r) => num(r.p50Ms, 1) },
  { title: 'p99 ms', width: 8, align: 'right', cell: (r) => num(r.p99Ms, 1) },
  { title: 'max ms', width: 8, align: 'right', cell: (r) => num(r.maxMs, 1) },
  { title: 'note', width: 0, align: 'left', cell: (r) => r.note ?? '' },
];

function fit(text: string, col: Column): string {
  if (col.width === 0) return text;
  const t = text.length > col.width ? `${text.slice(0, col.width - 1)}…` : text;
  return col.align === 'left' ? t.padEnd(col.width) : t.padStart(col.width);
}

export function formatTable(rows: readonly ResultRow[]): string {
  const line = (cells: string[]): string => cells.join('  ').trimEnd();
  const header = line(COLUMNS.map((c) => fit(c.title, c)));
  const body = rows.map((r) => line(COLUMNS.map((c) => fit(c.cell(r), c))));
  return [header, ...body].join('\n');
}
