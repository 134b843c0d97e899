/**
 * `fdi serve`: the FDI v2 API, the scheduler (TaskControl on BullMQ) and a worker in one process. More workers
 * join with `fdi worker`. On start, every started task gets back its schedule or realtime job if Redis lost it.
 */
import { Command } from 'commander';
import type { ServeCommandFlags } from './serve-action.ts';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Serve the FDI v2 API with the scheduler and a worker (add workers with `fdi worker`)')
    .option('--port <port>', 'HTTP port (PORT, default 8080)')
    .option('--dev', 'no token and a throw-away secret key when FDI_API_TOKENS / FDI_SECRET_KEY are not set')
    .option('--no-worker', 'API and scheduler only: executions run in `fdi worker` processes')
    .option('--plugin <module...>', 'connector plugin module paths or package names (also FDI_PLUGINS)')
    .action(async (flags: ServeCommandFlags) => (await import('./serve-action.ts')).runServe(flags));
}
