/**
 * `fdi worker`: a worker process only (scale-out). Runs executions from the queue every `fdi serve` and
 * `fdi worker` of a deployment share through one Redis; start as many as you like, on any machines.
 */
import { Command } from 'commander';
import { recordFireLateness, recordRunMetrics } from '../../api/metrics.ts';
import { openDeployment } from '../../scheduler/deployment.ts';
import { connectorLoggerOf } from '../../scheduler/logger.ts';
import { runtimeConfigFromEnv } from '../../scheduler/runtime-config.ts';
import { closeOnSignals, serviceLogger, serviceRegistry } from '../../scheduler/service-process.ts';
import { configOrRefuse } from './config-or-refuse.ts';
import { loadServeConfig } from './serve-config.ts';

interface WorkerFlags {
  concurrency?: string;
  plugin?: string[];
}

export function workerCommand(): Command {
  return new Command('worker')
    .description('Run task executions from the shared queue (scale out: any number of workers share one Redis)')
    .option('--concurrency <n>', 'executions at once in this process (FDI_WORKER_CONCURRENCY, default 8)')
    .option('--plugin <module...>', 'connector plugin module paths or package names (also FDI_PLUGINS)')
    .action(async (flags: WorkerFlags) => {
      const env = flags.concurrency !== undefined ? { ...process.env, FDI_WORKER_CONCURRENCY: flags.concurrency } : process.env;
      const log = serviceLogger('fdi-worker', env);
      const loaded = configOrRefuse('fdi worker', () => ({
        config: runtimeConfigFromEnv(env),
        // The worker writes to the same store as `fdi serve`: the same secret key and log retention. It serves no API.
        store: loadServeConfig({ ...env, FDI_API_AUTH: env['FDI_API_TOKENS'] ? env['FDI_API_AUTH'] : 'none' }),
      }));
      if (!loaded) return;
      const { config, store } = loaded;
      const registry = await serviceRegistry(flags.plugin ?? [], env, log);
      const deployment = await openDeployment({
        config,
        secrets: store.secrets,
        retention: store.retention,
        logger: connectorLoggerOf(log),
        registry,
        control: false,
        worker: true,
        onFire: recordFireLateness,
        onRunFinished: recordRunMetrics,
      });
      closeOnSignals(() => deployment.close(), log);
      log.info({ concurrency: config.concurrency, keyPrefix: config.keyPrefix, pid: process.pid, connectors: registry.types() }, 'worker ready');
    });
}
