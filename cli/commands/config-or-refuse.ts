import { isFdiError } from '../../core/fdi-error.ts';
import { EXIT } from '../exit-codes.ts';
import { ServeConfigError } from './serve-config.ts';

/**
 * The configuration `read` gives, or undefined when it refuses it: the reason goes to stderr after the command's
 * name and the exit code says invalid input. Any other error is not a configuration problem and is thrown.
 */
export function configOrRefuse<T>(command: string, read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (err instanceof ServeConfigError || isFdiError(err)) {
      process.stderr.write(`${command}: ${err.message}\n`);
      process.exitCode = EXIT.INVALID_INPUT;
      return undefined;
    }
    throw err;
  }
}
