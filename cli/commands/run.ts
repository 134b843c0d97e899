import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { createDefaultRegistry } from '../../connectors/builtins.ts';
import { pluginSpecsFromEnv, type ConnectorRegistry } from '../../connectors/registry/index.ts';
import type { ConnectorLogger, DataSourceRecord } from '../../connectors/sdk/index.ts';
import { FdiError, isFdiError } from '../../core/fdi-error.ts';
import type { MonitorLogSink, TaskMonitorLog } from '../../core/monitor-log.ts';
import { FileCheckpointStore } from '../../worker/checkpoint.ts';
import { JsonlFileDirtySink } from '../../worker/dirty.ts';
import { resolveEndpoint } from '../../worker/endpoints.ts';
import { runExecution, STOP_REASON } from '../../worker/execution.ts';
import { EXIT } from '../exit-codes.ts';
import { formatStepTable, formatSummary } from '../run/log-table.ts';
import { ProgressLine } from '../run/progress.ts';
import { onRunSignals, signalName, type SignalStep } from '../run/signals.ts';
import { loadTaskFile, type LoadedTaskFile } from '../run/task-file.ts';

export interface RunOptions {
  json?: boolean;
  state?: string;
  dirty?: string;
  plugin?: string[];
  quiet?: boolean;
}

export interface RunIo {
  stdout(text: string): void;
  stderr: { write(text: string): void; isTTY: boolean };
  env: NodeJS.ProcessEnv;
  /** Leave at once (the Ctrl-C after the terminate). */
  exitNow(code: number): never;
}

/** `.fdi/state/<task name>.json` next to the task file. */
export function defaultStatePath(taskFile: LoadedTaskFile): string {
  return join(taskFile.dir, '.fdi', 'state', `${taskFile.task.taskName}.json`);
}

/** `<task name>.dirty.jsonl` next to the task file. */
export function defaultDirtyPath(taskFile: LoadedTaskFile): string {
  return join(taskFile.dir, `${taskFile.task.taskName}.dirty.jsonl`);
}

function stderrLogger(io: RunIo, quiet: boolean): ConnectorLogger {
  const line = (level: string, msg: string, data?: Record<string, unknown>): void => {
    if (!quiet) io.stderr.write(`${level}: ${msg}${data && Object.keys(data).length > 0 ? ` ${JSON.stringify(data)}` : ''}\n`);
  };
  return { debug() {}, info() {}, warn: (m, d) => line('warning', m, d), error: (m, d) => line('error', m, d) };
}

/** Registry with the built-ins and the plugins of --plugin and FDI_PLUGINS; a plugin that fails is reported, the rest load. */
async function registryWithPlugins(opts: RunOptions, io: RunIo): Promise<ConnectorRegistry> {
  const registry = createDefaultRegistry();
  const specs = [...(opts.plugin ?? []), ...pluginSpecsFromEnv(io.env)];
  if (specs.length === 0) return registry;
  const report = await registry.loadPlugins(specs);
  for (const f of report.failed) io.stderr.write(`warning: plugin ${f.name} was not loaded: ${f.error}\n`);
  return registry;
}

/**
 * `fdi run <task.json>`: one execution in this process, no Redis. Returns the exit code: 0 SUCCESS, 1 ERROR or
 * CANCELLED, 2 invalid input.
 */
export async function runTaskFile(file: string, opts: RunOptions, io: RunIo): Promise<number> {
  const quiet = opts.quiet ?? false;
  let taskFile: LoadedTaskFile;
  let registry: ConnectorRegistry;
  const byId = new Map<string, DataSourceRecord>();
  const resolveDatasource = async (id: string): Promise<DataSourceRecord> => {
    const ds = byId.get(id);
    if (!ds) throw new FdiError('FDI.3147', `No data source with id "${id}" in the task file.`, 'datasource_id');
    return ds;
  };
  try {
    taskFile = await loadTaskFile(file);
    for (const ds of taskFile.datasources) byId.set(ds.datasource_id, ds);
    registry = await registryWithPlugins(opts, io);
    // Both ends are checked before anything runs, so a wrong type or option is invalid input, not a failed run.
    const { task } = taskFile;
    await resolveEndpoint('source', task.sourceDatasourceId, task.taskType, registry, resolveDatasource);
    await resolveEndpoint('target', task.targetDatasourceId, task.taskType, registry, resolveDatasource);
  } catch (err) {
    if (!isFdiError(err)) throw err;
    io.stderr.write(`${err.code}: ${err.message}\n`);
    return EXIT.INVALID_INPUT;
  }

  const { task } = taskFile;
  const statePath = opts.state ? resolve(opts.state) : defaultStatePath(taskFile);
  const dirtyPath = opts.dirty ? resolve(opts.dirty) : defaultDirtyPath(taskFile);
  const dirtySink = new JsonlFileDirtySink(dirtyPath);
  // The log lives in this process only: runExecution returns it whole at the end.
  const monitorSink: MonitorLogSink = { async save() {} };

  const progress = new ProgressLine(io.stderr);
  const say = (text: string): void => {
    progress.stop();
    if (!quiet) io.stderr.write(`${text}\n`);
  };
  // A realtime run has no end of its own: its first Ctrl-C is the stop a served task gets (drain, commit, SUCCESS).
  const stop = new AbortController();
  const terminate = new AbortController();
  const terminateStep: SignalStep = (signal) => {
    say(`${signalName(signal)}: terminating the run (again to leave at once)`);
    terminate.abort(new Error(`terminated by ${signal}`));
  };
  const stopStep: SignalStep = (signal) => {
    say(`${signalName(signal)}: stopping (Ctrl-C again to terminate)`);
    stop.abort(STOP_REASON);
  };
  const stopSignals = onRunSignals(
    task.taskType === 'REALTIME' ? [stopStep, terminateStep] : [terminateStep],
    () => io.exitNow(EXIT.INTERRUPTED),
  );
  if (!quiet) progress.start();
  let log: TaskMonitorLog;
  try {
    log = await runExecution(
      { task, signal: stop.signal, terminateSignal: terminate.signal },
      {
        registry,
        resolveDatasource,
        checkpoints: new FileCheckpointStore(statePath),
        monitorSink,
        dirtySink,
        logger: stderrLogger(io, quiet),
        onProgress: (l) => progress.update(l),
      },
    );
  } finally {
    progress.stop();
    stopSignals();
    await dirtySink.close();
  }

  const dirtyWhere = log.dirty_data_count === 0
    ? undefined
    : task.errorHandler?.datasourceId
      ? `the error_handler (data source ${task.errorHandler.datasourceId}, ${task.errorHandler.path ?? ''})`
      : dirtyPath;
  if (opts.json) {
    io.stdout(`${JSON.stringify(log, null, 2)}\n`);
    if (dirtyWhere && !quiet) io.stderr.write(`${log.dirty_data_count} dirty record(s) written to ${dirtyWhere}\n`);
  } else {
    io.stdout(`${formatStepTable(log)}\n\n${formatSummary(log)}\n`);
    if (dirtyWhere) io.stdout(`${log.dirty_data_count} dirty record(s) written to ${dirtyWhere}\n`);
  }
  return log.execute_status === 'SUCCESS' ? EXIT.OK : EXIT.RUN_FAILED;
}

function processIo(): RunIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: { write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true },
    env: process.env,
    exitNow: (code) => process.exit(code),
  };
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `fdi run`. */
export function runCommand(io: RunIo = processIo()): Command {
  return new Command('run')
    .description('Run one task file in this process (no Redis): a DataX-style local run')
    .argument('<task.json>', 'task file: {"datasources": [...], "task": {...}, "task_detail": string | object}')
    .option('--json', 'print the monitor log (TaskMonitorLog with detail_logs) as JSON on stdout, nothing else')
    .option('--state <file>', 'checkpoint state file (default: .fdi/state/<task_name>.json next to the task file)')
    .option('--dirty <file>', 'dirty records file when the task has no error_handler (default: <task_name>.dirty.jsonl next to the task file)')
    .option('--plugin <module>', 'load a connector plugin (module path or package name); repeatable; also FDI_PLUGINS', collect, [])
    .option('--quiet', 'no progress line and no warnings on stderr')
    .action(async (file: string, opts: RunOptions) => {
      process.exitCode = await runTaskFile(file, opts, io);
    });
}
