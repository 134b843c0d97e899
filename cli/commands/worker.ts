/**
 * `fdi worker`: a worker process only (scale-out). Runs executions from the queue every `fdi serve` and
 * `fdi worker` of a deployment share through one Redis; start as many as you like, on any machines. With
 * `--metrics-port` (or `FDI_METRICS_PORT`) it also serves its own `/metrics`, `/healthz` and `/readyz`: the runs it
 * executed and the fires it took up are counted in this process, so only it can expose them.
 */
import { Command } from 'commander';
import type { WorkerFlags } from './worker-action.ts';

export function workerCommand(): Command {
  return new Command('worker')
    .description('Run task executions from the shared queue (scale out: any number of workers share one Redis)')
    .option('--concurrency <n>', 'executions at once in this process (FDI_WORKER_CONCURRENCY, default 8)')
    .option('--metrics-port <port>', 'serve /metrics, /healthz and /readyz on this port (FDI_METRICS_PORT; default none)')
    .option('--plugin <module...>', 'connector plugin module paths or package names (also FDI_PLUGINS)')
    .action(async (flags: WorkerFlags) => (await import('./worker-action.ts')).runWorker(flags));
}
