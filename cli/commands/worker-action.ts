/** What `fdi worker` does (cli/commands/worker.ts), loaded only when it runs. */
import { startMetricsServer, type MetricsServer } from '../../api/metrics-server.ts';
import { recordFireLateness, recordRunMetrics } from '../../api/metrics.ts';
import { openDeployment, type Deployment } from '../../scheduler/deployment.ts';
import { connectorLoggerOf } from '../../scheduler/logger.ts';
import { runtimeConfigFromEnv } from '../../scheduler/runtime-config.ts';
import { closeOnSignals, serviceLogger, serviceRegistry } from '../../scheduler/service-process.ts';
import { configOrRefuse } from './config-or-refuse.ts';
import { loadServeConfig, SERVE_DEFAULTS, ServeConfigError } from './serve-config.ts';

export interface WorkerFlags {
  concurrency?: string;
  metricsPort?: string;
  plugin?: string[];
}

/** Where the worker's metrics endpoint listens, or null for none: `--metrics-port` wins over `FDI_METRICS_PORT`. */
export function metricsEndpointOf(env: NodeJS.ProcessEnv, flag?: string): { host: string; port: number } | null {
  const source = flag !== undefined ? { v: flag.trim(), name: '--metrics-port' } : { v: env['FDI_METRICS_PORT']?.trim() ?? '', name: 'FDI_METRICS_PORT' };
  if (source.v === '') {
    if (flag !== undefined) throw new ServeConfigError(source.name, 'must be a port number from 0 to 65535');
    return null;
  }
  const port = /^\d+$/.test(source.v) ? Number(source.v) : Number.NaN;
  if (!Number.isInteger(port) || port > 65535) throw new ServeConfigError(source.name, `must be a port number from 0 to 65535, got ${JSON.stringify(source.v)}`);
  return { host: env['HOST']?.trim() || SERVE_DEFAULTS.host, port };
}

export async function runWorker(flags: WorkerFlags): Promise<void> {
  const env = flags.concurrency !== undefined ? { ...process.env, FDI_WORKER_CONCURRENCY: flags.concurrency } : process.env;
  const loaded = configOrRefuse('fdi worker', () => ({
    log: serviceLogger('fdi-worker', env),
    config: runtimeConfigFromEnv(env),
    // The worker writes to the same store as `fdi serve`: the same secret key and log retention. It serves no API.
    store: loadServeConfig({ ...env, FDI_API_AUTH: env['FDI_API_TOKENS'] ? env['FDI_API_AUTH'] : 'none' }),
    metrics: metricsEndpointOf(env, flags.metricsPort),
  }));
  if (!loaded) return;
  const { log, config, store, metrics: endpoint } = loaded;
  const registry = await serviceRegistry(flags.plugin ?? [], env, log);

  // The endpoint comes up first: a port already taken stops the start before the worker takes any job.
  let deployment: Deployment | null = null;
  let metrics: MetricsServer | null = null;
  if (endpoint) {
    try {
      metrics = await startMetricsServer({
        ...endpoint,
        ready: async () => {
          if (!deployment) throw new Error('the worker is starting');
          await deployment.ping();
        },
        queueDepth: async () => (deployment?.worker ? deployment.worker.queueDepth() : 0),
      });
    } catch (err) {
      log.error({ host: endpoint.host, port: endpoint.port, error: err instanceof Error ? err.message : String(err) }, 'cannot serve metrics');
      process.exitCode = 1;
      return;
    }
  }
  const opened = await openDeployment({
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
  deployment = opened;
  // The metrics stay up while running executions drain, so the last runs are still scraped.
  closeOnSignals(async () => {
    await opened.close();
    await metrics?.close();
  }, log);
  log.info(
    {
      concurrency: config.concurrency,
      keyPrefix: config.keyPrefix,
      pid: process.pid,
      connectors: registry.types(),
      ...(endpoint && metrics ? { metrics: `http://${endpoint.host}:${metrics.port}/metrics` } : {}),
    },
    'worker ready',
  );
}
