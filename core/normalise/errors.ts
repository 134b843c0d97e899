import type { FdiErrorCode } from '../error-codes.ts';
import { FdiError } from '../fdi-error.ts';

/** FDI.3033 "Invalid parameter [field]: reason". */
export function invalid(field: string, reason: string): FdiError {
  return FdiError.invalidField(field, reason);
}

/** A specific FDI code, its documented message followed by the field and the reason. */
export function coded(code: FdiErrorCode, field: string, reason: string): FdiError {
  return new FdiError(code, `[${field}] ${reason}`, field);
}

/** How a value is described in a message: its JSON, cut short so a 10 MB string stays out of the log. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? 'an array' : 'an object';
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
