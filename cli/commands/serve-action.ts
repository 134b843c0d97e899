/** What `fdi serve` does (cli/commands/serve.ts), loaded only when it runs: `fdi run` needs none of the API or scheduler. */
import { recordFireLateness, recordRunMetrics } from '../../api/metrics.ts';
import { buildApi } from '../../api/server.ts';
import { openDeployment } from '../../scheduler/deployment.ts';
import { connectorLoggerOf } from '../../scheduler/logger.ts';
import { runtimeConfigFromEnv } from '../../scheduler/runtime-config.ts';
import { closeOnSignals, serviceLogger, serviceRegistry } from '../../scheduler/service-process.ts';
import { configOrRefuse } from './config-or-refuse.ts';
import { loadServeConfig, type ServeFlags } from './serve-config.ts';

export interface ServeCommandFlags extends ServeFlags {
  worker: boolean;
  plugin?: string[];
}

export async function runServe(flags: ServeCommandFlags): Promise<void> {
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
}
