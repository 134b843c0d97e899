import { FDI_ERRORS, type FdiErrorCode } from './error-codes.ts';

/** An error that carries a documented FDI.xxxx code; `field` names the offending input where there is one. */
export class FdiError extends Error {
  readonly code: FdiErrorCode;
  readonly http: number;
  readonly field: string | undefined;

  constructor(code: FdiErrorCode, detail?: string, field?: string) {
    const base = FDI_ERRORS[code].message;
    super(detail ? `${base} ${detail}` : base);
    this.name = 'FdiError';
    this.code = code;
    this.http = FDI_ERRORS[code].http;
    this.field = field;
  }

  /** FDI.3033 "Invalid parameter [%s]." with the field filled in and the reason after it. */
  static invalidField(field: string, reason: string): FdiError {
    const err = new FdiError('FDI.3033', undefined, field);
    err.message = `Invalid parameter [${field}]: ${reason}`;
    return err;
  }

  toBody(): { error_code: FdiErrorCode; error_msg: string } {
    return { error_code: this.code, error_msg: this.message.slice(0, 512) };
  }
}

export function isFdiError(e: unknown): e is FdiError {
  return e instanceof FdiError;
}
