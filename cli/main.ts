/** The `fdi` command line: `fdi run`, `fdi plan next`, `fdi serve`, `fdi worker`. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { planCommand } from './commands/plan-next.ts';
import { runCommand } from './commands/run.ts';
import { serveCommand } from './commands/serve.ts';
import { workerCommand } from './commands/worker.ts';
import { EXIT } from './exit-codes.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('fdi')
  .description('FDI worker: data-integration tasks with FDI monitor logs')
  .version(version)
  .exitOverride()
  .addCommand(runCommand().exitOverride())
  .addCommand(planCommand())
  .addCommand(serveCommand())
  .addCommand(workerCommand());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  // Help and --version exit 0; a wrong option or a missing argument is invalid input.
  process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.INVALID_INPUT;
}
