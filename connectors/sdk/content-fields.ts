/**
 * Readers of single fields of a data source's `content`, for connectors' `parseOptions`. A field that is
 * undefined, null or '' counts as not given (the FDI console sends '' for a blank input); a field of the wrong
 * kind is an OptionsError naming it.
 */
import { OptionsError, type DataSourceContent } from './index.ts';

function given(content: DataSourceContent, key: string): unknown {
  const v = content[key];
  return v === undefined || v === null || v === '' ? undefined : v;
}

/** A text field; with `numbers`, a number is taken as its decimal text (`client_id: 7`). */
export function readString(content: DataSourceContent, key: string, { numbers = false } = {}): string | undefined {
  const v = given(content, key);
  if (v === undefined) return undefined;
  if (numbers && typeof v === 'number') return String(v);
  if (typeof v !== 'string') throw new OptionsError(key, 'must be a string');
  return v;
}

/** true/false, also as "true"/"false", "1"/"0" and 1/0. */
export function readBoolean(content: DataSourceContent, key: string, fallback: boolean): boolean {
  const v = given(content, key);
  if (v === undefined) return fallback;
  if (v === true || v === 'true' || v === '1' || v === 1) return true;
  if (v === false || v === 'false' || v === '0' || v === 0) return false;
  throw new OptionsError(key, `must be true or false, got ${JSON.stringify(v)}`);
}

/** A whole number above 0, also as decimal text. */
export function readPositiveInt(content: DataSourceContent, key: string, fallback: number): number {
  const v = given(content, key);
  if (v === undefined) return fallback;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isInteger(n) || n <= 0) throw new OptionsError(key, `must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}
