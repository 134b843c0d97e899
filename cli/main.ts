/** The `fdi` command line: `fdi run`, `fdi plan next`, `fdi serve`, `fdi worker`. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { planCommand } from './commands/plan-next.ts';
import { runCommand } from './commands/run.ts';
import { serveCommand } from './commands/serve.ts';
import { workerCommand } from './commands/worker.ts';
import { EXIT } from './exit-codes.ts';

/** The project's package.json, found upwards from this module (the sources, or the bundle under node_modules/.cache). */
function ownPackage(): { version: string } {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) {
      const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'fdi-worker') return pkg;
    }
    if (dirname(dir) === dir) return { version: '0.0.0' };
  }
}

const { version } = ownPackage();

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
