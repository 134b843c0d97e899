import { randomBytes } from 'node:crypto';

/** A new task or data-source id: 32 hex digits, as FDI's own ids. */
export function newId(): string {
  return randomBytes(16).toString('hex');
}
