/**
 * `fdi serve`: the FDI v2 API, the scheduler (TaskControl on BullMQ) and a worker in one process. More workers
 * join with `fdi worker`. On start, every started task gets back its schedule or realtime job if Redis lost it.
 */
import { Command } from 'commander';
import { recordFireLateness, recordRunMetrics } from '../../api/metrics.ts';
import { buildApi } from '../../api/server.ts';
import { openDeployment } from '../../scheduler/deployment.ts';
import { connectorLoggerOf } from '../../scheduler/logger.ts';
import { runtimeConfigFromEnv } from '../../scheduler/runtime-config.ts';
import { closeOnSignals, serviceLogger, serviceRegistry } from '../../scheduler/service-process.ts';
import { configOrRefuse } from './config-or-refuse.ts';
import { loadServeConfig, type ServeFlags } from './serve-config.ts';

interface Flags extends ServeFlags {
  worker: boolean;
  plugin?: string[];
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('Serve the FDI v2 API with the scheduler and a worker (add workers with `fdi worker`)')
    .option('--port <port>', 'HTTP port (PORT, default 8080)')
    .option('--dev', 'no token and a throw-away secret key when FDI_API_TOKENS / FDI_SECRET_KEY are not set')
    .option('--no-worker', 'API and scheduler only: executions run in `fdi worker` processes')
    .option('--plugin <module...>', 'connector plugin module paths or package names (also FDI_PLUGINS)')
    .action(async (flags: Flags) => {
      const env = process.env;
      const loaded = configOrRefuse('fdi serve', () => ({
        log: serviceLogger('fdi-serve', env),
        serve: loadServeConfig(env, flags),
        config: runtimeConfigFromEnv(env),
      }));
      if (!loaded) return;
      const { log, serve, config } = loaded;
      for (const w of serve.warnings) log.warn(w);
      const registry = await serviceRegistry(flags.plugin ?? [], env, log);
      const deployment = await openDeployment({
        config,
        secrets: serve.secrets,
        retention: serve.retention,
        logger: connectorLoggerOf(log),
        registry,
        control: true,
        worker: flags.worker,
        onFire: recordFireLateness,
        onRunFinished: recordRunMetrics,
      });
      const control = deployment.control;
      if (!control) throw new Error('serve opened no task control');
      const restored = await control.restore();
      if (restored.timing + restored.realtime > 0 || restored.failed.length > 0) log.info(restored, 'started tasks restored');

      const app = buildApi({ store: deployment.store, control, registry, config: serve.api, ready: deployment.ping, logger: log });
      closeOnSignals(async () => {
        await app.close();
        await deployment.close();
      }, log);
      const address = await app.listen({ host: serve.host, port: serve.port });
      log.info({ address, worker: flags.worker, concurrency: flags.worker ? config.concurrency : 0 }, 'serving');
    });
}
