import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { readCount } from './log-table.ts';

/** How often the line refreshes: in place on a terminal, as a new line in a log file (less often). */
const TTY_INTERVAL_MS = 500;
const PLAIN_INTERVAL_MS = 5000;

export interface ProgressOutput {
  write(text: string): void;
  isTTY: boolean;
}

/**
 * The progress line on stderr while a run goes: rows read, written and dirty, and the write rate. On a terminal
 * it is redrawn in place; otherwise a line every few seconds.
 */
export class ProgressLine {
  private latest: TaskMonitorLog | undefined;
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;
  private readonly startedAt = Date.now();

  constructor(private readonly out: ProgressOutput) {}

  start(): void {
    this.timer = setInterval(() => this.draw(), this.out.isTTY ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS);
    this.timer.unref();
  }

  update(log: TaskMonitorLog): void {
    this.latest = log;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn && this.out.isTTY) this.out.write('\r\x1b[2K');
  }

  private draw(): void {
    const log = this.latest;
    if (!log) return;
    const seconds = Math.max((Date.now() - this.startedAt) / 1000, 0.001);
    const rate = Math.round(log.data_count / seconds);
    const text = `${log.execute_status.toLowerCase()}: read ${readCount(log)}, written ${log.data_count}, dirty ${log.dirty_data_count}, ${rate} rows/s`;
    this.out.write(this.out.isTTY ? `\r\x1b[2K${text}` : `${text}\n`);
    this.drawn = true;
  }
}
