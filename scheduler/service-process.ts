/**
 * What `fdi serve` and `fdi worker` share as long-running processes: the pino logger, the connector registry with
 * plugins, and SIGTERM/SIGINT handling (first signal: graceful close; second: leave at once).
 */
import pino, { type Logger } from 'pino';
import { createDefaultRegistry } from '../connectors/builtins.ts';
import { pluginSpecsFromEnv, type ConnectorRegistry } from '../connectors/registry/index.ts';
import { FdiError } from '../core/fdi-error.ts';

/** pino's levels; `FDI_LOG_LEVEL` takes one of them in any case (default `info`). */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The process log; an unknown `FDI_LOG_LEVEL` is FDI.3002 naming it (pino itself would throw a puzzling error). */
export function serviceLogger(name: string, env: NodeJS.ProcessEnv = process.env): Logger {
  const raw = env['FDI_LOG_LEVEL']?.trim() || 'info';
  const level = LOG_LEVELS.find((l) => l === raw.toLowerCase());
  if (!level) throw new FdiError('FDI.3002', `FDI_LOG_LEVEL=${JSON.stringify(raw)} must be one of ${LOG_LEVELS.join(', ')}.`, 'FDI_LOG_LEVEL');
  return pino({ name, level });
}

/** Built-ins plus `--plugin` and `FDI_PLUGINS`; a plugin that fails to load is logged by name, the rest work. */
export async function serviceRegistry(pluginFlags: readonly string[], env: NodeJS.ProcessEnv, log: Logger): Promise<ConnectorRegistry> {
  const registry = createDefaultRegistry();
  const specs = [...pluginFlags, ...pluginSpecsFromEnv(env)];
  if (specs.length === 0) return registry;
  const report = await registry.loadPlugins(specs);
  for (const name of report.loaded) log.info({ plugin: name }, 'plugin loaded');
  for (const f of report.failed) log.error({ plugin: f.name, error: f.error }, 'plugin not loaded');
  return registry;
}

/**
 * Closes gracefully on the first SIGTERM/SIGINT and exits with `exitCode`; a second signal exits at once (the
 * runs of this process are then resumed by another worker, as after a crash).
 */
export function closeOnSignals(close: () => Promise<void>, log: Logger, exit: (code: number) => void = (c) => process.exit(c)): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (closing) {
      log.warn({ signal }, 'second signal: leaving now');
      exit(130);
      return;
    }
    closing = true;
    log.info({ signal }, 'shutting down: no new jobs; running executions finish or hand over');
    close().then(
      () => {
        log.info('stopped');
        exit(0);
      },
      (err: unknown) => {
        log.error({ error: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
