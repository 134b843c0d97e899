import { OptionsError, TaskConfigError } from '../connectors/sdk/index.ts';
import { FdiError, isFdiError } from '../core/fdi-error.ts';
import type { StatusCode } from '../core/status-codes.ts';
import { errorMessage } from './monitor-recorder.ts';

/** Why a run ends with an error: the step to log (code + stage) and the message for remarks. */
export class StageFailure extends Error {
  readonly code: StatusCode;
  readonly stage: string;
  constructor(code: StatusCode, stage: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StageFailure';
    this.code = code;
    this.stage = stage;
  }
}

/**
 * The message a failure shows in remarks: FDI errors with their code, a bad option or task setting as
 * FDI.3033 naming the field, anything else (a driver's error) as its own message.
 */
export function describeFailure(err: unknown): string {
  if (isFdiError(err)) return `${err.code} ${err.message}`;
  if (err instanceof OptionsError || err instanceof TaskConfigError) {
    const reason = err.message.startsWith(`${err.field}: `) ? err.message.slice(err.field.length + 2) : err.message;
    const fdi = FdiError.invalidField(err.field, reason);
    return `${fdi.code} ${fdi.message}`;
  }
  return errorMessage(err);
}
