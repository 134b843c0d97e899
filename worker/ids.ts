import { randomUUID } from 'node:crypto';

/** A run or step id: 32 hex characters (the spec allows 10–40). */
export function newId(): string {
  return randomUUID().replaceAll('-', '');
}
