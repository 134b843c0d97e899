import type { MonitorLogSink, TaskMonitorLog } from '../core/monitor-log.ts';
import type { Store } from '../core/store.ts';

/** Keeps the latest snapshot of each run in memory (`fdi run`, tests). */
export class MemoryMonitorLogSink implements MonitorLogSink {
  private readonly logs = new Map<string, TaskMonitorLog>();
  /** How many snapshots were saved, in all. */
  saves = 0;

  async save(log: TaskMonitorLog): Promise<void> {
    this.saves++;
    this.logs.set(log.id, structuredClone(log));
  }

  get(runId: string): TaskMonitorLog | undefined {
    const log = this.logs.get(runId);
    return log && structuredClone(log);
  }

  all(): TaskMonitorLog[] {
    return [...this.logs.values()].map((l) => structuredClone(l));
  }
}

/** Monitor logs of served tasks, in the store. */
export class StoreMonitorLogSink implements MonitorLogSink {
  constructor(private readonly store: Pick<Store, 'saveMonitorLog'>) {}
  save(log: TaskMonitorLog): Promise<void> {
    return this.store.saveMonitorLog(log);
  }
}
